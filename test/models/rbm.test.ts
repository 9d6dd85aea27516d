import { describe, expect, it } from 'vitest';
import { pseudoLogLikelihood } from '../../src/estimators/pseudo-likelihood.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import type { Matrix } from '../../src/tensor/matrix.js';
import { expectAllClose } from '../helpers/reference.js';
import { exactLogZ, freeEnergyOf, hiddenMeanOf, visibleMeanOf, visibleState } from '../reference/rbm-exact.js';
import { randomBinary, randomRbm } from '../helpers/random-data.js';

const engine = createNodeEngine({ threads: 1 });

const rowOf = (m: Matrix, r: number): Float32Array => m.data.subarray(r * m.cols, (r + 1) * m.cols);

describe('RBM verbs against exact float64 computations', () => {
  const rbm = randomRbm(engine, 12, 7, 1);
  const small = { ...rbm, ...rbm.params };
  const v = randomBinary(25, 12, 2);

  it('transform gives E[h | v] = sigmoid(b + W^T v)', async () => {
    const h = await rbm.transform(v);
    expect([h.rows, h.cols]).toEqual([25, 7]);
    for (let r = 0; r < v.rows; r++) expectAllClose(rowOf(h, r), hiddenMeanOf(small, rowOf(v, r)), { atol: 1e-5 });
  });

  it('reconstruct gives E[v | h = E[h | v]] and its squared error', async () => {
    const { reconstructions, squaredErrors } = await rbm.reconstruct(v);
    for (let r = 0; r < v.rows; r++) {
      const expected = visibleMeanOf(small, hiddenMeanOf(small, rowOf(v, r)));
      expectAllClose(rowOf(reconstructions, r), expected, { atol: 1e-5 });
      const error = expected.reduce((acc, x, i) => acc + (x - v.data[r * v.cols + i]) ** 2, 0);
      expect(squaredErrors[r]).toBeCloseTo(error, 4);
    }
  });

  it('freeEnergy gives F(v) = -a.v - sum softplus(b + W^T v)', async () => {
    const f = await rbm.freeEnergy(v);
    expectAllClose(f, Array.from({ length: v.rows }, (_, r) => freeEnergyOf(small, rowOf(v, r))), { atol: 1e-4, rtol: 1e-5 });
  });

  it('pseudoLogLikelihood sums log p(v_i | v_-i) over every unit', async () => {
    let expected = 0;
    for (let r = 0; r < v.rows; r++) {
      const x = Float64Array.from(rowOf(v, r));
      for (let i = 0; i < x.length; i++) {
        const flipped = Float64Array.from(x);
        flipped[i] = 1 - flipped[i];
        // p(v_i | v_-i) = exp(-F(v)) / (exp(-F(v)) + exp(-F(flipped)))
        expected += -Math.log1p(Math.exp(freeEnergyOf(small, x) - freeEnergyOf(small, flipped)));
      }
    }
    expect(await pseudoLogLikelihood(rbm, v)).toBeCloseTo(expected / v.rows, 3);
  });
});

describe('sampling', () => {
  it('long Gibbs chains visit each visible state with its exact probability exp(-F(v)) / Z', async () => {
    const rbm = randomRbm(engine, 4, 3, 7);
    const small = { ...rbm, ...rbm.params };
    const chains = 20_000;
    const { samples } = await rbm.sample(chains, { steps: 60, seed: 8 });
    const counts = new Float64Array(16);
    for (let r = 0; r < chains; r++) {
      let s = 0;
      for (let i = 0; i < 4; i++) s |= samples.data[r * 4 + i] << i;
      counts[s] += 1;
    }
    const logZ = exactLogZ(small);
    for (let s = 0; s < 16; s++) {
      const p = Math.exp(-freeEnergyOf(small, visibleState(4, s)) - logZ);
      const standardError = Math.sqrt((p * (1 - p)) / chains);
      expect(Math.abs(counts[s] / chains - p), `state ${s}`).toBeLessThan(5 * standardError + 1e-4);
    }
  });

  it('the same seed gives the same chains; means are probabilities; draws are binary', async () => {
    const rbm = randomRbm(engine, 10, 5, 9);
    const a = await rbm.sample(30, { steps: 30, seed: 1 });
    const b = await rbm.sample(30, { steps: 30, seed: 1 });
    const c = await rbm.sample(30, { steps: 30, seed: 2 });
    expect(a.samples.data).toEqual(b.samples.data);
    expect(a.samples.data).not.toEqual(c.samples.data);
    expect(a.samples.data.every((x) => x === 0 || x === 1)).toBe(true);
    expect(a.means.data.every((x) => x > 0 && x < 1)).toBe(true);
  });

  it('rejects data of the wrong width', async () => {
    const rbm = randomRbm(engine, 10, 5, 9);
    await expect(rbm.transform(randomBinary(3, 11, 1))).rejects.toThrow(/11 features per example but the model has 10 visible units/);
  });
});

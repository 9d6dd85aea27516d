import { describe, expect, it } from 'vitest';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import type { UnitName } from '../../src/units/index.js';
import { expectAllClose } from '../helpers/reference.js';
import {
  freeEnergyOfGeneral,
  groupReference,
  hiddenFieldOfGeneral,
  layerMean,
  visibleFieldOfGeneral,
  visibleStates,
} from '../reference/units-exact.js';

const engine = createNodeEngine({ threads: 1 });

function randomRbm(nVisible: number, nHidden: number, visible: UnitName, hidden: UnitName, seed: number, scale = 0.7): RBM {
  const rng = new RandomStream(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, visible, hidden, seed, weightScale: scale });
  rbm.params.visibleBias.forEach((_, i, a) => (a[i] = scale * rng.normal()));
  rbm.params.hiddenBias.forEach((_, i, a) => (a[i] = scale * rng.normal()));
  return rbm;
}

/** Random visible states of the RBM's visible type: `rows` draws of the reference's states per group. */
function randomVisible(rbm: RBM, rows: number, seed: number): Matrix {
  const ref = groupReference(rbm.visible.name);
  const rng = new RandomStream(seed);
  const data = new Float32Array(rows * rbm.nVisible);
  for (let r = 0; r < rows; r++) {
    for (let s = 0; s < rbm.nVisible; s += ref.size) {
      data.set(ref.states === undefined ? [rng.normal()] : ref.states[rng.int(0, ref.states.length - 1)], r * rbm.nVisible + s);
    }
  }
  return matrix(data, rows, rbm.nVisible);
}

const small = (rbm: RBM) => ({ ...rbm, ...rbm.params, visible: rbm.visible.name, hidden: rbm.hidden.name });
const rowOf = (m: Matrix, r: number): Float32Array => m.data.subarray(r * m.cols, (r + 1) * m.cols);

const hiddenTypes: UnitName[] = ['bernoulli', 'spin', 'softmax:3', 'gaussian', 'relu', 'binomial:2'];
const visibleTypes: UnitName[] = ['bernoulli', 'spin', 'softmax:3', 'binomial:2'];
const pairs = visibleTypes.flatMap((visible) => hiddenTypes.map((hidden) => [visible, hidden] as const));

describe.each(pairs)('an RBM with %s visible and %s hidden units', (visible, hidden) => {
  const rbm = randomRbm(6, 6, visible, hidden, 1);
  const ref = small(rbm);
  const v = randomVisible(rbm, 20, 2);

  it('free energy: the hidden groups summed out (enumeration) or integrated out (quadrature)', async () => {
    const f = await rbm.freeEnergy(v);
    expectAllClose(f, Array.from({ length: v.rows }, (_, r) => freeEnergyOfGeneral(ref, rowOf(v, r))), { atol: 1e-4, rtol: 1e-5 });
  });

  it('conditionals: transform gives E[h | v], reconstruct E[v | h = E[h | v]]', async () => {
    const h = await rbm.transform(v);
    const { reconstructions } = await rbm.reconstruct(v);
    for (let r = 0; r < v.rows; r++) {
      const hMean = layerMean(hidden, hiddenFieldOfGeneral(ref, rowOf(v, r)));
      expectAllClose(rowOf(h, r), hMean, { atol: 1e-5, rtol: 1e-5 });
      expectAllClose(rowOf(reconstructions, r), layerMean(visible, visibleFieldOfGeneral(ref, hMean)), { atol: 1e-5, rtol: 1e-5 });
    }
  });
});

describe.each([
  ['spin', 'bernoulli', 0.6],
  ['softmax:3', 'bernoulli', 0.6],
  // Gaussian hiddens couple the spins through J = W W^T: smaller weights keep the chains mixing in 60 steps.
  ['spin', 'gaussian', 0.3],
  ['bernoulli', 'softmax:2', 0.6],
  ['binomial:2', 'bernoulli', 0.6],
] as const)('long Gibbs chains of a %s-%s RBM', (visible, hidden, scale) => {
  it('visit each visible state with its exact probability exp(-F(v)) / Z', async () => {
    const rbm = randomRbm(visible === 'softmax:3' ? 6 : 4, 4, visible, hidden, 7, scale);
    const ref = small(rbm);
    const states = visibleStates(ref);
    const negF = states.map((s) => -freeEnergyOfGeneral(ref, s));
    const m = Math.max(...negF);
    const logZ = m + Math.log(negF.reduce((acc, x) => acc + Math.exp(x - m), 0));
    const chains = 20_000;
    const { samples } = await rbm.gibbs(randomVisible(rbm, chains, 3), { steps: 60, seed: 8 });
    const key = (x: ArrayLike<number>): string => Array.from(x).join(',');
    const counts = new Map<string, number>();
    for (let r = 0; r < chains; r++) counts.set(key(rowOf(samples, r)), (counts.get(key(rowOf(samples, r))) ?? 0) + 1);
    expect([...counts.keys()].every((k) => states.some((s) => key(s) === k))).toBe(true);
    states.forEach((s, i) => {
      const p = Math.exp(negF[i] - logZ);
      const frequency = (counts.get(key(s)) ?? 0) / chains;
      expect(Math.abs(frequency - p), `state ${key(s)}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / chains) + 1e-4);
    });
  });
});

describe('Gaussian hidden units: the RBM is a Hopfield network (Hubbard-Stratonovich)', () => {
  it('-F(v) = a.v + v^T J v / 2 + const with J = W W^T, for every visible state', async () => {
    const nVisible = 5;
    const nHidden = 3;
    const rbm = randomRbm(nVisible, nHidden, 'bernoulli', 'gaussian', 4, 0.8);
    rbm.params.hiddenBias.fill(0);
    const w = rbm.params.weights;
    const states = visibleStates(small(rbm));
    const v = matrix(Float32Array.from(states.flat()), states.length, nVisible);
    const f = await rbm.freeEnergy(v);
    const hopfield = states.map((s) => {
      let e = 0;
      for (let i = 0; i < nVisible; i++) {
        e += rbm.params.visibleBias[i] * s[i];
        for (let j = 0; j < nVisible; j++) {
          let jij = 0;
          for (let mu = 0; mu < nHidden; mu++) jij += w[i * nHidden + mu] * w[j * nHidden + mu];
          e += 0.5 * jij * s[i] * s[j];
        }
      }
      return e;
    });
    // The constant: each hidden unit's Gaussian integral, log sqrt(2 pi).
    const constant = nHidden * 0.5 * Math.log(2 * Math.PI);
    expectAllClose(Array.from(f, (x) => -x), hopfield.map((e) => e + constant), { atol: 1e-5, rtol: 1e-5 });
    // The couplings matter: the energies are not those of independent units.
    expect(Math.max(...hopfield) - Math.min(...hopfield)).toBeGreaterThan(1);
  });
});

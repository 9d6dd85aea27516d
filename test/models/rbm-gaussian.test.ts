import { describe, expect, it } from 'vitest';
import { exactLogPartition } from '../../src/estimators/exact-log-partition.js';
import { decodeRbm, encodeRbm } from '../../src/io/rbm-codec.js';
import { encodeSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import type { UnitName } from '../../src/units/index.js';
import { expectAllClose } from '../helpers/reference.js';
import {
  freeEnergyOfGeneral,
  gaussianBernoulliMixture,
  hiddenFieldOfGeneral,
  layerMean,
  logIntegral,
  visibleStdOf,
} from '../reference/units-exact.js';

const engine = createNodeEngine({ threads: 1 });

/** A Gaussian-visible RBM with stds from 0.3 to 2. */
function gaussianRbm(nVisible: number, nHidden: number, hidden: UnitName, seed: number, scale = 0.5): RBM {
  const rng = new RandomStream(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, visible: 'gaussian', hidden, seed, weightScale: scale });
  rbm.params.visibleBias.forEach((_, i, a) => (a[i] = rng.normal()));
  rbm.params.hiddenBias.forEach((_, i, a) => (a[i] = scale * rng.normal()));
  rbm.params.visibleLogStd!.forEach((_, i, a) => (a[i] = Math.log(0.3) + (Math.log(2 / 0.3) * i) / Math.max(1, nVisible - 1)));
  return rbm;
}

const small = (rbm: RBM) => ({ ...rbm, ...rbm.params, visible: rbm.visible.name, hidden: rbm.hidden.name });
const rowOf = (m: Matrix, r: number): Float32Array => m.data.subarray(r * m.cols, (r + 1) * m.cols);

function randomReal(rows: number, cols: number, seed: number): Matrix {
  const rng = new RandomStream(seed);
  return matrix(Float32Array.from({ length: rows * cols }, () => 1.5 * rng.normal()), rows, cols);
}

describe.each(['bernoulli', 'gaussian', 'softmax:2'] as const)('Gaussian visible units with learned std, %s hidden units', (hidden) => {
  const rbm = gaussianRbm(5, 4, hidden, 1);
  const ref = small(rbm);
  const v = randomReal(20, 5, 2);

  it('free energy: (v - a)^2 / (2 sigma^2) and the hidden units summed out with field b + W^T (v / sigma)', async () => {
    const f = await rbm.freeEnergy(v);
    // The library's a(v) drops the constant a^2 / (2 sigma^2) of -(v - a)^2 / (2 sigma^2): the same p(v).
    expectAllClose(f, Array.from({ length: v.rows }, (_, r) => freeEnergyOfGeneral(ref, rowOf(v, r))), { atol: 2e-4, rtol: 1e-5 });
  });

  it('conditionals: E[h | v] with field b + W^T (v / sigma); E[v | h] = a + sigma W h', async () => {
    const h = await rbm.transform(v);
    const { reconstructions } = await rbm.reconstruct(v);
    const std = visibleStdOf(ref);
    for (let r = 0; r < v.rows; r++) {
      const hMean = layerMean(hidden, hiddenFieldOfGeneral(ref, rowOf(v, r)));
      expectAllClose(rowOf(h, r), hMean, { atol: 1e-5, rtol: 1e-5 });
      const expected = std.map((s, i) => rbm.params.visibleBias[i] + s * hMean.reduce((acc, hm, mu) => acc + rbm.params.weights[i * 4 + mu] * hm, 0));
      expectAllClose(rowOf(reconstructions, r), expected, { atol: 1e-5, rtol: 1e-5 });
    }
  });
});

describe('a Gaussian-Bernoulli RBM is a mixture of Gaussians', () => {
  const rbm = gaussianRbm(3, 3, 'bernoulli', 5, 0.8);
  const ref = small(rbm);

  it('its free energy integrates to the exact log Z of the mixture (quadrature over v)', () => {
    // Check the reference itself in one dimension: integral exp(-F(v)) dv over v = log Z.
    const one = gaussianRbm(1, 3, 'bernoulli', 6, 0.8);
    const r1 = small(one);
    const logZ = logIntegral((x) => -freeEnergyOfGeneral(r1, [x]), -40, 40, 20000);
    expect(logZ).toBeCloseTo(gaussianBernoulliMixture(r1).logZ, 6);
  });

  it('exactLogPartition enumerates the hidden layer and integrates the Gaussian one: the mixture\'s log Z', async () => {
    expect(await exactLogPartition(rbm)).toBeCloseTo(gaussianBernoulliMixture(ref).logZ, 3);
    const wide = gaussianRbm(12, 6, 'bernoulli', 9, 0.4);
    expect(await exactLogPartition(wide)).toBeCloseTo(gaussianBernoulliMixture(small(wide)).logZ, 3);
  });

  it('long Gibbs chains reach its exact per-unit mean and variance', async () => {
    const chains = 20000;
    const { samples } = await rbm.gibbs(randomReal(chains, 3, 3), { steps: 100, seed: 4 });
    const { logWeights, means, logZ } = gaussianBernoulliMixture(ref);
    const std = visibleStdOf(ref);
    for (let i = 0; i < 3; i++) {
      let m = 0;
      let m2 = 0;
      logWeights.forEach((lw, k) => {
        const p = Math.exp(lw - logZ);
        m += p * means[k][i];
        m2 += p * (means[k][i] ** 2 + std[i] ** 2);
      });
      const variance = m2 - m * m;
      let sm = 0;
      let sm2 = 0;
      for (let r = 0; r < chains; r++) {
        sm += samples.data[r * 3 + i] / chains;
        sm2 += samples.data[r * 3 + i] ** 2 / chains;
      }
      expect(Math.abs(sm - m), `mean of unit ${i}`).toBeLessThan(5 * Math.sqrt(variance / chains));
      expect(Math.abs(sm2 - sm * sm - variance) / variance, `variance of unit ${i}`).toBeLessThan(0.05);
    }
  });
});

describe('exact log Z with Gaussian hidden units (Hopfield)', () => {
  it('enumerates the Bernoulli visible layer and integrates the Gaussian hiddens out', async () => {
    const rng = new RandomStream(3);
    const rbm = RBM.create(engine, { nVisible: 6, nHidden: 3, visible: 'bernoulli', hidden: 'gaussian', seed: 3, weightScale: 0.5 });
    rbm.params.visibleBias.forEach((_, i, a) => (a[i] = rng.normal()));
    const ref = small(rbm);
    const negF = Array.from({ length: 64 }, (_, s) => -freeEnergyOfGeneral(ref, Array.from({ length: 6 }, (_, i) => (s >> i) & 1)));
    const m = Math.max(...negF);
    expect(await exactLogPartition(rbm)).toBeCloseTo(m + Math.log(negF.reduce((acc, x) => acc + Math.exp(x - m), 0)), 3);
  });
});

describe('model files', () => {
  it('write and read visible_log_std with the unit types', () => {
    const rbm = gaussianRbm(4, 6, 'softmax:3', 7);
    const { rbm: back } = decodeRbm(engine, encodeRbm(rbm), 'x.safetensors');
    expect(back.visible.name).toBe('gaussian');
    expect(back.hidden.name).toBe('softmax:3');
    expect(back.params.visibleLogStd).toEqual(rbm.params.visibleLogStd);
  });

  it('refuse a Gaussian-visible file without visible_log_std', () => {
    const tensors: Record<string, NamedTensor> = {
      weights: { dtype: 'F32', shape: [4, 2], data: new Float32Array(8) },
      visible_bias: { dtype: 'F32', shape: [4], data: new Float32Array(4) },
      hidden_bias: { dtype: 'F32', shape: [2], data: new Float32Array(2) },
    };
    const bytes = encodeSafetensors(tensors, { format: 'boltzmann/1', kind: 'rbm', visible: 'gaussian', hidden: 'bernoulli' });
    expect(() => decodeRbm(engine, bytes, 'x.safetensors')).toThrow(/gaussian visible units need a tensor "visible_log_std" \[4\]/);
  });
});

import { describe, expect, it } from 'vitest';
import { RBM } from '../../src/models/rbm.js';
import { VISIBLE_LOG_STD } from '../../src/models/rbm-graph.js';
import { LOG_STD_RANGE } from '../../src/units/index.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { fit } from '../../src/training/fit.js';
import { stepNames } from '../../src/training/step-names.js';
import { gaussianBernoulliLogLikelihood } from '../reference/units-exact.js';
import { runStep } from '../helpers/step-feeds.js';

const engine = createNodeEngine({ threads: 2 });

function gaussianRbm(nVisible: number, nHidden: number, seed: number): RBM {
  const rng = new RandomStream(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, visible: 'gaussian', hidden: 'bernoulli', seed, weightScale: 0.6 });
  rbm.params.visibleBias.forEach((_, i, a) => (a[i] = 0.5 * rng.normal()));
  rbm.params.hiddenBias.forEach((_, i, a) => (a[i] = 0.5 * rng.normal()));
  rbm.params.visibleLogStd!.forEach((_, i, a) => (a[i] = 0.4 * rng.normal()));
  return rbm;
}

function realData(rows: number, cols: number, seed: number): Matrix {
  const rng = new RandomStream(seed);
  return matrix(Float32Array.from({ length: rows * cols }, (_, j) => 0.8 + (j % cols) * 0.3 + 1.3 * rng.normal()), rows, cols);
}

type Key = 'weights' | 'visibleBias' | 'hiddenBias' | 'visibleLogStd';
const keys: Key[] = ['weights', 'visibleBias', 'hiddenBias', 'visibleLogStd'];

/** The exact gradient of the mean log-likelihood by central differences in float64. */
function exactGradient(rbm: RBM, data: Matrix): Record<Key, Float64Array> {
  const base = { ...rbm, visible: 'gaussian', hidden: 'bernoulli' };
  const params: Record<Key, Float64Array> = {
    weights: Float64Array.from(rbm.params.weights),
    visibleBias: Float64Array.from(rbm.params.visibleBias),
    hiddenBias: Float64Array.from(rbm.params.hiddenBias),
    visibleLogStd: Float64Array.from(rbm.params.visibleLogStd!),
  };
  const ll = (): number => gaussianBernoulliLogLikelihood({ ...base, ...params }, data.data, data.rows);
  const eps = 1e-5;
  const out = {} as Record<Key, Float64Array>;
  for (const key of keys) {
    out[key] = params[key].map((x, i) => {
      params[key][i] = x + eps;
      const up = ll();
      params[key][i] = x - eps;
      const down = ll();
      params[key][i] = x;
      return (up - down) / (2 * eps);
    });
  }
  return out;
}

/**
 * One PCD-1 step from equilibrated chains with a small learning rate (log sigma stays inside its clamp) and no
 * momentum: the change over the rate is the gradient estimate.
 */
const LEARNING_RATE = 1e-3;

async function stepEstimate(rbm: RBM, data: Matrix, chains: Matrix): Promise<Record<Key, Float32Array>> {
  const { change } = await runStep(rbm, data, { state: { [stepNames.chains]: chains }, learningRate: LEARNING_RATE });
  return { weights: change('weights'), visibleBias: change('visible_bias'), hiddenBias: change('hidden_bias'), visibleLogStd: change(VISIBLE_LOG_STD) };
}

describe('Gaussian visible units: the training step estimates the exact gradient', () => {
  it('PCD with equilibrated chains gives d log p / d (W, a, b, log sigma) of the exact mixture likelihood', async () => {
    const rbm = gaussianRbm(3, 3, 3);
    const data = realData(50, 3, 4);
    const start = realData(200_000, 3, 5);
    const { samples } = await rbm.gibbs(start, { steps: 100, seed: 6 });
    const estimate = await stepEstimate(rbm, data, samples);
    const exact = exactGradient(rbm, data);
    for (const key of keys) {
      const worst = Math.max(...estimate[key].map((x, i) => Math.abs(x - exact[key][i])));
      expect(worst, key).toBeLessThan(0.03);
    }
    // The log-std gradient is not trivially small: the comparison has something to detect.
    expect(Math.max(...exact.visibleLogStd.map(Math.abs))).toBeGreaterThan(0.3);
  });
});

describe('fitting a Gaussian-Bernoulli RBM', () => {
  it('starts from the data mean and std, learns the stds, stays finite and keeps log sigma in range', async () => {
    const rbm = gaussianRbm(3, 4, 8);
    rbm.params.visibleLogStd!.fill(0);
    const data = realData(400, 3, 9);
    const before = await rbm.freeEnergy(data);
    await fit(rbm, data, { epochs: 5, batchSize: 20, learningRate: 0.01, seed: 1, monitorSize: 100 });
    const logStd = Array.from(rbm.params.visibleLogStd!);
    expect(logStd.every((s) => Number.isFinite(s) && s >= LOG_STD_RANGE.min && s <= LOG_STD_RANGE.max)).toBe(true);
    // The data's stds are about 1.3: log sigma moved from 0 towards log 1.3 = 0.26 (and below it, the hiddens explaining some variance).
    expect(logStd.some((s) => Math.abs(s) > 0.01)).toBe(true);
    const after = await rbm.freeEnergy(data);
    expect(after.every(Number.isFinite)).toBe(true);
    expect(before.length).toBe(after.length);
  });
});

describe('a finite blow-up', () => {
  it('stops training with a DivergenceError and keeps the last good parameters, though every parameter is finite', async () => {
    // Gaussian units at learning rate 1 on data with rare large values: reconstruction errors near 1e20 with
    // finite parameters (biases near 1e9), which the NaN check alone lets through.
    const rng = new RandomStream(1);
    const cols = 20;
    const data = matrix(Float32Array.from({ length: 400 * cols }, (_, j) => (j % cols < 3 ? (rng.uniform() < 0.01 ? 10 : 0) : rng.normal())), 400, cols);
    const rbm = RBM.create(engine, { nVisible: cols, nHidden: 8, visible: 'gaussian', hidden: 'bernoulli', seed: 1 });
    const epochs: number[] = [];
    const run = fit(rbm, data, { epochs: 5, batchSize: 20, learningRate: 1, seed: 1, monitorSize: 100 }, { onEpoch: (r) => void epochs.push(r.epoch) });
    await expect(run).rejects.toThrow(/diverged in epoch \d \(reconstruction error .* times the data's variance\)/);
    expect(rbm.epochsTrained).toBe(epochs.length);
    expect(Math.max(...Array.from(rbm.params.visibleBias, Math.abs))).toBeLessThan(1e3);
    // At a sane rate the same run trains through.
    const calm = RBM.create(engine, { nVisible: cols, nHidden: 8, visible: 'gaussian', hidden: 'bernoulli', seed: 1 });
    await expect(fit(calm, data, { epochs: 5, batchSize: 20, learningRate: 0.01, seed: 1, monitorSize: 100 })).resolves.toHaveLength(5);
  });
});

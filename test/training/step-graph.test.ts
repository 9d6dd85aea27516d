import { describe, expect, it } from 'vitest';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { stepNames } from '../../src/training/step-names.js';
import { cdStatistics, dataStatistics, modelStatistics, type Statistics } from '../reference/rbm-exact.js';
import { runStep } from '../helpers/step-feeds.js';

const engine = createNodeEngine({ threads: 2 });

function randomRbm(nVisible: number, nHidden: number, seed: number): RBM {
  const rng = new RandomStream(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, seed, weightScale: 0.7 });
  for (let i = 0; i < nVisible; i++) rbm.params.visibleBias[i] = 0.5 * rng.normal();
  for (let mu = 0; mu < nHidden; mu++) rbm.params.hiddenBias[mu] = 0.5 * rng.normal();
  return rbm;
}

function randomBinary(rows: number, cols: number, seed: number): Matrix {
  const rng = new RandomStream(seed);
  return matrix(Float32Array.from({ length: rows * cols }, () => (rng.uniform() < 0.35 ? 1 : 0)), rows, cols);
}

/**
 * One step with learning rate 1, no momentum and no decay: the parameter change is the step's estimate of
 * the log-likelihood gradient <O>_data - <O>_model.
 */
async function gradientEstimate(rbm: RBM, data: Matrix, k: number, chains?: Matrix): Promise<Record<string, Float32Array>> {
  const { change } = await runStep(rbm, data, { spec: { k }, state: chains && { [stepNames.chains]: chains } });
  return { weights: change('weights'), visibleBias: change('visible_bias'), hiddenBias: change('hidden_bias') };
}

/** The estimate against <O>_data - <O>_negative, by default the exact gradient (the negative phase under the model). */
function expectGradient(estimate: Record<string, Float32Array>, rbm: RBM, data: Matrix, tolerance: number, negative: Statistics = modelStatistics({ ...rbm, ...rbm.params })): void {
  const small = { ...rbm, ...rbm.params };
  const positive = dataStatistics(small, data.data, data.rows);
  const exact = {
    weights: positive.vh.map((x, i) => x - negative.vh[i]),
    visibleBias: positive.v.map((x, i) => x - negative.v[i]),
    hiddenBias: positive.h.map((x, i) => x - negative.h[i]),
  };
  for (const key of ['weights', 'visibleBias', 'hiddenBias'] as const) {
    const worst = Math.max(...estimate[key].map((x, i) => Math.abs(x - exact[key][i])));
    expect(worst, key).toBeLessThan(tolerance);
  }
  // The gradient is not trivially small: the comparison has something to detect.
  expect(Math.max(...exact.weights.map(Math.abs))).toBeGreaterThan(5 * tolerance);
}

describe('the training step estimates the exact log-likelihood gradient', () => {
  const nVisible = 9;
  const nHidden = 6;
  const rbm = randomRbm(nVisible, nHidden, 3);
  const data = randomBinary(40, nVisible, 4);
  // 1000 copies of the data (a long-chain minibatch, or PCD's chains)
  const many = matrix(Float32Array.from({ length: 1000 * data.data.length }, (_, i) => data.data[i % data.data.length]), 1000 * data.rows, nVisible);

  it('PCD: equilibrated persistent chains give <O>_data - <O>_model', async () => {
    const start = randomBinary(40000, nVisible, 5);
    const { samples } = await rbm.gibbs(start, { steps: 100, seed: 6 });
    expectGradient(await gradientEstimate(rbm, data, 1, samples), rbm, data, 0.015);
  });

  it('CD-k with long chains from the data approaches the same gradient', async () => {
    expectGradient(await gradientEstimate(rbm, many, 60), rbm, data, 0.015);
  });

  it('CD-k and PCD-k: the negative phase is v_k after exactly k sweeps from the data (CD) or the chains (PCD)', async () => {
    // `many` as the CD minibatch and as PCD's chains: each statistic averages 40,000 draws, a standard error
    // under 0.0025.
    const tolerance = 0.0125;
    const small = { ...rbm, ...rbm.params };
    for (const k of [1, 2]) {
      const exact = cdStatistics(small, data.data, data.rows, k);
      // k and k + 1 sweeps differ by more than the tolerance: one sweep too many or too few fails
      const next = cdStatistics(small, data.data, data.rows, k + 1);
      expect(Math.max(...exact.vh.map((x, i) => Math.abs(x - next.vh[i]))), `CD-${k} against CD-${k + 1}`).toBeGreaterThan(1.5 * tolerance);
      expectGradient(await gradientEstimate(rbm, many, k), rbm, data, tolerance, exact);
      expectGradient(await gradientEstimate(rbm, data, k, many), rbm, data, tolerance, exact);
    }
  });

  it('CD-1 is biased: from the data its estimate differs from the exact gradient', async () => {
    const estimate = await gradientEstimate(rbm, many, 1);
    expect(() => expectGradient(estimate, rbm, data, 0.015)).toThrow();
  });
});

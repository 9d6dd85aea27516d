/**
 * Forward and reverse AIS against exact log Z and log-likelihoods: exact values of the estimators' targets on
 * a tiny model, accuracy with the standard schedule on a random and a trained model, the sandwich, seeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barsAndStripes } from '../../src/data/bars-and-stripes.js';
import { UserError } from '../../src/errors.js';
import { annealedImportanceSampling } from '../../src/estimators/ais.js';
import { baseRateBiases, logMeanExpWithError, resolveSchedule, standardSchedule } from '../../src/estimators/annealing.js';
import { exactLogLikelihood, exactLogPartition } from '../../src/estimators/exact-log-partition.js';
import { reverseAnnealedImportanceSampling } from '../../src/estimators/reverse-ais.js';
import { RBM } from '../../src/models/rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { fit } from '../../src/training/fit.js';
import { expectAllClose, randomFloat32, seededRandom } from '../helpers/reference.js';
import { exactLogZ } from '../reference/rbm-exact.js';

const engine = createNodeEngine({ threads: 2 });
afterAll(() => engine.dispose());

function randomRbm(nVisible: number, nHidden: number, seed: number, scale: number): RBM {
  const rand = seededRandom(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, seed, weightScale: scale });
  rbm.params.visibleBias.set(randomFloat32(nVisible, rand));
  rbm.params.hiddenBias.set(randomFloat32(nHidden, rand));
  return rbm;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * The exact distributions behind the estimators on a tiny Bernoulli RBM, by enumeration in float64: the
 * Gibbs kernel T_beta(v' | v) = sum_h p_beta(h | v) p_beta(v' | h) of the annealing path and the model
 * q = p_0 T_1 ... T_K that forward AIS samples from (and whose log-density reverse AIS bounds).
 */
function fantasyModel(rbm: RBM, baseBias: Float32Array, betas: readonly number[]): Float64Array {
  const { nVisible: n, nHidden: m, params } = rbm;
  const states = (k: number) => Array.from({ length: 2 ** k }, (_, s) => Array.from({ length: k }, (_, j) => (s >> j) & 1));
  const vs = states(n);
  const hs = states(m);
  const bernoulliProb = (x: number[], fields: number[]) => x.reduce((p, xi, i) => p * (xi === 1 ? sigmoid(fields[i]) : 1 - sigmoid(fields[i])), 1);
  const kernel = (beta: number) =>
    vs.map((v) => {
      const hFields = Array.from({ length: m }, (_, mu) => beta * (params.hiddenBias[mu] + v.reduce((s, vi, i) => s + vi * params.weights[i * m + mu], 0)));
      const row = new Float64Array(vs.length);
      for (const h of hs) {
        const ph = bernoulliProb(h, hFields);
        const vFields = Array.from({ length: n }, (_, i) => (1 - beta) * baseBias[i] + beta * (params.visibleBias[i] + h.reduce((s, hm, mu) => s + hm * params.weights[i * m + mu], 0)));
        vs.forEach((v2, j) => (row[j] += ph * bernoulliProb(v2, vFields)));
      }
      return row;
    });
  let q = Float64Array.from(vs, (v) => bernoulliProb(v, Array.from(baseBias)));
  for (const beta of betas.slice(1)) {
    const t = kernel(beta);
    const next = new Float64Array(vs.length);
    q.forEach((qi, i) => t[i].forEach((tij, j) => (next[j] += qi * tij)));
    q = next;
  }
  return q;
}

describe('the annealing schedule and the base-rate model', () => {
  it('the standard schedule: 14,500 steps of 1e-3 to 0.5, 1e-4 to 0.9, 1e-5 to 1', () => {
    const b = standardSchedule();
    expect(b.length).toBe(14_501);
    expect([b[0], b[500], b[4500], b[14_500]]).toEqual([0, 0.5, 0.9, 1]);
    expect(b[1]).toBeCloseTo(1e-3, 12);
    expect(b[501] - b[500]).toBeCloseTo(1e-4, 12);
    expect(b[14_500] - b[14_499]).toBeCloseTo(1e-5, 12);
    expect(b.every((x, i) => i === 0 || x > b[i - 1])).toBe(true);
  });

  it('other lengths keep the three stretches in proportion; explicit schedules are checked', () => {
    const b = standardSchedule(1450);
    expect(b.length).toBe(1451);
    expect([b[0], b[50], b[450], b[1450]]).toEqual([0, 0.5, 0.9, 1]);
    expect(Array.from(standardSchedule(1))).toEqual([0, 1]);
    expect(standardSchedule(3).every((x, i, a) => i === 0 || x > a[i - 1])).toBe(true);
    expect(Array.from(resolveSchedule([0, 0.25, 1]))).toEqual([0, 0.25, 1]);
    for (const bad of [[0.1, 1], [0, 0.9], [0, 0.5, 0.5, 1], [0]]) expect(() => resolveSchedule(bad)).toThrow(UserError);
    expect(() => standardSchedule(0)).toThrow(UserError);
  });

  it('base-rate biases: the log-odds of the column means shrunk toward 1/2, finite for constant columns', () => {
    const data = { data: Float32Array.of(1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1), rows: 4, cols: 3 };
    const b = baseRateBiases(data, 0.05);
    const expected = [1, 0, 0.75].map((p) => (p + 0.05) / 1.1).map((p) => Math.log(p / (1 - p)));
    b.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
    expect(b.every(Number.isFinite)).toBe(true);
  });

  it('log mean exp with its error: log(mean w -+ 3 se) of the weights, unbounded below when mean - 3 se <= 0', () => {
    // w = e^x = (1, 2, 3, 4) e^-1: mean 2.5/e, sample variance 5/3 / e^2, se sqrt(5/12)/e.
    const even = logMeanExpWithError([0, Math.log(2), Math.log(3), Math.log(4)].map((x) => x - 1));
    const se = Math.sqrt(5 / 12);
    expect(even.estimate).toBeCloseTo(Math.log(2.5) - 1, 12);
    expect(even.low).toBeCloseTo(Math.log(2.5 - 3 * se) - 1, 12);
    expect(even.high).toBeCloseTo(Math.log(2.5 + 3 * se) - 1, 12);
    expect(even.stdErr).toBeCloseTo(se / 2.5, 12);
    // One weight holds nearly all: mean 1/4, se nearly 1/4.
    const skewed = logMeanExpWithError([0, -50, -50, -50]);
    expect(skewed.low).toBe(-Infinity);
    expect(skewed.high).toBeCloseTo(Math.log(1), 6);
    expect(logMeanExpWithError([3]).stdErr).toBe(Infinity);
  });
});

describe('the estimators target exactly Z and q(v) (tiny model, short schedule, many chains)', () => {
  const rbm = randomRbm(3, 2, 11, 1);
  const baseBias = Float32Array.of(0.5, -1, 0.25);
  const betas = [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1];

  it('forward AIS: mean w Z_0 is unbiased for Z, whatever the schedule', async () => {
    const logZ = exactLogZ({ nVisible: 3, nHidden: 2, ...rbm.params });
    const r = await annealedImportanceSampling(rbm, { chains: 20_000, betas, baseRate: baseBias, seed: 1 });
    expect(Math.abs(r.logZ - logZ)).toBeLessThan(4 * r.logZStdErr);
    expect(r.logZStdErr).toBeLessThan(0.02);
  });

  it('forward AIS: its final states are samples of q = p_0 T_1 ... T_K', async () => {
    const q = fantasyModel(rbm, baseBias, betas);
    const r = await annealedImportanceSampling(rbm, { chains: 20_000, betas, baseRate: baseBias, seed: 2 });
    const counts = new Float64Array(8);
    for (let c = 0; c < r.samples.rows; c++) counts[r.samples.data[c * 3] + 2 * r.samples.data[c * 3 + 1] + 4 * r.samples.data[c * 3 + 2]] += 1 / r.samples.rows;
    q.forEach((qi, s) => expect(Math.abs(counts[s] - qi)).toBeLessThan(4 * Math.sqrt((qi * (1 - qi)) / 20_000) + 1e-3));
  });

  it('reverse AIS: mean w is unbiased for q(v), so log mean w tends to log q(v) per example', async () => {
    const q = fantasyModel(rbm, baseBias, betas);
    const states = { data: Float32Array.from({ length: 24 }, (_, i) => (Math.floor(i / 3) >> i % 3) & 1), rows: 8, cols: 3 };
    const r = await reverseAnnealedImportanceSampling(rbm, states, { chainsPerExample: 20_000, betas, baseRate: baseBias, seed: 3 });
    expect(Array.from(r.examples)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    r.perExample.forEach((logQ, s) => expect(Math.abs(logQ - Math.log(q[s])), `state ${s}`).toBeLessThan(0.02));
    expect(Math.abs(r.perExample.reduce((a, x) => a + Math.exp(x), 0) - 1)).toBeLessThan(0.01);
  });
});

describe('accuracy with the standard schedule and the sandwich', () => {
  const data = barsAndStripes(5).examples;
  let trained: RBM;
  let exact: { logZ: number; logLikelihood: number };

  beforeAll(async () => {
    trained = RBM.create(engine, { nVisible: 25, nHidden: 20, seed: 1 });
    await fit(trained, data, { epochs: 500, batchSize: 10, learningRate: 0.1, sampler: 'cd', k: 5, seed: 1, monitorSize: 1 });
    exact = await exactLogLikelihood(trained, data);
  });

  it('a random 16 x 20 RBM: AIS (100 runs, 14,500 betas) within 4 se of the exact log Z', async () => {
    const rbm = randomRbm(16, 20, 3, 1);
    const logZ = await exactLogPartition(rbm);
    const r = await annealedImportanceSampling(rbm, { seed: 1 });
    expect(r.steps).toBe(14_500);
    expect(r.logWeights.length).toBe(100);
    expect(r.logZStdErr).toBeLessThan(0.05);
    expect(Math.abs(r.logZ - logZ)).toBeLessThan(4 * r.logZStdErr);
    expect(r.logZLow).toBeLessThan(logZ);
    expect(r.logZHigh).toBeGreaterThan(logZ);
  });

  it('a trained 25 x 20 RBM (bars and stripes 5 x 5): AIS within 4 se, exact inside +-3 se', async () => {
    expect(exact.logLikelihood).toBeGreaterThan(-7); // trained: uniform would be -25 log 2 = -17.3
    const r = await annealedImportanceSampling(trained, { seed: 1, baseRate: data });
    expect(r.logZStdErr).toBeLessThan(0.1);
    expect(Math.abs(r.logZ - exact.logZ)).toBeLessThan(4 * r.logZStdErr);
    expect(r.logZLow).toBeLessThan(exact.logZ);
    expect(r.logZHigh).toBeGreaterThan(exact.logZ);
  });

  it('a fitted base rate on data of unequal pixel means: the biases and log Z_0 it uses, and log Z within 4 se', async () => {
    // Pixels on with probabilities from 0.05 to 0.95, so the fitted base rate is far from the uniform one.
    const rand = seededRandom(31);
    const nVisible = 12;
    const p = Array.from({ length: nVisible }, (_, i) => 0.05 + (0.9 * i) / (nVisible - 1));
    const skewed = { data: Float32Array.from({ length: 300 * nVisible }, (_, k) => (rand() < p[k % nVisible] ? 1 : 0)), rows: 300, cols: nVisible };
    const rbm = RBM.create(engine, { nVisible, nHidden: 10, seed: 2 });
    await fit(rbm, skewed, { epochs: 100, batchSize: 20, learningRate: 0.1, sampler: 'cd', seed: 2, monitorSize: 1 });
    const r = await annealedImportanceSampling(rbm, { seed: 1, baseRate: skewed });
    const means = Array.from({ length: nVisible }, (_, i) => skewed.data.filter((_, k) => k % nVisible === i).reduce((a, b) => a + b, 0) / skewed.rows);
    const biases = means.map((m) => (m + 0.05) / 1.1).map((q) => Math.log(q / (1 - q)));
    expectAllClose(r.baseBias, biases, { atol: 1e-5, rtol: 1e-5 }, 'base-rate biases');
    expect(Math.max(...biases) - Math.min(...biases)).toBeGreaterThan(4);
    expect(r.baseLogZ).toBeCloseTo(biases.reduce((a, b) => a + Math.log1p(Math.exp(b)), 0) + 10 * Math.LN2, 4);
    const logZ = await exactLogPartition(rbm);
    expect(r.logZStdErr).toBeLessThan(0.05);
    expect(Math.abs(r.logZ - logZ)).toBeLessThan(4 * r.logZStdErr);
  });

  it('short annealing: AIS is optimistic and reverse AIS conservative, on either side of the exact log-likelihood', async () => {
    const betas = 30;
    const forward = await annealedImportanceSampling(trained, { betas, seed: 1 });
    const reverse = await reverseAnnealedImportanceSampling(trained, data, { betas, seed: 1, examples: data.rows });
    const optimistic = reverse.meanNegFreeEnergy - forward.logZ;
    expect(reverse.logLikelihood).toBeLessThan(exact.logLikelihood - 0.3);
    expect(optimistic).toBeGreaterThan(exact.logLikelihood);
  });

  it('longer annealing (1,000 betas): both within 0.2 nats, and their +-3 se intervals sandwich the exact value', async () => {
    const betas = 1000;
    const forward = await annealedImportanceSampling(trained, { betas, seed: 2 });
    const reverse = await reverseAnnealedImportanceSampling(trained, data, { betas, seed: 2, examples: data.rows, chainsPerExample: 5 });
    expect(Math.abs(reverse.meanNegFreeEnergy - forward.logZ - exact.logLikelihood)).toBeLessThan(0.2);
    expect(Math.abs(reverse.logLikelihood - exact.logLikelihood)).toBeLessThan(0.2);
    expect(reverse.logLikelihoodLow).toBeLessThan(exact.logLikelihood);
    expect(reverse.meanNegFreeEnergy - forward.logZLow).toBeGreaterThan(exact.logLikelihood);
    // The log Z that reverse AIS implies errs high, AIS's low: mean(-F) is common to both.
    expect(reverse.logZ).toBeCloseTo(reverse.meanNegFreeEnergy - reverse.logLikelihood, 10);
  });

  it('reverse AIS on a subset: the examples chosen by the seed, the estimate extrapolated to all rows', async () => {
    const r = await reverseAnnealedImportanceSampling(trained, data, { betas: 300, examples: 20, chainsPerExample: 4, seed: 5 });
    expect(r.examples.length).toBe(20);
    expect(new Set(r.examples).size).toBe(20);
    expect(Array.from(r.examples)).toEqual(Array.from(r.examples).sort((a, b) => a - b));
    expect(Math.abs(r.logLikelihood - exact.logLikelihood)).toBeLessThan(Math.max(0.5, 4 * r.stdErr));
    const again = await reverseAnnealedImportanceSampling(trained, data, { betas: 300, examples: 20, chainsPerExample: 4, seed: 5 });
    expect(Array.from(again.examples)).toEqual(Array.from(r.examples));
    expect(again.logLikelihood).toBe(r.logLikelihood);
  });
});

describe('seeds and options', () => {
  const rbm = randomRbm(10, 8, 9, 1);

  it('the same seed gives the same log-weights; another seed, others (block size does not matter for validity)', async () => {
    const a = await annealedImportanceSampling(rbm, { betas: 200, chains: 20, seed: 4 });
    const b = await annealedImportanceSampling(rbm, { betas: 200, chains: 20, seed: 4 });
    const c = await annealedImportanceSampling(rbm, { betas: 200, chains: 20, seed: 5 });
    expect(Array.from(b.logWeights)).toEqual(Array.from(a.logWeights));
    expect(Array.from(c.logWeights)).not.toEqual(Array.from(a.logWeights));
    const logZ = await exactLogPartition(rbm);
    for (const blockSize of [1, 7, 200]) {
      const r = await annealedImportanceSampling(rbm, { betas: 200, chains: 200, seed: 6, blockSize });
      expect(Math.abs(r.logZ - logZ)).toBeLessThan(Math.max(0.1, 4 * r.logZStdErr));
    }
  });

  it('rejects bad options with UserErrors', async () => {
    await expect(annealedImportanceSampling(rbm, { chains: 0 })).rejects.toThrow(UserError);
    await expect(annealedImportanceSampling(rbm, { betas: [0, 0.5] })).rejects.toThrow(/from 0 to 1/);
    await expect(annealedImportanceSampling(rbm, { baseRate: new Float32Array(3) })).rejects.toThrow(/3 visible biases.*10 visible units/);
    const data = { data: new Float32Array(12), rows: 1, cols: 12 };
    await expect(reverseAnnealedImportanceSampling(rbm, data)).rejects.toThrow(/12 features.*10 visible units/);
    await expect(reverseAnnealedImportanceSampling(rbm, { data: new Float32Array(0), rows: 0, cols: 10 })).rejects.toThrow(/no examples/);
  });
});

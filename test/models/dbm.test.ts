/**
 * The DBM against float64 enumeration of every state (v, h1, h2) of a tiny 5-4-3 machine: the mean-field
 * fixed point satisfies its equations, log Z of the bipartite RBM is the DBM's (exactly, and by AIS within
 * 0.5 nats), the variational bound lies below the exact log-likelihood and rises with the sweeps, samples
 * follow p(v); joint training raises the bound on bars and stripes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { barsAndStripes } from '../../src/data/bars-and-stripes.js';
import { annealedImportanceSampling } from '../../src/estimators/ais.js';
import { baseRateBiases } from '../../src/estimators/annealing.js';
import { exactLogPartition } from '../../src/estimators/exact-log-partition.js';
import { DBM } from '../../src/models/dbm.js';
import { fitDbm } from '../../src/training/fit-dbm.js';
import { pretrainDbm, pretrainingUnits } from '../../src/training/dbm-pretrain.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import type { Matrix } from '../../src/tensor/matrix.js';
import { randomBinary } from '../helpers/random-data.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const bits = (n: number, s: number): number[] => Array.from({ length: n }, (_, i) => (s >> i) & 1);

function randomDbm(sizes: number[], seed: number, scale = 1): DBM {
  const rng = new RandomStream(seed);
  const dbm = DBM.create(engine, { sizes, seed, weightScale: scale });
  for (const b of dbm.params.biases) b.forEach((_, i, a) => (a[i] = scale * rng.normal()));
  return dbm;
}

/** -E(x) in float64 for layers x = [v, h1, h2, ...]. */
function negEnergy(dbm: DBM, x: number[][]): number {
  let s = 0;
  x.forEach((xl, l) => xl.forEach((xi, i) => (s += xi * dbm.params.biases[l][i])));
  for (let l = 0; l + 1 < x.length; l++) {
    const n = dbm.sizes[l + 1];
    x[l].forEach((xi, i) => {
      if (xi !== 0) x[l + 1].forEach((xj, j) => (s += xi * xj * dbm.params.weights[l][i * n + j]));
    });
  }
  return s;
}

const logSumExp = (xs: number[]): number => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

/** log Z and log p(v) of a 3-layer DBM by enumerating every state. */
function exactDbm(dbm: DBM) {
  const [n0, n1, n2] = dbm.sizes;
  const logUnnorm = (v: number[]) => {
    const terms: number[] = [];
    for (let a = 0; a < 2 ** n1; a++) for (let b = 0; b < 2 ** n2; b++) terms.push(negEnergy(dbm, [v, bits(n1, a), bits(n2, b)]));
    return logSumExp(terms);
  };
  const logZ = logSumExp(Array.from({ length: 2 ** n0 }, (_, s) => logUnnorm(bits(n0, s))));
  return { logZ, logP: (v: ArrayLike<number>) => logUnnorm(Array.from(v)) - logZ };
}

const rowOf = (m: Matrix, r: number): number[] => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols));

describe('DBM against exact enumeration (5-4-3)', () => {
  const dbm = randomDbm([5, 4, 3], 1);
  const exact = exactDbm(dbm);
  const v = randomBinary(30, 5, 2);

  it('the mean-field fixed point satisfies mu1 = sigmoid(b1 + v W0 + mu2 W1^T), mu2 = sigmoid(b2 + mu1 W1)', async () => {
    const [mu1, mu2] = await dbm.meanField(v, 200);
    const [W0, W1] = dbm.params.weights;
    const [, b1, b2] = dbm.params.biases;
    let worst = 0;
    for (let r = 0; r < v.rows; r++) {
      const x = rowOf(v, r);
      const m1 = rowOf(mu1, r);
      const m2 = rowOf(mu2, r);
      for (let j = 0; j < 4; j++) {
        let f = b1[j];
        for (let i = 0; i < 5; i++) f += x[i] * W0[i * 4 + j];
        for (let k = 0; k < 3; k++) f += m2[k] * W1[j * 3 + k];
        worst = Math.max(worst, Math.abs(sigmoid(f) - m1[j]));
      }
      for (let k = 0; k < 3; k++) {
        let f = b2[k];
        for (let j = 0; j < 4; j++) f += m1[j] * W1[j * 3 + k];
        worst = Math.max(worst, Math.abs(sigmoid(f) - m2[k]));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('reconstruct is the visible conditional mean sigmoid(b0 + W0 mu1) of the mean-field means', async () => {
    const v = randomBinary(12, 5, 8);
    const [mu1] = await dbm.meanField(v, 30);
    const { reconstructions, squaredErrors } = await dbm.reconstruct(v, 30);
    const [n0, n1] = dbm.sizes;
    for (let r = 0; r < v.rows; r++) {
      let error = 0;
      for (let i = 0; i < n0; i++) {
        let field = dbm.params.biases[0][i];
        for (let j = 0; j < n1; j++) field += dbm.params.weights[0][i * n1 + j] * mu1.data[r * n1 + j];
        expect(reconstructions.data[r * n0 + i]).toBeCloseTo(sigmoid(field), 5);
        error += (v.data[r * n0 + i] - sigmoid(field)) ** 2;
      }
      expect(squaredErrors[r]).toBeCloseTo(error, 4);
    }
  });

  it('log Z of the bipartite RBM is the DBM log Z: exactly, and by AIS within 0.5 nats', async () => {
    const rbm = dbm.bipartiteRbm();
    expect([rbm.nVisible, rbm.nHidden]).toEqual([4, 8]);
    expect(await exactLogPartition(rbm)).toBeCloseTo(exact.logZ, 3);
    const ais = await annealedImportanceSampling(rbm, { betas: 2000, chains: 100, baseRate: baseRateBiases(await dbm.oddMeans(v)) });
    expect(Math.abs(ais.logZ - exact.logZ)).toBeLessThan(0.5);
  });

  it('the variational bound is below the exact log-likelihood and rises with mean-field sweeps', async () => {
    const bound = await dbm.variationalBound(v, exact.logZ, 50);
    const upPass = await dbm.variationalBound(v, exact.logZ, 0);
    let gap = 0;
    for (let r = 0; r < v.rows; r++) {
      const logP = exact.logP(rowOf(v, r));
      expect(bound[r]).toBeLessThanOrEqual(logP + 1e-4);
      expect(bound[r]).toBeGreaterThanOrEqual(upPass[r] - 1e-4);
      gap += (logP - bound[r]) / v.rows;
    }
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(2);
  });

  it('samples follow the exact marginal p(v): every state within 5 se', async () => {
    const count = 4000;
    const { samples } = await dbm.sample(count, { steps: 100, seed: 3 });
    // The frequency of every joint state, not only each unit's mean: wrong correlations between units fail.
    const frequency = new Float64Array(32);
    for (let r = 0; r < count; r++) {
      let state = 0;
      for (let i = 0; i < 5; i++) state += samples.data[r * 5 + i] << i;
      frequency[state] += 1 / count;
    }
    for (let s = 0; s < 32; s++) {
      const p = Math.exp(exact.logP(bits(5, s)));
      expect(Math.abs(frequency[s] - p), `state ${s}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / count) + 1e-4);
    }
  });
});

describe('joint training', () => {
  it.each([
    ['pcd', { centering: false }],
    ['pcd, centred', { centering: true }],
    ['fpcd', { sampler: 'fpcd' as const }],
    ['pt', { sampler: 'pt' as const, temperatures: 3 }],
  ])('%s with a mean-field positive phase raises the bound on bars and stripes', async (_name, sampling) => {
    const data = barsAndStripes(3).examples;
    const dbm = DBM.create(engine, { sizes: [9, 8, 4], seed: 1, weightScale: 0.1 });
    const boundOf = async (d: DBM) => {
      const b = await d.variationalBound(data, await exactLogPartition(d.bipartiteRbm()));
      return b.reduce((a, x) => a + x, 0) / b.length;
    };
    const before = await boundOf(dbm);
    const records = await fitDbm(dbm, data, { epochs: 300, batchSize: 2, learningRate: 0.05, chains: 20, seed: 2, ...sampling });
    expect(records).toHaveLength(300);
    expect(records.at(-1)!.chainAutocorrelationTime).toBeGreaterThan(0);
    expect(records.at(-1)!.swapRates?.length).toBe('temperatures' in sampling ? 2 : undefined);
    expect(dbm.epochsTrained).toBe(300);
    const after = await boundOf(dbm);
    expect(after).toBeGreaterThan(before + 1);
  });
});

describe('layer-wise pretraining (weight doubling)', () => {
  it('pretrainDbm composes a DBM whose bound beats a fresh one, and joint training goes on from it', async () => {
    const data = barsAndStripes(3).examples;
    const boundOf = async (d: DBM) => {
      const b = await d.variationalBound(data, await exactLogPartition(d.bipartiteRbm()));
      return b.reduce((a, x) => a + x, 0) / b.length;
    };
    const dbm = await pretrainDbm(engine, [9, 8, 4], data, { epochs: 200, batchSize: 2, learningRate: 0.1, chains: 20, k: 1, seed: 4 });
    expect(dbm.sizes).toEqual([9, 8, 4]);
    const fresh = await boundOf(DBM.create(engine, { sizes: [9, 8, 4], seed: 1, weightScale: 0.1 }));
    const pretrained = await boundOf(dbm);
    expect(pretrained).toBeGreaterThan(fresh + 1);
    await fitDbm(dbm, data, { epochs: 100, batchSize: 2, learningRate: 0.02, chains: 20, seed: 5 });
    expect(await boundOf(dbm)).toBeGreaterThan(fresh + 1);
  });

  it('pretrainingUnits: the bottom RBM doubles its visible layer, the top its hidden layer, the middle ones both', () => {
    const names = (depth: number) => Array.from({ length: depth }, (_, l) => pretrainingUnits(l, depth)).map((u) => `${u.visible.name}-${u.hidden.name}`);
    expect(names(2)).toEqual(['binomial:2-bernoulli', 'bernoulli-binomial:2']);
    expect(names(4)).toEqual(['binomial:2-bernoulli', 'binomial:2-binomial:2', 'binomial:2-binomial:2', 'bernoulli-binomial:2']);
  });

  it('a DBM of 3 hidden layers: pretraining composes one whose bound (exact log Z) beats a fresh one', async () => {
    const data = barsAndStripes(3).examples;
    const sizes = [9, 6, 4, 3];
    const boundOf = async (d: DBM) => {
      const b = await d.variationalBound(data, await exactLogPartition(d.bipartiteRbm()));
      return b.reduce((a, x) => a + x, 0) / b.length;
    };
    const dbm = await pretrainDbm(engine, sizes, data, { epochs: 200, batchSize: 2, learningRate: 0.1, chains: 20, k: 1, seed: 6 });
    expect(dbm.sizes).toEqual(sizes);
    const fresh = await boundOf(DBM.create(engine, { sizes, seed: 1, weightScale: 0.1 }));
    expect(await boundOf(dbm)).toBeGreaterThan(fresh + 1);
  });
});

/**
 * The DBN against float64 enumeration on a tiny 6-4-3 network: the exact log p(v) = log sum_h1 p(v | h1)
 * p_top(h1), the exact variational bound E_q[log p(v | h1) + log p_top(h1)] + H(q) that the estimator targets,
 * the up-pass features and the distribution of ancestral samples; then greedy training, the model file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { barsAndStripes } from '../../src/data/bars-and-stripes.js';
import { dbnLogLikelihood, dbnLogLikelihoodBound, defaultDbnLogZMethod } from '../../src/estimators/dbn-bound.js';
import { exactLogPartition } from '../../src/estimators/exact-log-partition.js';
import { decodeDbn, encodeDbn } from '../../src/io/dbn-codec.js';
import { loadRbmStack } from '../../src/io/model-file.js';
import { encodeRbm } from '../../src/io/rbm-codec.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { DBN } from '../../src/models/dbn.js';
import { fitDbn } from '../../src/training/fit-dbn.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { exactLogZ, freeEnergyOf, hiddenMeanOf, visibleMeanOf, type SmallRbm } from '../reference/rbm-exact.js';
import { exactDbnRows, type ExactDbnRow } from '../estimators/deep-exact.js';
import { everyBinaryState, randomBinary } from '../helpers/random-data.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

function randomDbn(sizes: number[], seed: number, scale = 1): DBN {
  const rng = new RandomStream(seed);
  const dbn = DBN.create(engine, { sizes, seed, weightScale: scale });
  for (const r of dbn.rbms) {
    r.params.visibleBias.forEach((_, i, a) => (a[i] = scale * rng.normal()));
    r.params.hiddenBias.forEach((_, i, a) => (a[i] = scale * rng.normal()));
  }
  return dbn;
}

const small = (dbn: DBN, l: number): SmallRbm => ({ ...dbn.rbms[l], ...dbn.rbms[l].params });
const rowOf = (m: Matrix, r: number): Float32Array => m.data.subarray(r * m.cols, (r + 1) * m.cols);
const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
/** The standard error of the bound's estimate with `samples` draws per row: sqrt(sum_r Var_q(term_r) / samples) / rows. */
const exactStdErr = (rows: readonly ExactDbnRow[], samples: number): number => Math.sqrt(rows.reduce((a, e) => a + e.termVariance, 0) / samples) / rows.length;

describe('DBN against exact enumeration (6-4-3)', () => {
  const dbn = randomDbn([6, 4, 3], 1);
  const v = randomBinary(40, 6, 2);

  it('the bound estimate matches the exact bound, which is below the exact log-likelihood, within its standard errors', async () => {
    const logZ = await exactLogPartition(dbn.top);
    expect(logZ).toBeCloseTo(exactLogZ(small(dbn, 1)), 4);
    const samples = 400;
    const estimate = await dbnLogLikelihoodBound(dbn, v, { topLogZ: logZ, samples, seed: 3 });
    const exact = exactDbnRows(dbn, v);
    exact.forEach((e, r) => {
      expect(e.bound).toBeLessThanOrEqual(e.logP + 1e-9);
      expect(Math.abs(estimate.perExample[r] - e.bound), `row ${r}`).toBeLessThan(5 * Math.sqrt(e.termVariance / samples) + 1e-4);
    });
    const exactBound = mean(exact.map((e) => e.bound));
    const exactLogP = mean(exact.map((e) => e.logP));
    expect(Math.abs(estimate.bound - exactBound)).toBeLessThan(4 * exactStdErr(exact, samples));
    expect(estimate.bound).toBeLessThan(exactLogP);
    expect(exactLogP - exactBound).toBeGreaterThan(0.01); // a real gap: q is not the posterior
  });

  it('the standard error: the spread of the draws within each example, as the exact variance under q gives it', async () => {
    const logZ = exactLogZ(small(dbn, 1));
    const exact = exactDbnRows(dbn, v);
    // Many draws per example, then two (where the n - 1 of the sample variance halves it): the reported error
    // within 15% of sqrt(sum_r Var_q(term_r) / samples) / rows. Two draws need many rows: v ten times over.
    const many = await dbnLogLikelihoodBound(dbn, v, { topLogZ: logZ, samples: 400, seed: 4 });
    expect(Math.abs(many.stdErr / exactStdErr(exact, 400) - 1)).toBeLessThan(0.15);
    const tenfold = matrix(Float32Array.from({ length: 10 * v.data.length }, (_, k) => v.data[k % v.data.length]), 10 * v.rows, v.cols);
    const two = await dbnLogLikelihoodBound(dbn, tenfold, { topLogZ: logZ, samples: 2, seed: 5 });
    expect(Math.abs(two.stdErr / exactStdErr(exactDbnRows(dbn, tenfold), 2) - 1)).toBeLessThan(0.15);
  });

  it('three RBMs: the bound sums a term per layer below the top, as the enumeration of h_1 and h_2 gives it', async () => {
    const deep = randomDbn([5, 4, 3, 2], 6);
    const data = randomBinary(20, 5, 7);
    const samples = 300;
    const estimate = await dbnLogLikelihoodBound(deep, data, { topLogZ: exactLogZ(small(deep, 2)), samples, seed: 8 });
    const exact = exactDbnRows(deep, data);
    exact.forEach((e, r) => {
      expect(e.bound).toBeLessThanOrEqual(e.logP + 1e-9);
      expect(Math.abs(estimate.perExample[r] - e.bound), `row ${r}`).toBeLessThan(5 * Math.sqrt(e.termVariance / samples) + 1e-4);
    });
    expect(Math.abs(estimate.bound - mean(exact.map((e) => e.bound)))).toBeLessThan(4 * exactStdErr(exact, samples));
  });

  it('dbnLogLikelihood: exact top log Z, a range of -+ 3 standard errors; the seed picks the draws', async () => {
    const logZ = exactLogZ(small(dbn, 1));
    const exact = await dbnLogLikelihood(dbn, v, { samples: 50, seed: 1 });
    expect(exact.method).toBe('exact');
    expect(defaultDbnLogZMethod(dbn)).toBe('exact');
    expect(defaultDbnLogZMethod(DBN.create(engine, { sizes: [6, 30, 30] }))).toBe('ais');
    expect(exact.topLogZ).toBeCloseTo(logZ, 4);
    expect([exact.topLogZLow, exact.topLogZHigh]).toEqual([exact.topLogZ, exact.topLogZ]);
    expect(exact.low).toBeCloseTo(exact.bound - 3 * exact.stdErr, 10);
    expect(exact.high).toBeCloseTo(exact.bound + 3 * exact.stdErr, 10);
    expect(exact.belowFloor).toBe(false);
    expect((await dbnLogLikelihood(dbn, v, { samples: 50, seed: 1 })).bound).toBe(exact.bound);
    expect((await dbnLogLikelihood(dbn, v, { samples: 50, seed: 2 })).bound).not.toBe(exact.bound);
  });

  it('with AIS for the top log Z: its asymmetric range widens the bound\'s, which holds the exact bound', async () => {
    const exactBound = mean(exactDbnRows(dbn, v).map((e) => e.bound));
    const logZ = exactLogZ(small(dbn, 1));
    let total = 0;
    const ais = await dbnLogLikelihood(dbn, v, { logZ: 'ais', betas: 200, chains: 20, samples: 200, seed: 1, onProgress: (_, t) => (total = t) });
    expect(ais.method).toBe('ais');
    expect(total).toBeGreaterThanOrEqual(200); // the options reach the annealing
    expect(ais.topLogZLow).toBeLessThan(logZ);
    expect(ais.topLogZHigh).toBeGreaterThan(logZ);
    // log(mean w -+ 3 se): further down than up.
    expect(ais.topLogZ - ais.topLogZLow).toBeGreaterThan(ais.topLogZHigh - ais.topLogZ);
    expect(ais.low).toBeCloseTo(ais.bound - 3 * ais.stdErr - (ais.topLogZHigh - ais.topLogZ), 10);
    expect(ais.high).toBeCloseTo(ais.bound + 3 * ais.stdErr + (ais.topLogZ - ais.topLogZLow), 10);
    expect(ais.low).toBeLessThan(exactBound);
    expect(ais.high).toBeGreaterThan(exactBound);
  });

  it('with reverse AIS for the top log Z: -+ 3 of its standard errors, which hold the exact log Z', async () => {
    const exactBound = mean(exactDbnRows(dbn, v).map((e) => e.bound));
    const logZ = exactLogZ(small(dbn, 1));
    let total = 0;
    const reverse = await dbnLogLikelihood(dbn, v, { logZ: 'reverse-ais', betas: 200, examples: 20, chainsPerExample: 3, samples: 200, seed: 1, onProgress: (_, t) => (total = t) });
    expect(reverse.method).toBe('reverse-ais');
    expect(total).toBeGreaterThanOrEqual(200); // the options reach the annealing
    const spread = reverse.topLogZHigh - reverse.topLogZ;
    expect(spread).toBeGreaterThan(0);
    expect(reverse.topLogZ - reverse.topLogZLow).toBeCloseTo(spread, 10);
    expect(Math.abs(reverse.topLogZ - logZ)).toBeLessThan(spread);
    expect(reverse.low).toBeCloseTo(reverse.bound - 3 * reverse.stdErr - spread, 10);
    expect(reverse.high).toBeCloseTo(reverse.bound + 3 * reverse.stdErr + spread, 10);
    expect(reverse.low).toBeLessThan(exactBound);
    expect(reverse.high).toBeGreaterThan(exactBound);
  });

  it('flags a top log Z from an annealing that fell below the certain floor', async () => {
    // One RBM, no couplings, strong visible biases: the all-ones state holds most of Z, and one AIS step from
    // the base rate of every state (the uniform model) lands elsewhere.
    const peaked = DBN.create(engine, { sizes: [6, 3], weightScale: 0 });
    peaked.top.params.visibleBias.fill(5);
    const states = everyBinaryState(6);
    const r = await dbnLogLikelihood(peaked, states, { logZ: 'ais', betas: 1, chains: 1, samples: 1 });
    expect(r.topLogZFloor).toBeCloseTo(exactLogZ(small(peaked, 0)), 4); // every state: the floor is log Z
    expect(r.topLogZ).toBeLessThan(r.topLogZFloor);
    expect(r.belowFloor).toBe(true);
  });

  it('one RBM: the bound is the exact log-likelihood', async () => {
    const rbm = new DBN(engine, [dbn.rbms[0]]);
    const logZ = exactLogZ(small(dbn, 0));
    const b = await dbnLogLikelihoodBound(rbm, v, { topLogZ: logZ, samples: 1 });
    for (let r = 0; r < v.rows; r++) expect(b.perExample[r]).toBeCloseTo(-freeEnergyOf(small(dbn, 0), rowOf(v, r)) - logZ, 4);
  });

  it('transform is the up-pass of means', async () => {
    const f = await dbn.transform(v);
    expect([f.rows, f.cols]).toEqual([40, 3]);
    for (let r = 0; r < v.rows; r++) {
      const expected = hiddenMeanOf(small(dbn, 1), hiddenMeanOf(small(dbn, 0), rowOf(v, r)));
      Array.from(rowOf(f, r)).forEach((x, j) => expect(x).toBeCloseTo(expected[j], 5));
    }
  });

  it('reconstruct is the up-pass of means to the top, then the down-pass of means', async () => {
    const { reconstructions, squaredErrors } = await dbn.reconstruct(v);
    for (let r = 0; r < v.rows; r++) {
      const top = hiddenMeanOf(small(dbn, 1), hiddenMeanOf(small(dbn, 0), rowOf(v, r)));
      const expected = visibleMeanOf(small(dbn, 0), visibleMeanOf(small(dbn, 1), top));
      Array.from(rowOf(reconstructions, r)).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
      expect(squaredErrors[r]).toBeCloseTo(expected.reduce((a, x, i) => a + (rowOf(v, r)[i] - x) ** 2, 0), 4);
    }
  });

  it('ancestral samples follow the exact marginal p(v): every state within 5 se', async () => {
    const count = 4000;
    const { samples, means } = await dbn.sample(count, { steps: 50, seed: 5 });
    expect([samples.rows, samples.cols, means.rows]).toEqual([count, 6, count]);
    expect(samples.data.every((x) => x === 0 || x === 1)).toBe(true);
    // The frequency of every joint state, not only each unit's mean: wrong correlations between units fail.
    const frequency = new Float64Array(64);
    for (let r = 0; r < count; r++) frequency[rowOf(samples, r).reduce((state, x, i) => state + (x << i), 0)] += 1 / count;
    const exact = exactDbnRows(dbn, everyBinaryState(6));
    for (let s = 0; s < 64; s++) {
      const p = Math.exp(exact[s].logP);
      expect(Math.abs(frequency[s] - p), `state ${s}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / count) + 1e-4);
    }
  });

  it('a model file round trip keeps every tensor and the layer names', () => {
    const bytes = encodeDbn(dbn, { seed: '7' });
    const { tensors, metadata } = decodeSafetensors(bytes, 'mem');
    expect(Object.keys(tensors).sort()).toEqual(['hidden_bias_0', 'hidden_bias_1', 'visible_bias_0', 'visible_bias_1', 'weights_0', 'weights_1']);
    expect(tensors.weights_1.shape).toEqual([4, 3]);
    expect(metadata).toMatchObject({ kind: 'dbn', layers: '[6,4,3]', format: 'boltzmann/1', seed: '7' });
    const back = decodeDbn(engine, bytes, 'mem').dbn;
    expect(back.sizes).toEqual([6, 4, 3]);
    back.rbms.forEach((r, l) => expect(Array.from(r.params.weights)).toEqual(Array.from(dbn.rbms[l].params.weights)));
    expect(() => decodeDbn(engine, encodeRbm(dbn.rbms[0]), 'rbm.safetensors')).toThrow(/a "rbm" model, not a DBN/);
  });

  it('loadRbmStack reads a DBN file as its RBMs', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dbn-')), 'm.safetensors');
    writeFileSync(path, encodeDbn(dbn));
    const stack = await loadRbmStack(engine, path);
    expect(stack.map((r) => [r.nVisible, r.nHidden])).toEqual([[6, 4], [4, 3]]);
  });
});

describe('greedy training', () => {
  it('trains each layer on the up-pass of the one below, and resumes a part-trained stack', async () => {
    const data = barsAndStripes(3).examples;
    const dbn = DBN.create(engine, { sizes: [9, 8, 6], seed: 1, weightScale: 0.1 });
    const layersSeen: number[][] = [];
    const records = await fitDbn(dbn, data, { epochs: 200, batchSize: 2, learningRate: 0.1, seed: 4 }, {
      onLayer: (l, x) => layersSeen.push([l, x.cols, x.data.every((y) => y === 0 || y === 1) ? 1 : 0]),
    });
    expect(layersSeen).toEqual([[0, 9, 1], [1, 8, 1]]);
    expect(records.map((r) => r.layer)).toEqual([...new Array<number>(200).fill(0), ...new Array<number>(200).fill(1)]);
    expect(dbn.rbms.map((r) => r.epochsTrained)).toEqual([200, 200]);
    // The bound of the trained DBN beats that of the untrained one.
    const fresh = DBN.create(engine, { sizes: [9, 8, 6], seed: 1, weightScale: 0.1 });
    const bound = async (d: DBN) => (await dbnLogLikelihoodBound(d, data, { topLogZ: await exactLogPartition(d.top), samples: 50 })).bound;
    expect(await bound(dbn)).toBeGreaterThan((await bound(fresh)) + 1);
    // Nothing left to train: fitDbn does nothing; one more epoch trains only what is short of it.
    expect(await fitDbn(dbn, data, { epochs: 200, batchSize: 2 })).toEqual([]);
    dbn.rbms[1].epochsTrained = 199;
    expect((await fitDbn(dbn, data, { epochs: 200, batchSize: 2 })).map((r) => [r.layer, r.epoch])).toEqual([[1, 200]]);
  });
});

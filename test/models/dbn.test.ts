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
import { dbnLogLikelihood, dbnLogLikelihoodBound } from '../../src/estimators/dbn-bound.js';
import { exactLogPartition } from '../../src/estimators/exact-log-partition.js';
import { decodeDbn, encodeDbn } from '../../src/io/dbn-codec.js';
import { loadRbmStack } from '../../src/io/model-file.js';
import { encodeRbm } from '../../src/io/rbm-codec.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { DBN } from '../../src/models/dbn.js';
import { fitDbn } from '../../src/training/fit-dbn.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import type { Matrix } from '../../src/tensor/matrix.js';
import { exactLogZ, freeEnergyOf, hiddenMeanOf, visibleMeanOf, visibleState, type SmallRbm } from '../reference/rbm-exact.js';
import { randomBinary } from '../helpers/random-data.js';

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

/** log prod_i Bernoulli(x_i; p_i). */
const logBernoulli = (x: ArrayLike<number>, p: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.log(x[i] === 1 ? p[i] : 1 - p[i]);
  return s;
};

const logSumExp = (xs: number[]): number => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

/** Exact log p(v) and the exact bound B(v) of a 2-RBM DBN, by enumerating h1. */
function exactDbn(dbn: DBN, v: ArrayLike<number>): { logP: number; bound: number } {
  const [bottom, top] = [small(dbn, 0), small(dbn, 1)];
  const logZ = exactLogZ(top);
  const q = hiddenMeanOf(bottom, v);
  const joint: number[] = [];
  let bound = 0;
  for (let s = 0; s < 2 ** bottom.nHidden; s++) {
    const h = visibleState(bottom.nHidden, s);
    const logJoint = logBernoulli(v, visibleMeanOf(bottom, h)) - freeEnergyOf(top, h) - logZ;
    const logQ = logBernoulli(h, q);
    joint.push(logJoint);
    bound += Math.exp(logQ) * (logJoint - logQ);
  }
  return { logP: logSumExp(joint), bound };
}

describe('DBN against exact enumeration (6-4-3)', () => {
  const dbn = randomDbn([6, 4, 3], 1);
  const v = randomBinary(40, 6, 2);

  it('the bound estimate matches the exact bound, which is below the exact log-likelihood', async () => {
    const logZ = await exactLogPartition(dbn.top);
    expect(logZ).toBeCloseTo(exactLogZ(small(dbn, 1)), 4);
    const estimate = await dbnLogLikelihoodBound(dbn, v, { topLogZ: logZ, samples: 400, seed: 3 });
    let exactBound = 0;
    let exactLogP = 0;
    for (let r = 0; r < v.rows; r++) {
      const e = exactDbn(dbn, rowOf(v, r));
      expect(e.bound).toBeLessThanOrEqual(e.logP + 1e-9);
      expect(estimate.perExample[r]).toBeCloseTo(e.bound, 0);
      exactBound += e.bound / v.rows;
      exactLogP += e.logP / v.rows;
    }
    expect(Math.abs(estimate.bound - exactBound)).toBeLessThan(0.05);
    expect(estimate.bound).toBeLessThan(exactLogP);
    expect(exactLogP - exactBound).toBeGreaterThan(0.01); // a real gap: q is not the posterior
  });

  it('with AIS for the top log Z, the reported bound is within 0.5 nats of the exact bound', async () => {
    const exact = await dbnLogLikelihood(dbn, v, { samples: 200, seed: 1 });
    expect(exact.method).toBe('exact');
    const ais = await dbnLogLikelihood(dbn, v, { logZ: 'ais', betas: 2000, chains: 100, samples: 200, seed: 1 });
    expect(ais.method).toBe('ais');
    expect(Math.abs(ais.topLogZ - exact.topLogZ)).toBeLessThan(0.1);
    expect(Math.abs(ais.bound - exact.bound)).toBeLessThan(0.5);
    expect(ais.low).toBeLessThan(exact.bound);
    expect(ais.high).toBeGreaterThan(exact.bound);
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
    for (let s = 0; s < 64; s++) {
      const p = Math.exp(exactDbn(dbn, visibleState(6, s)).logP);
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

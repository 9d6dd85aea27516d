/**
 * score, one call for every kind of model: on tiny models, the RBM's exact log-likelihood (float64
 * enumeration) and its AIS estimate within its error bars; the DBN's and the DBM's variational bounds below
 * their exact log-likelihoods (enumeration of every hidden state), each the number its own estimator gives.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dbmLogLikelihood } from '../../src/estimators/dbm-bound.js';
import { dbnLogLikelihood } from '../../src/estimators/dbn-bound.js';
import { boundMethodName, score, type Score } from '../../src/estimators/score.js';
import { DBM } from '../../src/models/dbm.js';
import { DBN } from '../../src/models/dbn.js';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { exactLogLikelihood, exactLogZ } from '../reference/rbm-exact.js';
import { exactDbm, exactDbn } from './deep-exact.js';
import { everyBinaryState, randomBinary } from '../helpers/random-data.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

/** Random biases N(0, 1) for each of `biases`, seeded. */
function randomise(biases: Float32Array[], seed: number): void {
  const rng = new RandomStream(seed);
  for (const b of biases) b.forEach((_, i, a) => (a[i] = rng.normal()));
}

/** The range holds the estimate, and the floor sits below log Z. */
function expectConsistent(s: Score): void {
  expect(s.low).toBeLessThanOrEqual(s.logLikelihood);
  expect(s.high).toBeGreaterThanOrEqual(s.logLikelihood);
  expect(s.logZLow).toBeLessThanOrEqual(s.logZ);
  expect(s.logZHigh).toBeGreaterThanOrEqual(s.logZ);
  expect(s.logZFloor).toBeLessThanOrEqual(s.logZ + 1e-4);
  expect(s.belowFloor).toBe(false);
}

describe('score', () => {
  const data = randomBinary(30, 6, 2);

  it('an RBM: exact when small, as the enumeration; by AIS within its error bars of it', async () => {
    const rbm = RBM.create(engine, { nVisible: 6, nHidden: 5, seed: 1, weightScale: 1 });
    randomise([rbm.params.visibleBias, rbm.params.hiddenBias], 1);
    const small = { nVisible: 6, nHidden: 5, ...rbm.params };
    const truth = exactLogLikelihood(small, data.data, data.rows);
    const s = await score(rbm, data);
    expect(s).toMatchObject({ method: 'exact', bound: 'estimate', examples: 30 });
    expect(s.logLikelihood).toBeCloseTo(truth, 4);
    expect(s.logZ).toBeCloseTo(exactLogZ(small), 4);
    expect([s.low, s.high]).toEqual([s.logLikelihood, s.logLikelihood]);
    expectConsistent(s);
    const ais = await score(rbm, data, { logZ: 'ais', betas: 1000, seed: 1 });
    expect(ais).toMatchObject({ method: 'ais', bound: 'estimate' });
    expect(ais.low).toBeLessThan(truth);
    expect(ais.high).toBeGreaterThan(truth);
    expect(Math.abs(ais.logLikelihood - truth)).toBeLessThan(0.1);
    expectConsistent(ais);
  });

  it('an RBM: reports the annealing\'s progress, and a log Z below the certain floor', async () => {
    // No couplings, strong visible biases: one AIS step from the base rate of every state (uniform) misses the
    // all-ones state.
    const peaked = RBM.create(engine, { nVisible: 6, nHidden: 3, weightScale: 0 });
    peaked.params.visibleBias.fill(5);
    const states = everyBinaryState(6);
    const totals: number[] = [];
    const s = await score(peaked, states, { logZ: 'ais', betas: 1, chains: 1, onProgress: (_, total) => totals.push(total) });
    expect(totals.length).toBeGreaterThan(0);
    expect(s.logZ).toBeLessThan(s.logZFloor);
    expect(s.belowFloor).toBe(true);
    expect((await score(peaked, states)).belowFloor).toBe(false);
  });

  it('an RBM too large to enumerate: AIS by default', async () => {
    const rbm = RBM.create(engine, { nVisible: 30, nHidden: 40, seed: 1, weightScale: 0.1 });
    const s = await score(rbm, randomBinary(5, 30, 3), { betas: 100, chains: 10 });
    expect(s).toMatchObject({ method: 'ais', bound: 'estimate', examples: 5 });
    expect(s.high).toBeGreaterThan(s.low);
    expect(Number.isFinite(s.logLikelihood)).toBe(true);
  });

  it('a DBN: the up-pass bound with the top log Z exact, below the exact log-likelihood, as dbnLogLikelihood gives it', async () => {
    const dbn = DBN.create(engine, { sizes: [6, 4, 3], seed: 1, weightScale: 1 });
    randomise(dbn.rbms.flatMap((r) => [r.params.visibleBias, r.params.hiddenBias]), 1);
    const s = await score(dbn, data, { samples: 50, seed: 2 });
    expect(s).toMatchObject({ method: 'bound (exact top log Z)', bound: 'lower', examples: 30 });
    const own = await dbnLogLikelihood(dbn, data, { samples: 50, seed: 2 });
    expect([s.logLikelihood, s.low, s.high, s.logZ, s.logZFloor]).toEqual([own.bound, own.low, own.high, own.topLogZ, own.topLogZFloor]);
    expect(s.logLikelihood).toBeLessThan(exactDbn(dbn, data));
    expect(s.logZ).toBeCloseTo(exactLogZ({ ...dbn.top, ...dbn.top.params }), 4);
    expectConsistent(s);
  });

  it('a DBM: the mean-field bound with log Z exact, below the exact log-likelihood; with AIS log Z near it', async () => {
    const dbm = DBM.create(engine, { sizes: [6, 4, 3], seed: 1, weightScale: 1 });
    randomise(dbm.params.biases, 1);
    const exact = exactDbm(dbm, data);
    const s = await score(dbm, data);
    expect(s).toMatchObject({ method: 'bound (exact log Z)', bound: 'lower', examples: 30 });
    expect(s.logLikelihood).toBe((await dbmLogLikelihood(dbm, data)).bound);
    expect(s.logZ).toBeCloseTo(exact.logZ, 3);
    expect(s.logLikelihood).toBeLessThan(exact.logLikelihood);
    expectConsistent(s);
    const ais = await score(dbm, data, { logZ: 'ais', betas: 1000, seed: 1 });
    expect(ais.method).toBe('bound (AIS log Z)');
    expect(Math.abs(ais.logLikelihood - s.logLikelihood)).toBeLessThan(0.5);
    expectConsistent(ais);
  });

  it('names the bounds as eval prints them', () => {
    expect(boundMethodName('reverse-ais', 'top log Z')).toBe('bound (reverse AIS top log Z)');
    expect(boundMethodName('exact', 'log Z')).toBe('bound (exact log Z)');
  });
});

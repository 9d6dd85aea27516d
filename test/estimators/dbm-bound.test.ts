/**
 * dbmLogLikelihood against float64 enumeration of every state (v, h1, h2) of a tiny 5-4-3 DBM: log Z exact
 * (the bipartite RBM's is the DBM's), by AIS and by reverse AIS near it, the bound below the exact
 * log-likelihood and shifted one for one by log Z, the floor below log Z, seeds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DBM_MEAN_FIELD_SWEEPS, dbmLogLikelihood, defaultDbmLogZMethod } from '../../src/estimators/dbm-bound.js';
import { DBM } from '../../src/models/dbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { exactDbm } from './deep-exact.js';
import { randomBinary } from '../helpers/random-data.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

function randomDbm(sizes: number[], seed: number): DBM {
  const rng = new RandomStream(seed);
  const dbm = DBM.create(engine, { sizes, seed, weightScale: 1 });
  for (const b of dbm.params.biases) b.forEach((_, i, a) => (a[i] = rng.normal()));
  return dbm;
}

describe('dbmLogLikelihood (5-4-3, against enumeration)', () => {
  const dbm = randomDbm([5, 4, 3], 1);
  const data = randomBinary(30, 5, 2);
  const exact = exactDbm(dbm, data);

  it('exact log Z by default: the DBM log Z, the bound below the exact log-likelihood, a point interval, the floor below', async () => {
    expect(defaultDbmLogZMethod(dbm)).toBe('exact');
    expect(defaultDbmLogZMethod(DBM.create(engine, { sizes: [40, 30, 40] }))).toBe('ais');
    const r = await dbmLogLikelihood(dbm, data);
    expect(r.method).toBe('exact');
    expect(r.meanFieldSweeps).toBe(DBM_MEAN_FIELD_SWEEPS);
    expect(r.logZ).toBeCloseTo(exact.logZ, 3);
    expect([r.logZLow, r.logZHigh, r.low, r.high]).toEqual([r.logZ, r.logZ, r.bound, r.bound]);
    expect(r.perExample.length).toBe(30);
    expect(r.bound).toBeCloseTo(r.perExample.reduce((a, b) => a + b, 0) / 30, 10);
    expect(r.bound).toBeLessThan(exact.logLikelihood);
    expect(exact.logLikelihood - r.bound).toBeLessThan(2);
    expect(r.logZFloor).toBeLessThanOrEqual(r.logZ + 1e-4);
    expect(r.belowFloor).toBe(false);
    // More sweeps, a tighter bound (the up-pass alone is the loosest).
    const upPass = await dbmLogLikelihood(dbm, data, { meanFieldSweeps: 0 });
    expect(upPass.bound).toBeLessThanOrEqual(r.bound + 1e-4);
  });

  it('AIS: log Z near the exact one, the bound shifted by the difference, its range from log Z', async () => {
    const exactRun = await dbmLogLikelihood(dbm, data);
    const r = await dbmLogLikelihood(dbm, data, { logZ: 'ais', betas: 2000, chains: 100, seed: 1 });
    expect(r.method).toBe('ais');
    expect(Math.abs(r.logZ - exact.logZ)).toBeLessThan(0.5);
    expect(r.bound).toBeCloseTo(exactRun.bound + exactRun.logZ - r.logZ, 4);
    expect(r.low).toBeCloseTo(r.bound - (r.logZHigh - r.logZ), 10);
    expect(r.high).toBeCloseTo(r.bound + (r.logZ - r.logZLow), 10);
    const again = await dbmLogLikelihood(dbm, data, { logZ: 'ais', betas: 2000, chains: 100, seed: 1 });
    expect(again.logZ).toBe(r.logZ);
  });

  it('reverse AIS: the log Z it implies from the odd layers is near the exact one', async () => {
    const r = await dbmLogLikelihood(dbm, data, { logZ: 'reverse-ais', betas: 1000, examples: 10, chainsPerExample: 5, baseData: randomBinary(20, 5, 4) });
    expect(r.method).toBe('reverse-ais');
    expect(Math.abs(r.logZ - exact.logZ)).toBeLessThan(0.5);
    expect(r.logZHigh - r.logZ).toBeCloseTo(r.logZ - r.logZLow, 10);
  });
});

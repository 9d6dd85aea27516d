/**
 * rbmLogLikelihood against float64 enumeration of small RBMs (test/reference/rbm-exact.ts): the exact
 * log-likelihood and the certain floor, the AIS / reverse AIS sandwich around the exact value, the base rate
 * chosen from the data given, the floor's warning condition, seeds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { baseRateBiases } from '../../src/estimators/annealing.js';
import { defaultRbmLogZMethod, rbmLogLikelihood } from '../../src/estimators/rbm-likelihood.js';
import { RBM } from '../../src/models/rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import type { Matrix } from '../../src/tensor/matrix.js';
import { exactLogZ, freeEnergyOf, hiddenMeanOf, type SmallRbm } from '../reference/rbm-exact.js';
import { everyBinaryState, randomBinary, randomRbm } from '../helpers/random-data.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const small = (rbm: RBM): SmallRbm => ({ nVisible: rbm.nVisible, nHidden: rbm.nHidden, ...rbm.params });
const rowOf = (m: Matrix, r: number): Float32Array => m.data.subarray(r * m.cols, (r + 1) * m.cols);

/** log sum exp of the values. */
const logSumExp = (x: readonly number[]): number => {
  const m = Math.max(...x);
  return m + Math.log(x.reduce((a, f) => a + Math.exp(f - m), 0));
};

/** log sum exp(-F) over the distinct rows of `states` [rows * n] of the RBM `r`. */
function distinctFloor(r: SmallRbm, states: readonly ArrayLike<number>[]): number {
  return logSumExp([...new Map(states.map((v) => [Array.from(v).join(','), -freeEnergyOf(r, v)])).values()]);
}

/**
 * Mean -F(v) over the rows, and the floor under log Z in float64: the larger of log sum exp(-F) over the
 * distinct rows and, on the hidden side (the RBM with its layers swapped), over every hidden unit off, every
 * one on, and each row's E[h | v] rounded.
 */
function reference(rbm: RBM, data: Matrix): { meanNegF: number; floor: number } {
  const r = small(rbm);
  const rows = Array.from({ length: data.rows }, (_, k) => rowOf(data, k));
  const negF = rows.map((v) => -freeEnergyOf(r, v));
  const weights = Array.from({ length: r.nHidden * r.nVisible }, (_, k) => r.weights[(k % r.nVisible) * r.nHidden + Math.floor(k / r.nVisible)]);
  const swapped: SmallRbm = { nVisible: r.nHidden, nHidden: r.nVisible, weights, visibleBias: r.hiddenBias, hiddenBias: r.visibleBias };
  const hidden = [new Array<number>(r.nHidden).fill(0), new Array<number>(r.nHidden).fill(1), ...rows.map((v) => Array.from(hiddenMeanOf(r, v), (m) => Number(m > 0.5)))];
  return { meanNegF: negF.reduce((a, b) => a + b, 0) / negF.length, floor: Math.max(distinctFloor(r, rows), distinctFloor(swapped, hidden)) };
}

describe('rbmLogLikelihood', () => {
  const rbm = randomRbm(engine, 7, 5, 1);
  const data = randomBinary(30, 7, 2);
  const logZ = exactLogZ(small(rbm));
  const ref = reference(rbm, data);

  it('exact (the default for a small model): mean(-F) - log Z as the enumeration, a point interval, the floor below log Z', async () => {
    expect(defaultRbmLogZMethod(rbm)).toBe('exact');
    expect(defaultRbmLogZMethod({ nVisible: 784, nHidden: 26 })).toBe('both');
    const r = await rbmLogLikelihood(rbm, data);
    expect(r.method).toBe('exact');
    expect(r.examples).toBe(30);
    expect(r.logZ).toBeCloseTo(logZ, 4);
    expect(r.logLikelihood).toBeCloseTo(ref.meanNegF - logZ, 4);
    expect(r.meanFreeEnergy).toBeCloseTo(-ref.meanNegF, 4);
    expect([r.logZLow, r.logZHigh, r.logZStdErr]).toEqual([r.logZ, r.logZ, 0]);
    expect([r.logLikelihoodLow, r.logLikelihoodHigh]).toEqual([r.logLikelihood, r.logLikelihood]);
    expect(r.exact).toEqual({ logZ: r.logZ, logZLow: r.logZ, logZHigh: r.logZ, logZStdErr: 0, logLikelihood: r.logLikelihood, logLikelihoodLow: r.logLikelihood, logLikelihoodHigh: r.logLikelihood });
    expect(r.ais).toBeUndefined();
    expect(r.reverseAis).toBeUndefined();
    expect(r.logZFloor).toBeCloseTo(ref.floor, 4);
    expect(r.logZFloor).toBeLessThan(logZ);
    expect(r.belowFloor).toEqual([]);
  });

  it('both: AIS is the headline, the interval spans both directions and sandwiches the exact log-likelihood', async () => {
    const progress: string[] = [];
    const r = await rbmLogLikelihood(rbm, data, {
      method: 'both',
      betas: 1000,
      chains: 100,
      chainsPerExample: 5,
      seed: 1,
      onProgress: (direction, done, total) => {
        if (done === total) progress.push(direction);
      },
    });
    expect(progress).toEqual(['ais', 'reverse-ais']);
    const { ais, reverseAis } = r;
    if (ais === undefined || reverseAis === undefined) throw new Error('both directions should have run');
    expect(r.exact).toBeUndefined();
    expect(r.logZ).toBe(ais.logZ);
    expect(r.logZStdErr).toBe(ais.logZStdErr);
    expect(r.logZLow).toBe(Math.min(ais.logZLow, reverseAis.logZLow));
    expect(r.logZHigh).toBe(Math.max(ais.logZHigh, reverseAis.logZHigh));
    expect(r.logLikelihoodLow).toBe(-r.meanFreeEnergy - r.logZHigh);
    expect(r.logLikelihoodHigh).toBe(-r.meanFreeEnergy - r.logZLow);
    const exact = ref.meanNegF - logZ;
    expect(r.logLikelihoodLow).toBeLessThan(exact);
    expect(r.logLikelihoodHigh).toBeGreaterThan(exact);
    expect(Math.abs(r.logLikelihood - exact)).toBeLessThan(0.1);
    // Each direction's own numbers: AIS's interval, reverse AIS -+ 3 se around the log Z it implies.
    expect([ais.logZLow, ais.logZHigh]).toEqual([ais.result.logZLow, ais.result.logZHigh]);
    expect(ais.logZLow).toBeLessThan(logZ);
    expect(ais.logZHigh).toBeGreaterThan(logZ);
    expect(reverseAis.logZ).toBe(reverseAis.result.logZ);
    expect(reverseAis.logZHigh - reverseAis.logZ).toBeCloseTo(3 * reverseAis.result.stdErr, 10);
    expect(reverseAis.logZ - reverseAis.logZLow).toBeCloseTo(3 * reverseAis.result.stdErr, 10);
    expect(reverseAis.result.examples.length).toBe(30);
    expect(r.belowFloor).toEqual([]);
  });

  it('both: the span takes the wider side of either direction; each direction timed in seconds', async () => {
    // A short schedule, many AIS chains and few reverse chains: reverse AIS's interval holds AIS's on both sides.
    const started = performance.now();
    const r = await rbmLogLikelihood(rbm, data, { method: 'both', betas: 20, chains: 3000, chainsPerExample: 3, seed: 2 });
    const wall = (performance.now() - started) / 1000;
    const { ais, reverseAis } = r;
    if (ais === undefined || reverseAis === undefined) throw new Error('both directions should have run');
    expect(reverseAis.logZLow).toBeLessThan(ais.logZLow);
    expect(reverseAis.logZHigh).toBeGreaterThan(ais.logZHigh);
    expect([r.logZLow, r.logZHigh]).toEqual([reverseAis.logZLow, reverseAis.logZHigh]);
    for (const seconds of [ais.seconds, reverseAis.seconds]) {
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(wall);
    }
    expect(ais.seconds + reverseAis.seconds).toBeLessThanOrEqual(wall);
  });

  it('the base rate: fitted to the evaluated data by default, to baseData when given, uniform when asked', async () => {
    const options = { method: 'ais', betas: 20, chains: 4 } as const;
    const other = randomBinary(10, 7, 9);
    const byDefault = await rbmLogLikelihood(rbm, data, options);
    expect(byDefault.ais?.result.baseBias).toEqual(baseRateBiases(data));
    const given = await rbmLogLikelihood(rbm, data, { ...options, baseData: other });
    expect(given.ais?.result.baseBias).toEqual(baseRateBiases(other));
    const uniform = await rbmLogLikelihood(rbm, data, { ...options, baseData: 'uniform' });
    expect(Array.from(uniform.ais?.result.baseBias ?? [1])).toEqual(new Array(7).fill(0));
    // The same seed, the same numbers.
    expect((await rbmLogLikelihood(rbm, data, { ...options, baseData: other })).logZ).toBe(given.logZ);
  });

  it('reverse AIS alone: the headline is the log Z it implies, conservative on a subset of the examples', async () => {
    const r = await rbmLogLikelihood(rbm, data, { method: 'reverse-ais', betas: 500, examples: 12, chainsPerExample: 5 });
    expect(r.ais).toBeUndefined();
    expect(r.logZ).toBe(r.reverseAis?.logZ);
    expect(r.logLikelihood).toBeCloseTo(r.reverseAis?.result.logLikelihood ?? NaN, 10);
    expect(r.reverseAis?.result.examples.length).toBe(12);
    expect(Math.abs(r.logLikelihood - (ref.meanNegF - logZ))).toBeLessThan(0.3);
  });

  it('flags an annealing whose log Z falls below the certain floor', async () => {
    // No couplings and strong visible biases: Z = prod_i (1 + e^5) 2^nHidden, the all-ones state alone holds
    // most of it. One AIS step from the uniform model lands on a state with some zeros and misses it.
    const peaked = RBM.create(engine, { nVisible: 6, nHidden: 3, weightScale: 0 });
    peaked.params.visibleBias.fill(5);
    const states = everyBinaryState(6);
    const r = await rbmLogLikelihood(peaked, states, { method: 'ais', betas: 1, chains: 1, baseData: 'uniform', seed: 0 });
    expect(r.logZFloor).toBeCloseTo(exactLogZ(small(peaked)), 4); // every state: the floor is log Z
    expect(r.logZ).toBeLessThan(r.logZFloor);
    expect(r.belowFloor).toEqual(['ais']);
  });
});

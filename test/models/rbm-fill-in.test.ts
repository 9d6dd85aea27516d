/**
 * fillIn against exact conditionals: on tiny RBMs, the clamped chain's draws of the missing units must follow
 * p(v_missing | v_observed), computed by enumerating the missing units' states with float64 free energies.
 */
import { describe, expect, it } from 'vitest';
import { fillIn } from '../../src/models/rbm-fill-in.js';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import type { UnitName } from '../../src/units/index.js';
import { freeEnergyOf } from '../reference/rbm-exact.js';

const engine = createNodeEngine({ threads: 1 });

function randomRbm(nVisible: number, nHidden: number, visible: UnitName, seed: number): RBM {
  const rng = new RandomStream(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, visible, seed, weightScale: 1.5 });
  rbm.params.visibleBias.forEach((_, i, a) => (a[i] = 0.5 * rng.normal()));
  rbm.params.hiddenBias.forEach((_, i, a) => (a[i] = 0.5 * rng.normal()));
  return rbm;
}

/** The states of one group of units: 0/1 bits, +-1 spins, or the one-hot vectors of a softmax group. */
function groupStates(units: UnitName, k: number): number[][] {
  if (units === 'bernoulli') return [[0], [1]];
  if (units === 'spin') return [[-1], [1]];
  return Array.from({ length: k }, (_, c) => Array.from({ length: k }, (_, j) => (j === c ? 1 : 0)));
}

/**
 * Every completion of `v` on the missing groups (all states of each, in order) with its exact probability
 * p(v_missing | v_observed) = exp(-F(v)) / sum over completions; F(v) = -a.v - sum softplus(b + W^T v) holds for
 * Bernoulli, spin and softmax visible units alike (a linear bias term) with Bernoulli hidden units.
 */
function exactConditional(rbm: RBM, v: number[], missingGroups: number[], units: UnitName): { states: number[][]; p: number[] } {
  const k = rbm.visible.groupSize;
  const choices = groupStates(units, k);
  const states: number[][] = [];
  for (let code = 0; code < choices.length ** missingGroups.length; code++) {
    const x = [...v];
    missingGroups.forEach((group, j) => choices[Math.floor(code / choices.length ** j) % choices.length].forEach((y, t) => (x[group * k + t] = y)));
    states.push(x);
  }
  const small = { ...rbm, ...rbm.params };
  const negF = states.map((x) => -freeEnergyOf(small, x));
  const m = Math.max(...negF);
  const w = negF.map((x) => Math.exp(x - m));
  const total = w.reduce((a, b) => a + b, 0);
  return { states, p: w.map((x) => x / total) };
}

const totalVariation = (p: number[], q: number[]): number => p.reduce((acc, x, i) => acc + Math.abs(x - q[i]), 0) / 2;

describe('fillIn samples p(v_missing | v_observed)', () => {
  const cases: { units: UnitName; nVisible: number; observed: number[]; missingGroups: number[] }[] = [
    { units: 'bernoulli', nVisible: 7, observed: [1, 0, 1, 1], missingGroups: [4, 5, 6] },
    { units: 'spin', nVisible: 7, observed: [-1, 1, -1, 1], missingGroups: [4, 5, 6] },
    { units: 'softmax:3', nVisible: 9, observed: [0, 1, 0], missingGroups: [1, 2] },
  ];
  for (const { units, nVisible, observed, missingGroups } of cases) {
    it(`${units}: the missing units' draws match the exact conditional, the observed units stay put`, async () => {
      const rbm = randomRbm(nVisible, 4, units, 3);
      const chains = 4000;
      const start = [...observed, ...new Array<number>(nVisible - observed.length).fill(0)];
      const mask = start.map((_, i) => (i < observed.length ? 1 : 0));
      const visible = matrix(Float32Array.from({ length: chains * nVisible }, (_, i) => start[i % nVisible]), chains, nVisible);
      const isObserved = matrix(Float32Array.from({ length: chains * nVisible }, (_, i) => mask[i % nVisible]), chains, nVisible);
      const { samples, means } = await fillIn(rbm, visible, isObserved, { steps: 30, seed: 5 });

      const exact = exactConditional(rbm, start, missingGroups, units);
      const marginal = exactConditional(rbm, start.map(() => 0), [...new Array<number>(nVisible / rbm.visible.groupSize).keys()], units);
      // What an unclamped chain would sample instead: the missing units' marginal. The test must tell them apart.
      const marginalOfMissing = exact.states.map((s) =>
        marginal.states.reduce((acc, x, j) => (x.slice(observed.length).every((y, t) => y === s[observed.length + t]) ? acc + marginal.p[j] : acc), 0),
      );
      expect(totalVariation(exact.p, marginalOfMissing)).toBeGreaterThan(0.15);

      const counts = new Array<number>(exact.states.length).fill(0);
      for (let r = 0; r < chains; r++) {
        const row = Array.from(samples.data.subarray(r * nVisible, (r + 1) * nVisible));
        expect(row.slice(0, observed.length)).toEqual(observed);
        const j = exact.states.findIndex((s) => s.every((y, t) => y === row[t]));
        expect(j, `row ${r} is no state: ${row.join(',')}`).toBeGreaterThanOrEqual(0);
        counts[j]++;
      }
      // 4000 draws over at most 9 states: the sampling error of the total variation is about 0.02.
      expect(totalVariation(counts.map((c) => c / chains), exact.p)).toBeLessThan(0.05);

      // means: E[v | v_observed] over all chains agrees with the exact conditional mean; observed units exact.
      for (let i = 0; i < nVisible; i++) {
        const expected = exact.states.reduce((acc, s, j) => acc + exact.p[j] * s[i], 0);
        let average = 0;
        for (let r = 0; r < chains; r++) average += means.data[r * nVisible + i] / chains;
        if (i < observed.length) expect(means.data[i]).toBe(observed[i]);
        expect(average).toBeCloseTo(expected, 1);
      }
    });
  }

  it('evidence e: with no unit observed the draws follow p(v) exp(e . v), the RBM whose visible bias is a + e', async () => {
    const nVisible = 6;
    const rbm = randomRbm(nVisible, 4, 'bernoulli', 6);
    const rng = new RandomStream(9);
    const e = Array.from({ length: nVisible }, () => 2 * rng.normal());
    const shifted = new RBM(engine, { nVisible, nHidden: 4 }, { ...rbm.params, visibleBias: rbm.params.visibleBias.map((a, i) => a + e[i]) });
    const exact = exactConditional(shifted, new Array<number>(nVisible).fill(0), [...new Array<number>(nVisible).keys()], 'bernoulli');
    const prior = exactConditional(rbm, new Array<number>(nVisible).fill(0), [...new Array<number>(nVisible).keys()], 'bernoulli');
    expect(totalVariation(exact.p, prior.p)).toBeGreaterThan(0.3);
    const chains = 4000;
    const evidence = matrix(Float32Array.from({ length: chains * nVisible }, (_, i) => e[i % nVisible]), chains, nVisible);
    const none = matrix(new Float32Array(chains * nVisible), chains, nVisible);
    const { samples } = await fillIn(rbm, none, none, { steps: 30, seed: 2, evidence: { field: evidence } });
    const counts = new Array<number>(exact.states.length).fill(0);
    for (let r = 0; r < chains; r++) {
      const row = Array.from(samples.data.subarray(r * nVisible, (r + 1) * nVisible));
      counts[exact.states.findIndex((x) => x.every((y, t) => y === row[t]))]++;
    }
    expect(totalVariation(counts.map((c) => c / chains), exact.p)).toBeLessThan(0.06);
  });

  for (const withEvidence of [false, true]) {
    it(`Gaussian visible units${withEvidence ? ', evidence on the missing ones' : ''}: the means match the exact conditional means`, async () => {
      const nVisible = 5;
      const nHidden = 3;
      const rbm = randomRbm(nVisible, nHidden, 'gaussian', 4);
      const logStd = Float32Array.from([0.3, -0.2, 0.1, -0.4, 0.2]);
      rbm.params.visibleLogStd = logStd;
      const { weights, visibleBias: a, hiddenBias: b } = rbm.params;
      const sigma = Array.from(logStd, Math.exp);
      const v = [0.7, -1.2];
      // Evidence exp(e v - lambda v^2 / 2) on the missing units, as from noisy observations 1.5, -2, 0.5 of std 0.5.
      const e = withEvidence ? [0, 0, 6, -8, 2] : [0, 0, 0, 0, 0];
      const lambda = withEvidence ? [0, 0, 4, 4, 4] : [0, 0, 0, 0, 0];
      // In u = v / sigma, -E = -sum (u - alpha)^2 / 2 + b.h + u W h, alpha = a / sigma; with the evidence a missing
      // u_i has precision P = 1 + sigma^2 lambda and linear term L = alpha + s + sigma e (s = W h): integrating it
      // out leaves L^2 / (2 P) (up to terms free of h), and E[v_i | h] = sigma L / P.
      let total = 0;
      const expected = new Float64Array(nVisible);
      for (let code = 0; code < 2 ** nHidden; code++) {
        const h = Array.from({ length: nHidden }, (_, mu) => (code >> mu) & 1);
        const s = Array.from({ length: nVisible }, (_, i) => h.reduce((acc, x, mu) => acc + x * weights[i * nHidden + mu], 0));
        const precision = sigma.map((sd, i) => 1 + sd * sd * lambda[i]);
        const linear = sigma.map((sd, i) => a[i] / sd + s[i] + sd * e[i]);
        let logWeight = h.reduce((acc, x, mu) => acc + x * b[mu], 0);
        for (let i = 0; i < nVisible; i++) logWeight += i < v.length ? (v[i] / sigma[i]) * s[i] : linear[i] ** 2 / (2 * precision[i]);
        const w = Math.exp(logWeight);
        total += w;
        for (let i = v.length; i < nVisible; i++) expected[i] += (w * sigma[i] * linear[i]) / precision[i];
      }
      const chains = 2000;
      const rows = (f: (i: number) => number): ReturnType<typeof matrix> => matrix(Float32Array.from({ length: chains * nVisible }, (_, i) => f(i % nVisible)), chains, nVisible);
      const visible = rows((i) => (i < v.length ? v[i] : 0));
      const observed = rows((i) => (i < v.length ? 1 : 0));
      const evidence = { field: rows((i) => e[i]), precision: rows((i) => lambda[i]) };
      const { means } = await fillIn(rbm, visible, observed, { steps: 40, seed: 1, evidence });
      for (let i = v.length; i < nVisible; i++) {
        let average = 0;
        for (let r = 0; r < chains; r++) average += means.data[r * nVisible + i] / chains;
        expect(Math.abs(average - expected[i] / total)).toBeLessThan(0.05);
      }
    });
  }
});

describe('fillIn checks its input', () => {
  it('rejects a softmax group that is partly observed, a mask that is not 0/1, and mismatched shapes', async () => {
    const rbm = randomRbm(6, 2, 'softmax:3', 0);
    const v = matrix(Float32Array.from([1, 0, 0, 0, 1, 0]), 1, 6);
    await expect(fillIn(rbm, v, matrix(Float32Array.from([1, 1, 0, 0, 0, 0]), 1, 6))).rejects.toThrow(/group 0 of row 0 is partly observed/);
    await expect(fillIn(rbm, v, matrix(Float32Array.from([1, 1, 1, 0.5, 0.5, 0.5]), 1, 6))).rejects.toThrow(/0 or 1/);
    await expect(fillIn(rbm, v, matrix(new Float32Array(12), 2, 6))).rejects.toThrow(/observed is 2 x 6/);
    const none = matrix(new Float32Array(6), 1, 6);
    await expect(fillIn(rbm, v, none, { evidence: { field: matrix(new Float32Array(3), 1, 3) } })).rejects.toThrow(/evidence field is 1 x 3/);
    await expect(fillIn(rbm, v, none, { evidence: { field: none, precision: none } })).rejects.toThrow(/precision needs Gaussian visible units/);
    await expect(fillIn(rbm, v, matrix(new Float32Array(6), 1, 6), { steps: 4, averageOver: 5 })).rejects.toThrow(/averageOver/);
  });

  it('is seeded: the same seed gives the same fill-in', async () => {
    const rbm = randomRbm(6, 3, 'bernoulli', 2);
    const v = matrix(new Float32Array(60), 10, 6);
    const observed = matrix(Float32Array.from({ length: 60 }, (_, i) => (i % 6 < 2 ? 1 : 0)), 10, 6);
    const a = await fillIn(rbm, v, observed, { steps: 30, seed: 7 });
    const b = await fillIn(rbm, v, observed, { steps: 30, seed: 7 });
    expect(a.samples.data).toEqual(b.samples.data);
    expect(a.means.data).toEqual(b.means.data);
  });
});

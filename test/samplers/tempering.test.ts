import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { parameterInputs, rbmMachine } from '../../src/models/rbm-graph.js';
import { DBM, dbmInputs } from '../../src/models/dbm.js';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { temperatureLadder, temperingStep } from '../../src/samplers/tempering.js';
import { bernoulli } from '../../src/units/index.js';
import { freeEnergyOf, stateIndex, visibleChainLaw, visibleState } from '../reference/rbm-exact.js';

const engine = createNodeEngine({ threads: 2 });

/** p_beta(v) of the RBM with couplings tempered by beta, by enumeration: exp(-F(v; beta W)) / Z_beta. */
function temperedMarginal(rbm: RBM, beta: number): Float64Array {
  const tempered = { ...rbm, ...rbm.params, weights: rbm.params.weights.map((w) => w * beta) };
  const weights = Float64Array.from({ length: 2 ** rbm.nVisible }, (_, s) => Math.exp(-freeEnergyOf(tempered, visibleState(rbm.nVisible, s))));
  const z = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / z);
}

const totalVariation = (p: ArrayLike<number>, q: ArrayLike<number>): number => 0.5 * Array.from(p).reduce((acc, x, s) => acc + Math.abs(x - q[s]), 0);

describe('parallel tempering', () => {
  it('has the default ladder from 1 down to 1 / replicas', () => {
    expect(Array.from(temperatureLadder(4))).toEqual([1, 0.75, 0.5, 0.25]);
    expect(Array.from(temperatureLadder(2))).toEqual([1, 0.5]);
    for (const bad of [1, 2.5]) expect(() => temperatureLadder(bad)).toThrow(`temperatures must be an integer >= 2, got ${bad}`);
  });

  it('leaves every replica at its exact tempered distribution, with swaps accepted', async () => {
    // Strong couplings make the beta = 1 marginal multimodal; each replica's visible histogram must match
    // p_beta(v) by enumeration, which fails when the swap's acceptance ratio is wrong.
    const nVisible = 5;
    const nHidden = 3;
    const rbm = RBM.create(engine, { nVisible, nHidden, seed: 2, weightScale: 2.5 });
    const rng = new RandomStream(3);
    rbm.params.visibleBias.forEach((_, i, a) => (a[i] = -1 + 0.3 * rng.normal()));
    const betas = Float32Array.from([1, 0.75, 0.45, 0.3, 0.1]);
    const chains = 2000;
    const g = new Graph('pt-test', 5);
    const values = parameterInputs(g, nVisible, nHidden, { visible: bernoulli, hidden: bernoulli });
    const step = temperingStep(rbmMachine(values), [g.input('chains', 'float32', [betas.length * chains, nVisible])], betas, chains, 1);
    expect(step.chains[1], 'no chains of the odd layer').toBeUndefined();
    g.output('chains_next', step.chains[0]!);
    g.output('swap_rate', step.swapRate);

    const counts = Array.from(betas, () => new Float64Array(2 ** nVisible));
    const swapRates: Float32Array[] = [];
    let state: Float32Array = new Float32Array(betas.length * chains * nVisible);
    const burnIn = 30;
    const steps = 130;
    await engine.withProgram(g, async (program) => {
      for (let t = 0; t < steps; t++) {
        const out = await program.run({ ...rbm.parameterFeeds(), chains: engine.float32(state, [betas.length * chains, nVisible]) });
        state = out.chains_next.data as Float32Array;
        if (t < burnIn) continue;
        swapRates.push(out.swap_rate.data as Float32Array);
        for (let row = 0; row < betas.length * chains; row++) counts[Math.floor(row / chains)][stateIndex(state, row, nVisible)] += 1;
      }
    });
    betas.forEach((beta, r) => {
      const exact = temperedMarginal(rbm, beta);
      const total = counts[r].reduce((a, b) => a + b, 0);
      const tv = totalVariation(exact, counts[r].map((c) => c / total));
      expect(tv, `replica ${r} (beta ${beta})`).toBeLessThan(0.015);
    });
    // Each pair's acceptance rate against its exact expectation under the product of the tempered joints,
    // within 5 standard errors (batch means of 10 steps).
    const exactRates = swapAcceptance(rbm, betas);
    exactRates.forEach((exact, r) => {
      const batches = Array.from({ length: 10 }, (_, b) => swapRates.slice(10 * b, 10 * b + 10).reduce((acc, rates) => acc + rates[r], 0) / 10);
      const mean = batches.reduce((a, b) => a + b, 0) / batches.length;
      const se = Math.sqrt(batches.reduce((acc, x) => acc + (x - mean) ** 2, 0) / (batches.length - 1) / batches.length);
      expect(Math.abs(mean - exact), `swaps between replicas ${r} and ${r + 1}`).toBeLessThan(5 * se);
    });
  });
});

/**
 * The expected acceptance of an exchange between replicas r and r + 1 when both are at their tempered joints
 * p_beta(v, h) proportional to exp(a.v + b.h + beta v^T W h): the mean over x ~ p_r, y ~ p_{r+1} of
 * min(1, exp((beta_r - beta_{r+1}) (C(y) - C(x)))), C = v^T W h. By enumeration of (v, h).
 */
function swapAcceptance(rbm: RBM, betas: Float32Array): number[] {
  const { nVisible, nHidden } = rbm;
  const { weights, visibleBias, hiddenBias } = rbm.params;
  const states = Array.from({ length: 2 ** (nVisible + nHidden) }, (_, s) => {
    const v = visibleState(nVisible, s & ((1 << nVisible) - 1));
    const h = visibleState(nHidden, s >> nVisible);
    let bias = 0;
    let coupling = 0;
    v.forEach((x, i) => (bias += x * visibleBias[i]));
    h.forEach((x, j) => (bias += x * hiddenBias[j]));
    v.forEach((x, i) => h.forEach((y, j) => (coupling += x * y * weights[i * nHidden + j])));
    return { bias, coupling };
  });
  const joint = (beta: number): number[] => {
    const w = states.map(({ bias, coupling }) => Math.exp(bias + beta * coupling));
    const z = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / z);
  };
  return Array.from({ length: betas.length - 1 }, (_, r) => {
    const [lower, upper] = [joint(betas[r]), joint(betas[r + 1])];
    let rate = 0;
    lower.forEach((p, x) => upper.forEach((q, y) => (rate += p * q * Math.min(1, Math.exp((betas[r] - betas[r + 1]) * (states[y].coupling - states[x].coupling))))));
    return rate;
  });
}

describe('one parallel-tempering step', () => {
  it('is k sweeps of each replica, then the exchanges: at equal temperatures replica 0 takes replica 1\'s state, whose law is K^k(v1, .)', async () => {
    const nVisible = 5;
    const nHidden = 3;
    const rbm = RBM.create(engine, { nVisible, nHidden, seed: 4, weightScale: 2 });
    const chains = 50000;
    const betas = Float32Array.from([1, 1]);
    // replica 0 starts at 0, replica 1 at v1; with equal betas every exchange is accepted (log ratio 0)
    const v1 = [1, 0, 1, 1, 0];
    const start = new Float32Array(2 * chains * nVisible);
    for (let c = 0; c < chains; c++) start.set(v1, (chains + c) * nVisible);
    const tv = async (k: number): Promise<number> => {
      const g = new Graph(`pt-step-${k}`, 9);
      const values = parameterInputs(g, nVisible, nHidden, { visible: bernoulli, hidden: bernoulli });
      const step = temperingStep(rbmMachine(values), [g.input('chains', 'float32', [2 * chains, nVisible])], betas, chains, k);
      g.output('chains_next', step.chains[0]!);
      g.output('swap_rate', step.swapRate);
      const out = await engine.withProgram(g, (program) => program.run({ ...rbm.parameterFeeds(), chains: engine.float32(start, [2 * chains, nVisible]) }));
      expect(Array.from(out.swap_rate.data as Float32Array)).toEqual([1]);
      const next = out.chains_next.data as Float32Array;
      const counts = new Float64Array(2 ** nVisible);
      for (let c = 0; c < chains; c++) counts[stateIndex(next, c, nVisible)] += 1 / chains;
      return totalVariation(law(k), counts);
    };
    const law = (k: number): Float64Array => visibleChainLaw({ ...rbm, ...rbm.params }, Float32Array.from(v1), 1, k);
    for (const k of [1, 2]) expect(await tv(k), `k = ${k}`).toBeLessThan(0.01);
    // a sweep more or fewer would be seen: K(v1, .) and K^2(v1, .) are far apart
    expect(totalVariation(law(1), law(2))).toBeGreaterThan(0.05);
  });
});

describe('parallel tempering on a DBM (any machine)', () => {
  it('leaves every replica of the even layers (v, h2) at its exact tempered marginal, h1 summed out', async () => {
    const sizes = [3, 3, 2];
    const dbm = DBM.create(engine, { sizes, seed: 6, weightScale: 2 });
    const rng = new RandomStream(7);
    dbm.params.biases.forEach((b) => b.forEach((_, i, a) => (a[i] = -0.5 + 0.5 * rng.normal())));
    const betas = Float32Array.from([1, 0.5]);
    const chains = 2000;
    const g = new Graph('dbm-pt-test', 8);
    const machine = dbmInputs(g, sizes);
    const inputs = [g.input('x0', 'float32', [2 * chains, 3]), undefined, g.input('x2', 'float32', [2 * chains, 2])];
    const step = temperingStep(machine, inputs, betas, chains, 1);
    g.output('x0_next', step.chains[0]!);
    g.output('x2_next', step.chains[2]!);
    g.output('swap_rate', step.swapRate);

    // p_beta(v, h2) by enumeration: exp(b0.v + b2.h2) prod_j (1 + exp(b1_j + beta (v W0 + W1 h2)_j)).
    const [w0, w1] = dbm.params.weights;
    const [b0, b1, b2] = dbm.params.biases;
    const bit = (s: number, i: number): number => (s >> i) & 1;
    const exact = Array.from(betas, (beta) => {
      const weights = Array.from({ length: 32 }, (_, s) => {
        let logW = 0;
        for (let i = 0; i < 3; i++) logW += b0[i] * bit(s, i);
        for (let m = 0; m < 2; m++) logW += b2[m] * bit(s, 3 + m);
        for (let j = 0; j < 3; j++) {
          let field = 0;
          for (let i = 0; i < 3; i++) field += bit(s, i) * w0[i * 3 + j];
          for (let m = 0; m < 2; m++) field += w1[j * 2 + m] * bit(s, 3 + m);
          logW += Math.log1p(Math.exp(b1[j] + beta * field));
        }
        return Math.exp(logW);
      });
      const z = weights.reduce((a, b) => a + b, 0);
      return weights.map((w) => w / z);
    });

    const counts = Array.from(betas, () => new Float64Array(32));
    let x0: Float32Array = new Float32Array(2 * chains * 3);
    let x2: Float32Array = new Float32Array(2 * chains * 2);
    let swapRate = 0;
    const burnIn = 30;
    const steps = 130;
    await engine.withProgram(g, async (program) => {
      for (let t = 0; t < steps; t++) {
        const out = await program.run({ ...dbm.parameterFeeds(), x0: engine.float32(x0, [2 * chains, 3]), x2: engine.float32(x2, [2 * chains, 2]) });
        x0 = out.x0_next.data as Float32Array;
        x2 = out.x2_next.data as Float32Array;
        if (t < burnIn) continue;
        swapRate += (out.swap_rate.data as Float32Array)[0] / (steps - burnIn);
        for (let row = 0; row < 2 * chains; row++) {
          let s = 0;
          for (let i = 0; i < 3; i++) s += x0[row * 3 + i] << i;
          for (let m = 0; m < 2; m++) s += x2[row * 2 + m] << (3 + m);
          counts[Math.floor(row / chains)][s] += 1;
        }
      }
    });
    betas.forEach((beta, r) => {
      const total = counts[r].reduce((a, b) => a + b, 0);
      const tv = totalVariation(exact[r], counts[r].map((c) => c / total));
      expect(tv, `replica ${r} (beta ${beta})`).toBeLessThan(0.015);
    });
    expect(swapRate).toBeGreaterThan(0.05);
    expect(swapRate).toBeLessThan(0.999);
  });
});

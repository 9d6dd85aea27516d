/**
 * What each unit type states on the host, against independent expectations: its support (its own draws are in
 * it, other values are not, with the message), its initial bias (the unit's mean at that bias is the data's),
 * its learned std, its noise and the noise's evidence (log p(noisy | x) differences written out by hand).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { bernoulli, binomial, gaussian, isBinary, LOG_STD_RANGE, relu, softmax, spin, unitType, type UnitType } from '../../src/units/index.js';
import { evaluate, numbers } from '../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const ALL: readonly UnitType[] = [bernoulli, spin, gaussian, relu, softmax(3), binomial(3)];

/** Draws x ~ p(x | field) from the unit's graph, for `rows` rows of N(0, 3^2) fields over `n` units. */
async function drawsOf(units: UnitType, rows: number, n: number): Promise<Float32Array> {
  const rng = new RandomStream(11);
  const g = new Graph(`draws-${units.name}`, 3);
  const field = g.input('field', 'float32', [rows, n]);
  const out = await evaluate(engine, g, { sample: units.sample(field, units.mean(field)) }, {
    field: engine.float32(Float32Array.from({ length: rows * n }, () => 3 * rng.normal()), [rows, n]),
  });
  return Float32Array.from(numbers(out.sample));
}

describe.each(ALL.map((u) => [u.name, u] as const))('%s units: support', (_name, units) => {
  it('holds every draw of the unit (and each group of draws is a state)', async () => {
    const k = units.groupSize;
    const draws = await drawsOf(units, 200, 6);
    expect(draws.every((x) => units.support.contains(x))).toBe(true);
    for (let g = 0; g < draws.length; g += k) expect(units.support.groupFault?.(draws.subarray(g, g + k), 'visible')).toBeUndefined();
  });
});

describe('support: values outside, with the message', () => {
  it.each([
    ['bernoulli', 0.5, /^Bernoulli visible units need values 0 or 1: binarize the data with --binarize threshold or --binarize stochastic$/],
    ['spin', 0, /^spin visible units need values -1 or \+1$/],
    ['relu', -0.25, /^relu visible units need values >= 0$/],
    ['softmax:3', 0.5, /^softmax:3 visible units need one-hot groups: values 0 or 1$/],
    ['gaussian', Number.NaN, /^gaussian visible units need finite values$/],
    ['binomial:3', 4, /^binomial:3 visible units need whole numbers from 0 to 3$/],
    ['binomial:3', 1.5, /^binomial:3 visible units need whole numbers from 0 to 3$/],
    ['binomial:3', -1, /^binomial:3 visible units need whole numbers from 0 to 3$/],
  ] as const)('%s refuses %s', (name, value, message) => {
    const units = unitType(name);
    expect(units.support.contains(value)).toBe(false);
    expect(units.support.need('visible')).toMatch(message);
  });

  it('softmax groups need exactly one 1', () => {
    const { support } = softmax(3);
    expect(support.groupFault?.([0, 1, 0], 'visible')).toBeUndefined();
    expect(support.groupFault?.([1, 1, 0], 'visible')).toBe('hold 2 ones, but softmax:3 visible units need exactly one per group');
    expect(support.groupFault?.([0, 0, 0], 'visible')).toBe('hold 0 ones, but softmax:3 visible units need exactly one per group');
  });

  it('two-state units: their states are their support, and only {0, 1} is binary', () => {
    for (const units of ALL) {
      if (units.states !== undefined) expect(units.states.every((x) => units.support.contains(x))).toBe(true);
    }
    expect(ALL.filter(isBinary)).toEqual([bernoulli]);
    // a unit type of a user's own, with other states
    expect(([[0, 2], [1, 0], [-1, 1]] as const).map((states) => isBinary({ ...bernoulli, states }))).toEqual([false, false, false]);
    expect(spin.states).toEqual([-1, 1]);
  });

  it('stochastic binarisation is the default of Bernoulli units only', () => {
    expect(['bernoulli', 'spin', 'gaussian', 'relu', 'softmax:3', 'binomial:3'].map((name) => unitType(name).binarization)).toEqual(['stochastic', 'none', 'none', 'none', 'none', 'none']);
  });

  it('binomial units take a whole number of trials N >= 2 (N = 1 is bernoulli)', () => {
    for (const trials of [1, 0, 2.5, Number.NaN]) expect(() => binomial(trials)).toThrow(RangeError);
    expect(binomial(2).name).toBe('binomial:2');
  });
});

describe('initialBias: the unit\'s mean at that bias is the data mean', () => {
  const means = [0.02, 0.3, 0.5, 0.9, 0.995];

  it('Bernoulli: sigmoid(bias) = m; finite for m = 0 and 1', () => {
    for (const m of means) expect(sigmoid(bernoulli.initialBias(m))).toBeCloseTo(m, 10);
    expect(sigmoid(bernoulli.initialBias(0))).toBeCloseTo(0.001, 10);
    expect(sigmoid(bernoulli.initialBias(1))).toBeCloseTo(0.999, 10);
  });

  it('spin: tanh(bias) = m; finite for m = -1 and +1', () => {
    for (const m of means.map((p) => 2 * p - 1)) expect(Math.tanh(spin.initialBias(m))).toBeCloseTo(m, 10);
    expect(Number.isFinite(spin.initialBias(-1)) && Number.isFinite(spin.initialBias(1))).toBe(true);
  });

  it('softmax: softmax(bias) of a group is its means', () => {
    const m = [0.2, 0.5, 0.3];
    const e = m.map((x) => Math.exp(softmax(3).initialBias(x)));
    const total = e.reduce((a, b) => a + b, 0);
    e.forEach((x, i) => expect(x / total).toBeCloseTo(m[i], 10));
  });

  it('binomial:3: 3 sigmoid(bias) = m; finite for m = 0 and 3', () => {
    for (const m of means.map((p) => 3 * p)) expect(3 * sigmoid(binomial(3).initialBias(m))).toBeCloseTo(m, 10);
    expect(3 * sigmoid(binomial(3).initialBias(3))).toBeCloseTo(3 * 0.999, 10);
  });

  it('Gaussian: bias m and log std of the data, within LOG_STD_RANGE; ReLU: 0', () => {
    expect(gaussian.initialBias(-3.5)).toBe(-3.5);
    const { learnedStd } = gaussian;
    expect(learnedStd?.logStdRange).toBe(LOG_STD_RANGE);
    expect(learnedStd?.initialLogStd(2.5)).toBeCloseTo(Math.log(2.5), 12);
    expect(learnedStd?.initialLogStd(0)).toBe(LOG_STD_RANGE.min);
    expect(learnedStd?.initialLogStd(1e9)).toBe(LOG_STD_RANGE.max);
    expect(relu.initialBias(4)).toBe(0);
    expect(ALL.filter((u) => u.learnedStd !== undefined)).toEqual([gaussian]);
  });
});

describe('addNoise', () => {
  const n = 20000;

  it.each(['bernoulli', 'spin'])('%s: each unit changes to its other state with probability p', (name) => {
    const units = unitType(name);
    const [low, high] = units.states!;
    const clean = Float32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? low : high));
    const x = Float32Array.from(clean);
    units.addNoise(x, 0.3, new RandomStream(1));
    const changed = x.filter((v, i) => v !== clean[i]).length / n;
    expect(x.every((v) => v === low || v === high)).toBe(true);
    expect(Math.abs(changed - 0.3)).toBeLessThan(5 * Math.sqrt((0.3 * 0.7) / n));
  });

  it('binomial:3: each unit is reflected, x -> 3 - x, with probability p', () => {
    const clean = Float32Array.from({ length: n }, (_, i) => i % 4);
    const x = Float32Array.from(clean);
    binomial(3).addNoise(x, 0.3, new RandomStream(1));
    expect(x.every((v, i) => v === clean[i] || v === 3 - clean[i])).toBe(true);
    // 0 <-> 3 and 1 <-> 2: every reflection changes the value.
    const changed = x.filter((v, i) => v !== clean[i]).length / n;
    expect(Math.abs(changed - 0.3)).toBeLessThan(5 * Math.sqrt((0.3 * 0.7) / n));
  });

  it('ReLU: N(0, p^2) added, then clipped at 0', () => {
    const x = new Float32Array(n).fill(1);
    relu.addNoise(x, 2, new RandomStream(2));
    expect(x.every((v) => v >= 0)).toBe(true);
    // P(1 + 2 z < 0) = P(z < -1/2) = 0.3085.
    expect(Math.abs(x.filter((v) => v === 0).length / n - 0.3085)).toBeLessThan(0.02);
  });
});

describe('noiseEvidence: e x - l x^2 / 2 differs between clean values x as log p(noisy | x) does', () => {
  const p = 0.2;

  it.each(['bernoulli', 'spin'])('%s: a flip with probability p', (name) => {
    const units = unitType(name);
    const states = units.states!;
    for (const noisy of states) {
      const e = units.noiseEvidence!(noisy, p, 1);
      const logLikelihood = (x: number): number => Math.log(x === noisy ? 1 - p : p);
      expect(e.field * (states[1] - states[0])).toBeCloseTo(logLikelihood(states[1]) - logLikelihood(states[0]), 10);
      expect(e.precision).toBeUndefined();
    }
  });

  it('softmax:3: a move to each other category with probability p / 2', () => {
    const units = softmax(3);
    const noisy = [0, 0, 1];
    const field = noisy.map((x) => units.noiseEvidence!(x, p, 1).field);
    // Clean one-hot e_k: e . x = field_k; log p(noisy | e_k) = log(1 - p) for k = 2, log(p / 2) otherwise.
    const logLikelihood = [Math.log(p / 2), Math.log(p / 2), Math.log(1 - p)];
    for (const k of [0, 1]) expect(field[2] - field[k]).toBeCloseTo(logLikelihood[2] - logLikelihood[k], 10);
  });

  it('Gaussian: N(0, p^2) in units `scale` times the unit\'s, so s = p / scale', () => {
    const noisy = 0.7;
    const scale = 4;
    const s = p / scale;
    const e = gaussian.noiseEvidence!(noisy, p, scale);
    const logLikelihood = (x: number): number => -((noisy - x) ** 2) / (2 * s * s);
    const energy = (x: number): number => e.field * x - (e.precision! * x * x) / 2;
    for (const x of [-1, 0.3, 2]) expect(energy(x) - energy(0)).toBeCloseTo(logLikelihood(x) - logLikelihood(0), 8);
  });

  it('none for ReLU units (clipped noise) and binomial units (a reflection is not linear in x)', () => {
    expect(relu.noiseEvidence).toBeUndefined();
    expect(binomial(3).noiseEvidence).toBeUndefined();
  });
});

describe('unit types travel parsed', () => {
  it('unitType returns a unit type given as it is', () => {
    expect(unitType(gaussian)).toBe(gaussian);
    expect(unitType('gaussian')).toBe(gaussian);
  });

  it('only Gaussian units carry their own default learning rate', () => {
    expect(ALL.map((u) => u.learningRate)).toEqual([undefined, undefined, 0.001, undefined, undefined, undefined]);
  });
});

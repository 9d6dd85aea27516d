/**
 * The factored gated RBM against brute-force float64 enumeration of every (y, h) of a tiny machine of 3
 * inputs, 4 outputs, 3 mapping units and 5 factors (test/reference/gated-rbm-exact.ts): its conditionals
 * E[h | x, y] and E[y | x, h], log p(y | x) and log Z(x), the RBM given an input; and its chain of y given x,
 * whose samples must follow p(y | x) state by state.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { gatedRbmLogLikelihood } from '../../src/estimators/gated-rbm-likelihood.js';
import { decodeModel, encodeModel } from '../../src/io/model-codec.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { GatedRBM } from '../../src/models/gated-rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { joinColumns, matrix, sliceColumns } from '../../src/tensor/matrix.js';
import { expectAllClose } from '../helpers/reference.js';
import { everyBinaryState, randomBinary } from '../helpers/random-data.js';
import { bits, exactLogConditional, exactLogZ, exactMappingMean, exactOutputMean } from '../reference/gated-rbm-exact.js';
import { exactLogPartition } from '../../src/estimators/exact-log-partition.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const [I, J, K, F] = [3, 4, 3, 5];

/** A tiny gated RBM with factors N(0, 1) and biases N(0, 0.5^2): strong enough interactions that a wrong product shows. */
function tinyModel(seed: number): GatedRBM {
  const model = GatedRBM.create(engine, { nInput: I, nOutput: J, nHidden: K, nFactors: F, seed, weightScale: 1 });
  const other = GatedRBM.create(engine, { nInput: 1, nOutput: J, nHidden: K, nFactors: 1, seed: seed + 100, weightScale: 0.5 });
  model.params.outputBias.set(other.params.outputFactors);
  model.params.hiddenBias.set(other.params.hiddenFactors);
  return model;
}

/** Every pair of an input of `inputs` and every output state: [rows * 2^J, I + J]. */
function everyPair(inputs: readonly number[][]): { pairs: ReturnType<typeof matrix>; x: number[][]; y: number[][] } {
  const x: number[][] = [];
  const y: number[][] = [];
  for (const input of inputs) {
    for (let s = 0; s < 2 ** J; s++) {
      x.push(input);
      y.push(bits(s, J));
    }
  }
  return { pairs: matrix(Float32Array.from(x.flatMap((xi, r) => [...xi, ...y[r]])), x.length, I + J), x, y };
}

const inputs = [
  [1, 0, 1],
  [0, 1, 1],
  [1, 1, 1],
];

describe('GatedRBM against enumeration', () => {
  const model = tinyModel(1);

  it('gives E[h | x, y] for every output of each input', async () => {
    const { pairs, x, y } = everyPair(inputs);
    const h = await model.transform(pairs);
    expect([h.rows, h.cols]).toEqual([pairs.rows, K]);
    for (let r = 0; r < pairs.rows; r++) expectAllClose(h.data.subarray(r * K, (r + 1) * K), exactMappingMean(model, x[r], y[r]), { atol: 1e-5 }, `pair ${r}`);
  });

  it('answers analogies with E[y | x\', E[h | x, y]]', async () => {
    const { pairs, x, y } = everyPair([inputs[0]]);
    const newInputs = matrix(Float32Array.from({ length: pairs.rows * I }, (_, i) => inputs[1 + (Math.floor(i / I) % 2)][i % I]), pairs.rows, I);
    const answers = await model.analogy(pairs, newInputs);
    for (let r = 0; r < pairs.rows; r++) {
      const h = exactMappingMean(model, x[r], y[r]);
      // E[y | x', h] is linear in h given x' (the field is), so at the mean of h it is the conditional at h's mean.
      expectAllClose(answers.data.subarray(r * J, (r + 1) * J), exactOutputMean(model, newInputs.data.subarray(r * I, (r + 1) * I), h), { atol: 1e-5 }, `pair ${r}`);
    }
  });

  it('reconstructs y through the mapping units and keeps x', async () => {
    const { pairs, x, y } = everyPair([inputs[2]]);
    const { reconstructions, squaredErrors } = await model.reconstruct(pairs);
    for (let r = 0; r < pairs.rows; r++) {
      const expected = exactOutputMean(model, x[r], exactMappingMean(model, x[r], y[r]));
      expectAllClose(reconstructions.data.subarray(r * (I + J), (r + 1) * (I + J)), [...x[r], ...expected], { atol: 1e-5 }, `pair ${r}`);
      expect(squaredErrors[r]).toBeCloseTo(expected.reduce((s, m, j) => s + (m - y[r][j]) ** 2, 0), 5);
    }
  });

  it('scores log p(y | x) exactly: the mean over pairs, log Z(x) of each input', async () => {
    const { pairs, x, y } = everyPair(inputs);
    const r = await gatedRbmLogLikelihood(model, pairs, { method: 'exact' });
    const expected = x.reduce((s, xi, row) => s + exactLogConditional(model, xi, y[row]), 0) / x.length;
    expect(r.logLikelihood).toBeCloseTo(expected, 4);
    expect([r.logLikelihoodLow, r.logLikelihoodHigh]).toEqual([r.logLikelihood, r.logLikelihood]);
    expect(r.logZ).toBeCloseTo(inputs.reduce((s, xi) => s + exactLogZ(model, xi), 0) / inputs.length, 4);
    // Every output of each input scored: the probabilities of each input's outputs sum to 1.
    for (let i = 0; i < inputs.length; i++) {
      const total = Array.from({ length: 2 ** J }, (_, s) => Math.exp(exactLogConditional(model, inputs[i], bits(s, J)))).reduce((a, b) => a + b);
      expect(total).toBeCloseTo(1, 10);
    }
    expect(r.rowsBelowFloor).toBe(0);
    expect(r.logZFloor).toBeLessThanOrEqual(r.logZ + 1e-6);
    expect(r.logLikelihoodCeiling).toBeGreaterThanOrEqual(r.logLikelihood - 1e-6);
    // The ceiling from the floors: mean(-F) - mean(floor), the floor of each pair from its own y at least -F(y).
    const meanNegF = x.reduce((s, xi, row) => s + exactLogConditional(model, xi, y[row]) + exactLogZ(model, xi), 0) / x.length;
    expect(r.logLikelihoodCeiling).toBeCloseTo(meanNegF - r.logZFloor, 4);
  });

  it('scores log p(y | x) by one annealing per pair, within 3 of its standard errors of the exact value', async () => {
    const mild = GatedRBM.create(engine, { nInput: I, nOutput: J, nHidden: K, nFactors: F, seed: 4, weightScale: 0.5 });
    const { pairs, x, y } = everyPair([inputs[2]]);
    const r = await gatedRbmLogLikelihood(mild, pairs, { method: 'ais', chains: 50, betas: 300, seed: 2 });
    const expected = x.reduce((s, xi, row) => s + exactLogConditional(mild, xi, y[row]), 0) / x.length;
    expect(r.logZStdErr).toBeGreaterThan(0);
    expect(Math.abs(r.logLikelihood - expected)).toBeLessThan(3 * r.logZStdErr);
    expect([r.logLikelihoodLow, r.logLikelihoodHigh]).toEqual([r.logLikelihood - 3 * r.logZStdErr, r.logLikelihood + 3 * r.logZStdErr]);
    expect(r.rowsBelowFloor).toBe(0);
  });

  it('given an input, is the RBM of y and h with weights W(x)', async () => {
    for (const x of inputs) expect(await exactLogPartition(model.givenInput(x))).toBeCloseTo(exactLogZ(model, x), 4);
    expect(() => model.givenInput([1, 0])).toThrow(/2 input values, expected 3/);
  });

  it('samples y given x from p(y | x), state by state, and keeps each chain\'s input', async () => {
    const chains = 3000;
    const x = inputs[1];
    const start = joinColumns(matrix(Float32Array.from({ length: chains * I }, (_, i) => x[i % I]), chains, I), randomBinary(chains, J, 7));
    const { samples, means } = await model.sample(chains, { start, steps: 30, seed: 3 });
    expect(Array.from(sliceColumns(samples, 0, I).data)).toEqual(Array.from(start.data.filter((_, i) => i % (I + J) < I)));
    expect(Array.from(sliceColumns(means, 0, I).data)).toEqual(Array.from(sliceColumns(samples, 0, I).data));
    const counts = new Array<number>(2 ** J).fill(0);
    const y = sliceColumns(samples, I, I + J);
    for (let r = 0; r < chains; r++) counts[y.data.subarray(r * J, (r + 1) * J).reduce((s, b, j) => s + (b << j), 0)]++;
    for (let s = 0; s < 2 ** J; s++) {
      const p = Math.exp(exactLogConditional(model, x, bits(s, J)));
      // Within 5 binomial standard errors of the exact probability of the state.
      expect(Math.abs(counts[s] / chains - p), `state ${s}: p ${p}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / chains) + 1e-3);
    }
  });
});

describe('GatedRBM files and refusals', () => {
  it('round-trips through its file, every tensor and fact kept', () => {
    const model = tinyModel(2);
    model.epochsTrained = 7;
    const { model: back, metadata } = decodeModel(engine, encodeModel(model, { note: 'x' }), 'gated.safetensors');
    expect(back.kind).toBe('gated-rbm');
    expect(back.describe()).toEqual(model.describe());
    expect(metadata.note).toBe('x');
  });

  it('refuses a file whose factor matrices disagree on the factors, or whose outputs would learn a std', () => {
    const f32 = (shape: number[]) => ({ dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const tensors = { input_factors: f32([2, 4]), output_factors: f32([3, 4]), hidden_factors: f32([2, 3]), output_bias: f32([3]), hidden_bias: f32([2]) };
    const meta = { format: 'boltzmann/1', kind: 'gated-rbm', visible: 'bernoulli', hidden: 'bernoulli' };
    expect(() => decodeModel(engine, encodeSafetensors(tensors, meta), 'm.safetensors')).toThrow(/^m.safetensors: tensor "hidden_factors" has 3 factors but "input_factors" has 4$/);
    const good = { ...tensors, hidden_factors: f32([2, 4]) };
    expect(decodeModel(engine, encodeSafetensors(good, meta), 'm.safetensors').model.kind).toBe('gated-rbm');
    expect(() => decodeModel(engine, encodeSafetensors(good, { ...meta, visible: 'gaussian' }), 'm.safetensors')).toThrow(/outputs have no learned std/);
    expect(() => decodeModel(engine, encodeSafetensors({ ...good, weights: f32([2, 2]) }, meta), 'm.safetensors')).toThrow(/unknown tensor "weights"/);
  });

  it('refuses pairs of another width, non-finite pairs and inputs of another size, with one line', async () => {
    const model = tinyModel(3);
    await expect(model.transform(everyBinaryState(5))).rejects.toThrow(UserError);
    await expect(model.transform(matrix(Float32Array.of(1, 0, 1, NaN, 0, 0, 1), 1, 7))).rejects.toThrow(/pairs: example 0, feature 3/);
    await expect(model.analogy(everyPair([inputs[0]]).pairs, matrix(new Float32Array(16 * 2), 16, 2))).rejects.toThrow(/inputs are 16 x 2, expected 16 x 3/);
    expect(() => GatedRBM.create(engine, { nInput: 2, nOutput: 3, nHidden: 2, nFactors: 2, output: 'gaussian' })).toThrow(/no learned std/);
  });
});

/**
 * The DBM's joint training step, checked in float64 from the step's own statistics. Centering
 * (src/training/dbm-centering.ts): by enumeration of every state of a 4-3-2 machine, the centred energy equals
 * the plain energy of the converted biases up to a constant; one centred step is the plain image of the step
 * in centred coordinates. Fast-weights PCD: the chains sample the model plus fast parameters, which decay and
 * follow the likelihood gradient. (Joint training itself is tested in dbm.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { centredBiases, plainBiases } from '../../src/training/dbm-centering.js';
import { OFFSET_DECAY } from '../../src/training/options.js';
import { DBM, dbmNames } from '../../src/models/dbm.js';
import { buildDbmStep, defaultDbmFitOptions } from '../../src/training/fit-dbm.js';
import { chainsName, fastName, samplerNames } from '../../src/samplers/negative-phase.js';
import { RandomStream } from '../../src/random/stream.js';
import type { TensorMap } from '../../src/runtime/engine.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import { MinibatchRows } from '../../src/training/minibatch.js';
import { optimizerNames } from '../../src/training/optimizers.js';
import { nextName } from '../../src/graph/state.js';
import { stepNames } from '../../src/training/step-names.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const bits = (n: number, s: number): number[] => Array.from({ length: n }, (_, i) => (s >> i) & 1);

/** -(sum_l b_l . (x_l - c_l) + sum_l (x_l - c_l)^T W_l (x_{l+1} - c_{l+1})) in float64: the centred energy, or the plain one with c = 0. */
function energy(sizes: number[], weights: Float32Array[], biases: ArrayLike<number>[], x: number[][], c: number[][]): number {
  const d = x.map((xl, l) => xl.map((v, i) => v - c[l][i]));
  let s = 0;
  d.forEach((dl, l) => dl.forEach((v, i) => (s += v * biases[l][i])));
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let i = 0; i < sizes[l]; i++) for (let j = 0; j < sizes[l + 1]; j++) s += d[l][i] * weights[l][i * sizes[l + 1] + j] * d[l + 1][j];
  }
  return -s;
}

/** A 5-4-3 DBM with random biases and a batch of 6 random binary examples, for one step. */
function stepCase(seed: number) {
  const sizes = [5, 4, 3];
  const dbm = DBM.create(engine, { sizes, seed, weightScale: 0.5 });
  const rng = new RandomStream(seed + 1);
  dbm.params.biases.forEach((b) => b.forEach((_, i, a) => (a[i] = 0.5 * rng.normal())));
  const batch = 6;
  const data = matrix(Float32Array.from({ length: batch * 5 }, () => (rng.uniform() < 0.5 ? 1 : 0)), batch, 5);
  const minibatches = new MinibatchRows(engine, batch, { [stepNames.examples]: data });
  minibatches.select([0, 1, 2, 3, 4, 5], 0);
  return { sizes, dbm, rng, batch, data, minibatchFeeds: minibatches.feeds };
}

/** The model's statistics of a 5-4-3 step: the chains' even layers x0, x2 and layer 1 at its mean sigmoid(b1 + x0 W0 + W1 x2) given them. */
function modelStates(x0: Float32Array, x2: Float32Array, w0: ArrayLike<number>, w1: ArrayLike<number>, b1: ArrayLike<number>): Float32Array[] {
  const rows = x0.length / 5;
  const x1 = Float32Array.from({ length: rows * 4 }, (_, k) => {
    const [r, j] = [Math.floor(k / 4), k % 4];
    let field = b1[j];
    for (let i = 0; i < 5; i++) field += x0[r * 5 + i] * w0[i * 4 + j];
    for (let m = 0; m < 3; m++) field += w1[j * 3 + m] * x2[r * 3 + m];
    return 1 / (1 + Math.exp(-field));
  });
  return [x0, x1, x2];
}

/** <(x_l - c_l)_i (x_{l+1} - c_{l+1})_j> over the rows of layer states x (sizes 5, 4, 3), offsets c (zeros: plain). */
function correlation(x: ArrayLike<number>[], c: ArrayLike<number>[], l: number, i: number, j: number): number {
  const sizes = [5, 4, 3];
  const rows = x[l].length / sizes[l];
  let s = 0;
  for (let r = 0; r < rows; r++) s += (x[l][r * sizes[l] + i] - c[l][i]) * (x[l + 1][r * sizes[l + 1] + j] - c[l + 1][j]);
  return s / rows;
}

/** <x_l,i> over the rows of layer states x (sizes 5, 4, 3). */
function average(x: ArrayLike<number>[], l: number, i: number): number {
  const n = [5, 4, 3][l];
  const rows = x[l].length / n;
  let s = 0;
  for (let r = 0; r < rows; r++) s += x[l][r * n + i];
  return s / rows;
}

describe('DBM centering', () => {
  it('the centred energy is the plain energy of the converted biases plus a constant, over every state', () => {
    const sizes = [4, 3, 2];
    const rng = new RandomStream(11);
    const weights = sizes.slice(1).map((n, l) => Float32Array.from({ length: sizes[l] * n }, () => rng.normal()));
    const centred = sizes.map((n) => Float32Array.from({ length: n }, () => rng.normal()));
    const offsets = sizes.map((n) => Array.from({ length: n }, () => rng.uniform()));
    const plain = plainBiases(sizes, weights, centred, offsets);
    const zero = sizes.map((n) => new Array<number>(n).fill(0));
    const gaps: number[] = [];
    for (let s = 0; s < 2 ** 9; s++) {
      const x = [bits(4, s), bits(3, s >> 4), bits(2, s >> 7)];
      gaps.push(energy(sizes, weights, centred, x, offsets) - energy(sizes, weights, plain, x, zero));
    }
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0], 4);
    expect(Math.abs(gaps[0])).toBeGreaterThan(0.01); // the constant is not trivially 0
    const back = centredBiases(sizes, weights, plain, offsets);
    back.forEach((b, l) => b.forEach((x, i) => expect(x).toBeCloseTo(centred[l][i], 5)));
  });

  it('one centred step is the plain image of the centred gradient step, computed from its own statistics', async () => {
    const { sizes, dbm, rng, batch, data, minibatchFeeds } = stepCase(3);
    const o = { ...defaultDbmFitOptions, batchSize: batch, chains: 7, k: 2, momentum: 0, weightDecay: 0, meanFieldIterations: 5, centering: true };
    const { graph, optimizerState } = buildDbmStep(sizes, batch, o, 9);
    expect(optimizerState).toEqual([]);
    const offsets = sizes.map((n) => Float32Array.from({ length: n }, () => rng.uniform()));
    const chains = sizes.map((n) => Float32Array.from({ length: o.chains * n }, () => (rng.uniform() < 0.5 ? 1 : 0)));
    const lr = 0.3;
    const feeds: TensorMap = { ...dbm.parameterFeeds(), ...minibatchFeeds, [optimizerNames.learningRate]: engine.scalar(lr) };
    sizes.forEach((n, l) => {
      feeds[dbmNames.offset(l)] = engine.float32(offsets[l], [n]);
      if (l % 2 === 0) feeds[chainsName(l)] = engine.float32(chains[l], [o.chains, n]);
    });
    const out = await engine.withProgram(graph, (program) => program.run(feeds));
    const get = (name: string) => out[nextName(name)].data as Float32Array;
    const model = modelStates(get(chainsName(0)), get(chainsName(2)), dbm.params.weights[0], dbm.params.weights[1], dbm.params.biases[1]);
    const means = [data.data, ...(await dbm.meanField(data, o.meanFieldIterations)).map((m) => m.data)];
    // The step in centred coordinates: W += lr <(x_l - c_l)(x_{l+1} - c_{l+1})^T>_data - <...>_model, b' += lr (<x_l>_data - <x_l>_model).
    const weights = dbm.params.weights.map((w, l) => Float32Array.from(w, (x, k) => {
      const [i, j] = [Math.floor(k / sizes[l + 1]), k % sizes[l + 1]];
      return x + lr * (correlation(means, offsets, l, i, j) - correlation(model, offsets, l, i, j));
    }));
    const centred = centredBiases(sizes, dbm.params.weights, dbm.params.biases, offsets).map((b, l) => Float32Array.from(b, (x, i) => x + lr * (average(means, l, i) - average(model, l, i))));
    const expected = plainBiases(sizes, weights, centred, offsets);
    weights.forEach((w, l) => get(dbmNames.weights(l)).forEach((x, k) => expect(x).toBeCloseTo(w[k], 4)));
    expected.forEach((b, l) => get(dbmNames.bias(l)).forEach((x, i) => expect(x).toBeCloseTo(b[i], 4)));
    offsets.forEach((c, l) => get(dbmNames.offset(l)).forEach((x, i) => expect(x).toBeCloseTo(OFFSET_DECAY * c[i] + (1 - OFFSET_DECAY) * average(means, l, i), 5)));
  });
});

describe('DBM fast-weights PCD', () => {
  it('one step: chains of the model plus fast parameters, which decay and follow <.>_data - <.>_model', async () => {
    const { sizes, dbm, rng, batch, data, minibatchFeeds } = stepCase(5);
    const [decay, fastRate, lr] = [0.9, 0.5, 0.3];
    const o = { ...defaultDbmFitOptions, sampler: 'fpcd' as const, fastDecay: decay, batchSize: batch, chains: 7, k: 2, momentum: 0, weightDecay: 0, meanFieldIterations: 5 };
    const { graph, samplerState } = buildDbmStep(sizes, batch, o, 9);
    const names = [...sizes.slice(1).map((_, l) => dbmNames.weights(l)), ...sizes.map((_, l) => dbmNames.bias(l))];
    expect(samplerState.map((x) => x.name).sort()).toEqual([chainsName(0), chainsName(2), ...names.map(fastName)].sort());
    const fast: Record<string, Float32Array> = {};
    const feeds: TensorMap = { ...dbm.parameterFeeds(), ...minibatchFeeds, [optimizerNames.learningRate]: engine.scalar(lr), [samplerNames.fastLearningRate]: engine.scalar(fastRate) };
    for (const { name, dims } of samplerState) {
      const size = dims.reduce((a, b) => a * b, 1);
      const isFast = name.endsWith('_fast');
      const values = Float32Array.from({ length: size }, () => (isFast ? 0.5 * rng.normal() : rng.uniform() < 0.5 ? 1 : 0));
      if (isFast) fast[name] = values;
      feeds[name] = engine.float32(values, dims);
    }
    const out = await engine.withProgram(graph, (program) => program.run(feeds));
    const get = (name: string) => out[nextName(name)].data as Float32Array;
    // The chains sample the model plus fast parameters: layer 1's mean given them is under W + W_fast, b + b_fast.
    const sampled = (name: string, values: ArrayLike<number>) => Float32Array.from(values, (x, i) => x + fast[fastName(name)][i]);
    const model = modelStates(get(chainsName(0)), get(chainsName(2)), sampled(dbmNames.weights(0), dbm.params.weights[0]), sampled(dbmNames.weights(1), dbm.params.weights[1]), sampled(dbmNames.bias(1), dbm.params.biases[1]));
    const means = [data.data, ...(await dbm.meanField(data, o.meanFieldIterations)).map((m) => m.data)];
    const zeros = sizes.map((n) => new Float32Array(n));
    for (let l = 0; l < 2; l++) {
      const gradient = (k: number) => correlation(means, zeros, l, Math.floor(k / sizes[l + 1]), k % sizes[l + 1]) - correlation(model, zeros, l, Math.floor(k / sizes[l + 1]), k % sizes[l + 1]);
      get(fastName(dbmNames.weights(l))).forEach((x, k) => expect(x).toBeCloseTo(decay * fast[fastName(dbmNames.weights(l))][k] + fastRate * gradient(k), 4));
      get(dbmNames.weights(l)).forEach((x, k) => expect(x).toBeCloseTo(dbm.params.weights[l][k] + lr * gradient(k), 4));
    }
    for (let l = 0; l < 3; l++) {
      const gradient = (i: number) => average(means, l, i) - average(model, l, i);
      get(fastName(dbmNames.bias(l))).forEach((x, i) => expect(x).toBeCloseTo(decay * fast[fastName(dbmNames.bias(l))][i] + fastRate * gradient(i), 4));
    }
  });
});

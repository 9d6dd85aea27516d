import { describe, expect, it } from 'vitest';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { nextName } from '../../src/graph/state.js';
import { fastName } from '../../src/samplers/negative-phase.js';
import { adamMomentNames, stepNames } from '../../src/training/step-names.js';
import { expectAllClose } from '../helpers/reference.js';
import { runStep } from '../helpers/step-feeds.js';

const engine = createNodeEngine({ threads: 2 });
const nVisible = 7;
const nHidden = 5;

function randomRbm(seed: number): RBM {
  const rng = new RandomStream(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, seed, weightScale: 0.8 });
  rbm.params.visibleBias.forEach((_, i, a) => (a[i] = 0.5 * rng.normal()));
  rbm.params.hiddenBias.forEach((_, i, a) => (a[i] = 0.5 * rng.normal()));
  return rbm;
}

function randomBinary(rows: number, cols: number, seed: number): Matrix {
  const rng = new RandomStream(seed);
  return matrix(Float32Array.from({ length: rows * cols }, () => (rng.uniform() < 0.4 ? 1 : 0)), rows, cols);
}

function randomVector(n: number, seed: number, scale = 0.5, offset = 0): Matrix {
  const rng = new RandomStream(seed);
  return matrix(Float32Array.from({ length: n }, () => offset + scale * rng.uniform()), 1, n);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** E[h | v] of each row of v [rows, nVisible], in float64, with the given parameters. */
function hiddenMeans(v: Matrix, weights: ArrayLike<number>, hiddenBias: ArrayLike<number>): Float64Array {
  const out = new Float64Array(v.rows * nHidden);
  for (let r = 0; r < v.rows; r++) {
    for (let j = 0; j < nHidden; j++) {
      let x = hiddenBias[j];
      for (let i = 0; i < nVisible; i++) x += v.data[r * nVisible + i] * weights[i * nHidden + j];
      out[r * nHidden + j] = sigmoid(x);
    }
  }
  return out;
}

const mean = (x: ArrayLike<number>, rows: number, cols: number): Float64Array => {
  const m = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) m[j] += x[r * cols + j] / rows;
  return m;
};

/**
 * The centred statistics from their definition: <(v - mu)(h - lambda)^T>_data - <...>_model, and the
 * differences of <v> and <h>; with mu = lambda = 0 the plain log-likelihood gradient.
 */
function centredStatistics(data: Matrix, dataHidden: Float64Array, model: Matrix, modelHidden: Float64Array, mu: ArrayLike<number>, lambda: ArrayLike<number>) {
  const correlation = new Float64Array(nVisible * nHidden);
  const add = (v: Matrix, h: Float64Array, sign: number): void => {
    for (let r = 0; r < v.rows; r++) {
      for (let i = 0; i < nVisible; i++) {
        for (let j = 0; j < nHidden; j++) correlation[i * nHidden + j] += (sign * (v.data[r * nVisible + i] - mu[i]) * (h[r * nHidden + j] - lambda[j])) / v.rows;
      }
    }
  };
  add(data, dataHidden, 1);
  add(model, modelHidden, -1);
  const dv = mean(data.data, data.rows, nVisible).map((x, i) => x - mean(model.data, model.rows, nVisible)[i]);
  const dh = mean(dataHidden, data.rows, nHidden).map((x, j) => x - mean(modelHidden, model.rows, nHidden)[j]);
  return { correlation, dv, dh };
}

describe('the ascent direction of a training step', () => {
  const rbm = randomRbm(1);
  const data = randomBinary(12, nVisible, 2);
  const chains = randomBinary(9, nVisible, 3);
  const tolerance = { rtol: 1e-4, atol: 2e-6 };

  it('centred: the gradient in centred coordinates, mapped back to the plain parameters', async () => {
    const mu = randomVector(nVisible, 4, 0.8, 0.1);
    const lambda = randomVector(nHidden, 5, 0.8, 0.1);
    const { out, change } = await runStep(rbm, data, {
      spec: { centering: true },
      state: { [stepNames.chains]: chains, [stepNames.visibleOffset]: mu, [stepNames.hiddenOffset]: lambda },
    });
    const model = matrix(out[nextName(stepNames.chains)].data as Float32Array, chains.rows, nVisible);
    const dataHidden = hiddenMeans(data, rbm.params.weights, rbm.params.hiddenBias);
    const c = centredStatistics(data, dataHidden, model, hiddenMeans(model, rbm.params.weights, rbm.params.hiddenBias), mu.data, lambda.data);
    // E = -(v - mu)^T W (h - lambda) - a~.(v - mu) - b~.(h - lambda): W = W, a = a~ - W lambda, b = b~ - W^T mu.
    const da = c.dv.map((x, i) => x - c.correlation.slice(i * nHidden, (i + 1) * nHidden).reduce((acc, w, j) => acc + w * lambda.data[j], 0));
    const db = c.dh.map((x, j) => x - Array.from({ length: nVisible }, (_, i) => c.correlation[i * nHidden + j] * mu.data[i]).reduce((a, b) => a + b, 0));
    expectAllClose(change('weights'), c.correlation, tolerance, 'weights');
    expectAllClose(change('visible_bias'), da, tolerance, 'visible bias');
    expectAllClose(change('hidden_bias'), db, tolerance, 'hidden bias');
    // The offsets follow the data: mu' = 0.99 mu + 0.01 <v>_data, lambda' = 0.99 lambda + 0.01 <h>_data.
    const dataMean = mean(data.data, data.rows, nVisible);
    expectAllClose(out[nextName(stepNames.visibleOffset)].data as Float32Array, mu.data.map((m, i) => 0.99 * m + 0.01 * dataMean[i]), tolerance, 'mu');
    const hiddenMean = mean(dataHidden, data.rows, nHidden);
    expectAllClose(out[nextName(stepNames.hiddenOffset)].data as Float32Array, lambda.data.map((l, j) => 0.99 * l + 0.01 * hiddenMean[j]), tolerance, 'lambda');
  });

  it('with sparsity, L1 and L2 penalties', async () => {
    const activity = randomVector(nHidden, 6, 0.6, 0.2);
    const [target, cost, l1, weightDecay] = [0.1, 0.3, 0.02, 0.05];
    const { out, change } = await runStep(rbm, data, {
      spec: { sparsityTarget: target, sparsityCost: cost, l1 },
      state: { [stepNames.chains]: chains, [stepNames.hiddenActivity]: activity },
      weightDecay,
    });
    const model = matrix(out[nextName(stepNames.chains)].data as Float32Array, chains.rows, nVisible);
    const dataHidden = hiddenMeans(data, rbm.params.weights, rbm.params.hiddenBias);
    const plain = centredStatistics(data, dataHidden, model, hiddenMeans(model, rbm.params.weights, rbm.params.hiddenBias), new Float64Array(nVisible), new Float64Array(nHidden));
    const dataMean = mean(data.data, data.rows, nVisible);
    const excess = activity.data.map((q) => cost * (q - target));
    const w = rbm.params.weights;
    const dW = plain.correlation.map((x, ij) => x - dataMean[Math.floor(ij / nHidden)] * excess[ij % nHidden] - l1 * Math.sign(w[ij]) - weightDecay * w[ij]);
    expectAllClose(change('weights'), dW, tolerance, 'weights');
    expectAllClose(change('visible_bias'), plain.dv, tolerance, 'visible bias');
    expectAllClose(change('hidden_bias'), plain.dh.map((x, j) => x - excess[j]), tolerance, 'hidden bias');
    const hiddenMean = mean(dataHidden, data.rows, nHidden);
    expectAllClose(out[nextName(stepNames.hiddenActivity)].data as Float32Array, activity.data.map((q, j) => 0.95 * q + 0.05 * hiddenMean[j]), tolerance, 'activity');
  });

  it('Adam: the first step moves each parameter by the learning rate along the sign of its gradient', async () => {
    const plain = await runStep(rbm, data, { state: { [stepNames.chains]: chains }, seed: 7 });
    const adam = await runStep(rbm, data, { spec: { optimizer: 'adam' }, state: { [stepNames.chains]: chains }, seed: 7, learningRate: 1e-3 });
    for (const name of ['weights', 'visible_bias', 'hidden_bias']) {
      const gradient = plain.change(name);
      const step = adam.change(name);
      gradient.forEach((g, i) => {
        if (Math.abs(g) > 1e-3) expect(step[i], name).toBeCloseTo(Math.sign(g), 3);
      });
      expect(adam.out[nextName(adamMomentNames(name)[0])].data, name).toBeDefined();
    }
    expect((adam.out[nextName(stepNames.adamStep)].data as Float32Array)[0]).toBe(1);
  });

  it('max-norm: hidden units whose weight vector grew past the limit are scaled back to it', async () => {
    const free = await runStep(rbm, data, { state: { [stepNames.chains]: chains }, seed: 8 });
    const unlimited = free.out[nextName('weights')].data as Float32Array;
    const norms = Array.from({ length: nHidden }, (_, j) => Math.hypot(...Array.from({ length: nVisible }, (_, i) => unlimited[i * nHidden + j])));
    const limit = [...norms].sort((a, b) => a - b)[Math.floor(nHidden / 2)]; // the median: some units above, some below
    const limited = await runStep(rbm, data, { spec: { maxNorm: limit }, state: { [stepNames.chains]: chains }, seed: 8 });
    const got = limited.out[nextName('weights')].data as Float32Array;
    let scaled = 0;
    for (let j = 0; j < nHidden; j++) {
      const factor = Math.min(1, limit / norms[j]);
      if (factor < 1) scaled++;
      for (let i = 0; i < nVisible; i++) expect(got[i * nHidden + j]).toBeCloseTo(unlimited[i * nHidden + j] * factor, 5);
    }
    expect(scaled).toBeGreaterThan(0);
    expect(scaled).toBeLessThan(nHidden);
  });
});

describe('fast-weights PCD', () => {
  const rbm = randomRbm(11);
  const data = randomBinary(12, nVisible, 12);
  const chains = randomBinary(9, nVisible, 13);

  it('with zero fast weights samples and learns exactly as PCD', async () => {
    const pcd = await runStep(rbm, data, { state: { [stepNames.chains]: chains }, seed: 9 });
    const fpcd = await runStep(rbm, data, { spec: { sampler: 'fpcd' }, state: { [stepNames.chains]: chains }, seed: 9, fastLearningRate: 0.5 });
    for (const name of [stepNames.chains, 'weights', 'visible_bias', 'hidden_bias']) {
      expect(Array.from(fpcd.out[nextName(name)].data as Float32Array), name).toEqual(Array.from(pcd.out[nextName(name)].data as Float32Array));
    }
  });

  it('samples the model plus fast weights, which decay and follow the likelihood gradient', async () => {
    const fastWeights = randomVector(nVisible * nHidden, 14, 2, -1);
    const fastHidden = randomVector(nHidden, 15, 1, -0.5);
    const [decay, rate] = [0.9, 0.5];
    const { out } = await runStep(rbm, data, {
      spec: { sampler: 'fpcd', fastDecay: decay },
      state: { [stepNames.chains]: chains, [fastName('weights')]: matrix(fastWeights.data, nVisible, nHidden), [fastName('hidden_bias')]: fastHidden },
      fastLearningRate: rate,
    });
    const model = matrix(out[nextName(stepNames.chains)].data as Float32Array, chains.rows, nVisible);
    const sumWeights = rbm.params.weights.map((w, i) => w + fastWeights.data[i]);
    const sumHidden = rbm.params.hiddenBias.map((b, j) => b + fastHidden.data[j]);
    const plain = centredStatistics(data, hiddenMeans(data, rbm.params.weights, rbm.params.hiddenBias), model, hiddenMeans(model, sumWeights, sumHidden), new Float64Array(nVisible), new Float64Array(nHidden));
    expectAllClose(out[nextName(fastName('weights'))].data as Float32Array, fastWeights.data.map((f, i) => decay * f + rate * plain.correlation[i]), { rtol: 1e-4, atol: 2e-6 }, 'fast weights');
    expectAllClose(out[nextName(fastName('hidden_bias'))].data as Float32Array, fastHidden.data.map((f, j) => decay * f + rate * plain.dh[j]), { rtol: 1e-4, atol: 2e-6 }, 'fast hidden bias');
  });
});

describe('parallel tempering in the training step', () => {
  it('takes the model statistics from the replica at beta = 1: the first `chains` rows of the next chains', async () => {
    const rbm = randomRbm(21);
    const data = randomBinary(12, nVisible, 22);
    const perTemperature = 4;
    const chains = randomBinary(3 * perTemperature, nVisible, 23);
    const { out, change } = await runStep(rbm, data, { spec: { sampler: 'pt', temperatures: 3, chains: perTemperature }, state: { [stepNames.chains]: chains } });
    const next = out[nextName(stepNames.chains)].data as Float32Array;
    expect(next.length).toBe(3 * perTemperature * nVisible);
    const statisticsOf = (replica: number) => {
      const model = matrix(next.slice(replica * perTemperature * nVisible, (replica + 1) * perTemperature * nVisible), perTemperature, nVisible);
      const zeros = [new Float64Array(nVisible), new Float64Array(nHidden)];
      return centredStatistics(data, hiddenMeans(data, rbm.params.weights, rbm.params.hiddenBias), model, hiddenMeans(model, rbm.params.weights, rbm.params.hiddenBias), zeros[0], zeros[1]);
    };
    const tolerance = { rtol: 1e-4, atol: 2e-6 };
    const cold = statisticsOf(0);
    expectAllClose(change('weights'), cold.correlation, tolerance, 'weights');
    expectAllClose(change('visible_bias'), cold.dv, tolerance, 'visible bias');
    expectAllClose(change('hidden_bias'), cold.dh, tolerance, 'hidden bias');
    // The hotter replicas' statistics differ: the check above tells the replicas apart.
    const hot = statisticsOf(1);
    expect(Math.max(...cold.correlation.map((x, i) => Math.abs(x - hot.correlation[i])))).toBeGreaterThan(0.05);
  });
});

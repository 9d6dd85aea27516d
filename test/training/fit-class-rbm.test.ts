/**
 * Training of the classification RBM: each objective's step against an independent account of its gradient
 * (the discriminative one against central differences of the exact -log p(y | x) by enumeration; the
 * generative one against the statistics of the data and of the chains the step returns; the hybrid one as
 * their sum with weight alpha), then whole runs that learn to classify, resume and refuse bad input.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { nextName } from '../../src/graph/state.js';
import { classRbmNames } from '../../src/models/class-rbm-graph.js';
import { ClassRBM } from '../../src/models/class-rbm.js';
import { parameterNames } from '../../src/models/rbm-graph.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import type { TensorMap } from '../../src/runtime/engine.js';
import { chainsName } from '../../src/samplers/negative-phase.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { buildClassRbmStep, classStepNames, defaultClassRbmFitOptions, classification, fitClassRbm, oneHotRows, UNLABELLED, type ClassRbmFitOptions } from '../../src/training/fit-class-rbm.js';
import { minibatchNames } from '../../src/training/minibatch.js';
import { optimizerNames } from '../../src/training/optimizers.js';
import { expectAllClose } from '../helpers/reference.js';
import { randomBinary } from '../helpers/random-data.js';
import { CLASS_RBM_PARAMETERS, classRbmParameters, randomClassRbm } from '../helpers/class-rbm.js';
import { exactClassLogProbabilities } from '../reference/class-rbm-exact.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * One step on all of x (in order), learning rate 1, no momentum or decay, persistent chains at `chains`
 * (x and labels) when given: every output, and each parameter's change.
 */
async function oneStep(model: ClassRBM, x: Matrix, labels: Int32Array, options: Partial<ClassRbmFitOptions>, chains?: { x: Matrix; labels: Int32Array }) {
  const o: ClassRbmFitOptions = { ...defaultClassRbmFitOptions, batchSize: x.rows, momentum: 0, weightDecay: 0, chains: chains?.x.rows ?? 1, ...options };
  const { graph, samplerState, optimizerState } = buildClassRbmStep(model.shape, x.rows, o, 5);
  expect(optimizerState).toEqual([]);
  const given: Record<string, Matrix> = chains === undefined ? {} : { [chainsName(0)]: chains.x, [chainsName(2)]: oneHotRows(chains.labels, model.nClasses) };
  const targets = oneHotRows(labels, model.nClasses);
  const feeds: TensorMap = {
    ...model.parameterFeeds(),
    [minibatchNames.examples]: engine.float32(x.data, [x.rows, x.cols]),
    [classStepNames.targets]: engine.float32(targets.data, [targets.rows, targets.cols]),
    [minibatchNames.batchRows]: new engine.ort.Tensor('int64', BigInt64Array.from({ length: x.rows }, (_, i) => BigInt(i)), [x.rows]),
    [optimizerNames.learningRate]: engine.scalar(1),
  };
  for (const s of samplerState) feeds[s.name] = engine.float32(given[s.name].data, s.dims);
  const out = await engine.withProgram(graph, (program) => program.run(feeds));
  const change = (name: string): Float64Array => Float64Array.from(out[nextName(name)].data as Float32Array, (v, i) => v - (feeds[name].data as Float32Array)[i]);
  return { out, change };
}

/** -mean log p(y | x) over the rows, exactly. */
function exactClassLoss(model: ClassRBM, x: Matrix, labels: Int32Array): number {
  let loss = 0;
  for (let r = 0; r < x.rows; r++) loss -= exactClassLogProbabilities(model, x.data.subarray(r * x.cols, (r + 1) * x.cols))[labels[r]] / x.rows;
  return loss;
}

/** The gradient of exactClassLoss by central differences in each parameter. */
function lossGradient(model: ClassRBM, x: Matrix, labels: Int32Array, name: string): Float64Array {
  const values = classRbmParameters(model)[name];
  const eps = 1e-3;
  return Float64Array.from(values, (v, i) => {
    values[i] = v + eps;
    const up = exactClassLoss(model, x, labels);
    values[i] = v - eps;
    const down = exactClassLoss(model, x, labels);
    values[i] = v;
    return (up - down) / (2 * eps);
  });
}

/**
 * The change per unit learning rate that maximum likelihood of (x, y) asks for: the statistics x h^T, h y^T,
 * x, h, y of the data (h at E[h | x, y]; an unlabelled row's summed over y with weights p(y | x)) minus those
 * of the chains (h at its mean given their x and y).
 */
function likelihoodStatistics(model: ClassRBM, x: Matrix, labels: Int32Array, chainX: ArrayLike<number>, chainY: ArrayLike<number>, chains: number): Record<string, Float64Array> {
  const { nVisible: n, nHidden: H, nClasses: K } = model;
  const { weights, hiddenBias } = model.rbm.params;
  const U = model.labels.labelWeights;
  const stats = Object.fromEntries(CLASS_RBM_PARAMETERS.map((name) => [name, new Float64Array(classRbmParameters(model)[name].length)]));
  const add = (xs: ArrayLike<number>, ys: ArrayLike<number>, scale: number) => {
    const h = Array.from({ length: H }, (_, j) => {
      let field = hiddenBias[j];
      for (let i = 0; i < n; i++) field += xs[i] * weights[i * H + j];
      for (let k = 0; k < K; k++) field += U[j * K + k] * ys[k];
      return sigmoid(field);
    });
    for (let i = 0; i < n; i++) for (let j = 0; j < H; j++) stats[parameterNames.weights][i * H + j] += scale * xs[i] * h[j];
    for (let j = 0; j < H; j++) for (let k = 0; k < K; k++) stats[classRbmNames.labelWeights][j * K + k] += scale * h[j] * ys[k];
    for (let i = 0; i < n; i++) stats[parameterNames.visibleBias][i] += scale * xs[i];
    for (let j = 0; j < H; j++) stats[parameterNames.hiddenBias][j] += scale * h[j];
    for (let k = 0; k < K; k++) stats[classRbmNames.labelBias][k] += scale * ys[k];
  };
  for (let r = 0; r < x.rows; r++) {
    const xs = x.data.subarray(r * n, (r + 1) * n);
    // An unlabelled row: its class summed out, each class's statistics weighted by p(y = k | x).
    const weights = labels[r] === UNLABELLED ? exactClassLogProbabilities(model, xs).map(Math.exp) : Array.from({ length: K }, (_, k) => Number(k === labels[r]));
    weights.forEach((w, k) => add(xs, Array.from({ length: K }, (_, j) => Number(j === k)), w / x.rows));
  }
  for (let r = 0; r < chains; r++) add(Array.from({ length: n }, (_, i) => chainX[r * n + i]), Array.from({ length: K }, (_, k) => chainY[r * K + k]), -1 / chains);
  return stats;
}

describe('a classification RBM training step', () => {
  const model = randomClassRbm(engine, 1);
  const x = randomBinary(6, 4, 2);
  const labels = Int32Array.from([0, 1, 2, 2, 1, 0]);
  const chains = { x: randomBinary(5, 4, 3), labels: Int32Array.from([2, 0, 1, 1, 0]) };

  it('follows the exact gradient of -log p(y | x) when discriminative', async () => {
    const { out, change } = await oneStep(model, x, labels, { objective: 'discriminative' });
    expect((out[classStepNames.classLoss].data as Float32Array)[0]).toBeCloseTo(x.rows * exactClassLoss(model, x, labels), 4);
    for (const name of CLASS_RBM_PARAMETERS) expectAllClose(change(name), lossGradient(model, x, labels, name).map((g) => -g), { atol: 2e-3 }, name);
  });

  it('follows the data statistics minus the chains\' when generative', async () => {
    const { out, change } = await oneStep(model, x, labels, { objective: 'generative', sampler: 'pcd', k: 2 }, chains);
    const stats = likelihoodStatistics(model, x, labels, out[nextName(chainsName(0))].data as Float32Array, out[nextName(chainsName(2))].data as Float32Array, 5);
    for (const name of CLASS_RBM_PARAMETERS) expectAllClose(change(name), stats[name], { atol: 1e-5 }, name);
  });

  it('follows the statistics of -log p(x) for unlabelled rows, the class summed out, and counts only the labelled rows', async () => {
    const partly = Int32Array.from([0, UNLABELLED, 2, UNLABELLED, 1, 0]);
    const { out, change } = await oneStep(model, x, partly, { objective: 'generative', sampler: 'pcd', k: 1 }, chains);
    const stats = likelihoodStatistics(model, x, partly, out[nextName(chainsName(0))].data as Float32Array, out[nextName(chainsName(2))].data as Float32Array, 5);
    for (const name of CLASS_RBM_PARAMETERS) expectAllClose(change(name), stats[name], { atol: 1e-5 }, name);
    const predicted = await model.predict(x);
    expect((out[classStepNames.labelled].data as Float32Array)[0]).toBe(4);
    expect((out[classStepNames.errors].data as Float32Array)[0]).toBe(predicted.filter((k, r) => partly[r] !== UNLABELLED && k !== partly[r]).length);
    const labelledRows = [0, 2, 4, 5];
    let loss = 0;
    for (const r of labelledRows) loss -= exactClassLogProbabilities(model, x.data.subarray(r * 4, r * 4 + 4))[partly[r]];
    expect((out[classStepNames.classLoss].data as Float32Array)[0]).toBeCloseTo(loss, 4);
  });

  it('adds alpha times the generative step to the discriminative one when hybrid', async () => {
    const alpha = 0.3;
    const { out, change } = await oneStep(model, x, labels, { objective: 'hybrid', alpha, sampler: 'pcd', k: 1 }, chains);
    const stats = likelihoodStatistics(model, x, labels, out[nextName(chainsName(0))].data as Float32Array, out[nextName(chainsName(2))].data as Float32Array, 5);
    for (const name of CLASS_RBM_PARAMETERS) {
      const gradient = lossGradient(model, x, labels, name);
      expectAllClose(change(name), gradient.map((g, i) => -g + alpha * stats[name][i]), { atol: 2e-3 }, name);
    }
  });

  it('counts the rows it gets wrong, as classification does, whose loss is the exact -log p(y | x)', async () => {
    const { out } = await oneStep(model, x, labels, { objective: 'discriminative' });
    const predicted = await model.predict(x);
    const wrong = predicted.filter((k, r) => k !== labels[r]).length;
    expect(wrong).toBeGreaterThan(0);
    expect((out[classStepNames.errors].data as Float32Array)[0]).toBe(wrong);
    const measured = await classification(model, { examples: x, labels });
    expect(measured.error).toBe(wrong / x.rows);
    expect(measured.loss).toBeCloseTo(exactClassLoss(model, x, labels), 5);
  });
});

/** `perClass` noisy copies (each bit flipped with probability 0.1) of 3 prototypes of 12 bits, and their classes. */
function prototypes(perClass: number, seed: number): { examples: Matrix; labels: Int32Array } {
  const rng = new RandomStream(seed);
  const protos = [0b111100001111, 0b000011111111, 0b101010101010];
  const rows = 3 * perClass;
  const data = new Float32Array(rows * 12);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = r % 3;
    for (let i = 0; i < 12; i++) data[r * 12 + i] = ((protos[labels[r]] >> i) & 1) ^ Number(rng.uniform() < 0.1);
  }
  return { examples: matrix(data, rows, 12), labels };
}

describe('fitClassRbm', () => {
  const train = prototypes(100, 1);
  const test = prototypes(50, 2);

  for (const objective of ['discriminative', 'generative', 'hybrid'] as const) {
    it(`learns to classify, ${objective}`, async () => {
      const model = ClassRBM.create(engine, { nVisible: 12, nHidden: 8, nClasses: 3, seed: 3 });
      const before = (await classification(model, test)).error;
      const records = await fitClassRbm(model, train, { objective, epochs: 10, batchSize: 20, learningRate: 0.5, momentum: 0.5, heldOut: test, seed: 4 });
      expect(records).toHaveLength(10);
      expect(records.at(-1)!.heldOutError).toBe((await classification(model, test)).error);
      expect(before).toBeGreaterThan(0.3);
      expect(records.at(-1)!.heldOutError).toBeLessThan(0.05);
      expect(records.at(-1)!.classLoss).toBeLessThan(records[0].classLoss);
      expect(model.epochsTrained).toBe(10);
    });
  }

  it('learns from a few labelled rows and many unlabelled ones (semi-supervised, hybrid)', async () => {
    const few = { examples: train.examples, labels: train.labels.map((y, r) => (r < 15 ? y : UNLABELLED)) };
    const model = ClassRBM.create(engine, { nVisible: 12, nHidden: 8, nClasses: 3, seed: 3 });
    const records = await fitClassRbm(model, few, { objective: 'hybrid', alpha: 1, sampler: 'cd', epochs: 20, batchSize: 20, learningRate: 0.5, momentum: 0.5, heldOut: test, seed: 4 });
    expect(records.at(-1)!.heldOutError).toBeLessThan(0.1);
  });

  it('resumes where it stopped: 3 epochs then 2 more', async () => {
    const model = ClassRBM.create(engine, { nVisible: 12, nHidden: 8, nClasses: 3, seed: 3 });
    await fitClassRbm(model, train, { epochs: 3, batchSize: 20, sampler: 'pcd', chains: 10 });
    const more = await fitClassRbm(model, train, { epochs: 5, batchSize: 20, sampler: 'pcd', chains: 10 });
    expect(more.map((r) => r.epoch)).toEqual([4, 5]);
    expect(model.epochsTrained).toBe(5);
  });

  it('refuses labels out of range, a fast-weights sampler, a negative alpha and a learned visible std', async () => {
    const model = ClassRBM.create(engine, { nVisible: 12, nHidden: 8, nClasses: 3 });
    const bad = { examples: train.examples, labels: train.labels.map((y, r) => (r === 7 ? 3 : y)) };
    await expect(fitClassRbm(model, bad, { epochs: 1 })).rejects.toThrow('labels: example 7 (0-based) has label 3, not a class from 0 to 2 (nor -1: unlabelled)');
    const partly = { examples: train.examples, labels: train.labels.map((y, r) => (r < 10 ? y : UNLABELLED)) };
    await expect(fitClassRbm(model, partly, { epochs: 1, objective: 'discriminative' })).rejects.toThrow('unlabelled examples train the generative term only: use the generative or hybrid objective');
    await expect(fitClassRbm(model, { examples: train.examples, labels: train.labels.map(() => UNLABELLED) }, { epochs: 1 })).rejects.toThrow('labels: every example is unlabelled');
    await expect(fitClassRbm(model, train, { epochs: 1, sampler: 'fpcd' as 'pcd' })).rejects.toThrow(UserError);
    await expect(fitClassRbm(model, train, { epochs: 1, alpha: -1 })).rejects.toThrow(/alpha must be a finite number >= 0, got -1/);
    const gaussian = ClassRBM.create(engine, { nVisible: 12, nHidden: 8, nClasses: 3, visible: 'gaussian' });
    await expect(fitClassRbm(gaussian, train, { epochs: 1 })).rejects.toThrow(/without a learned std, not gaussian/);
    expect(model.epochsTrained).toBe(0);
  });
});

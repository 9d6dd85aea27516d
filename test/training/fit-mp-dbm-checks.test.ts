/**
 * Multi-prediction training in detail: one step of buildMpDbmStep's graph takes the optimiser the options
 * name (weight decay on the weights only, never the biases; momentum; Adam); centering starts at the data's
 * pixel and class frequencies and 1/2 for the hidden units; the epoch record's loss is the mean per-example
 * multi-prediction loss (exactly ln 2 per hidden variable for a model of zeros), its samplesPerSecond the
 * examples over the steps' time, and its heldOutError present exactly when held-out rows are given; and bad
 * data, held-out rows and options are refused with one exact line each, their boundary values accepted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { nextName } from '../../src/graph/state.js';
import { classRbmNames } from '../../src/models/class-rbm-graph.js';
import { dbmNames } from '../../src/models/dbm.js';
import { MpDBM } from '../../src/models/mp-dbm.js';
import { RandomStream } from '../../src/random/stream.js';
import type { TensorMap } from '../../src/runtime/engine.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { classification, oneHotRows } from '../../src/training/fit-class-rbm.js';
import { buildMpDbmStep, defaultMpDbmFitOptions, fitMpDbm, mpStepNames, type MpDbmFitOptions } from '../../src/training/fit-mp-dbm.js';
import { minibatchNames } from '../../src/training/minibatch.js';
import { optimizerNames } from '../../src/training/optimizers.js';
import { expectAllClose } from '../helpers/reference.js';
import { labelledPrototypes, randomMpDbm } from '../helpers/mp-dbm.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const SIZES = [9, 4, 3];
/** The parameters of a [9, 4, 3] model with 2 classes, by graph name: weights first, then biases. */
const WEIGHTS = [dbmNames.weights(0), dbmNames.weights(1), classRbmNames.labelWeights];
const BIASES = [dbmNames.bias(0), dbmNames.bias(1), dbmNames.bias(2), classRbmNames.labelBias];

/** A [9, 4, 3] model with 2 classes, weights N(0, 0.5^2) and every bias N(0, 0.5^2) (none zero). */
const randomModel = (seed: number): MpDBM => randomMpDbm(engine, SIZES, 2, seed, 0.5);

/** Every parameter's host values, copied, by graph name. */
function parameterValues(model: MpDBM): Record<string, Float32Array> {
  const feeds = model.parameterFeeds();
  return Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, Float32Array.from(t.data as Float32Array)]));
}

/**
 * Run one step of buildMpDbmStep's graph (graph seed `seed`) on all of x, in order, at learning rate `lr`;
 * the optimiser's state from `state` where given, else at its fill, and the offsets (when centred) from
 * `offsets`. Returns the outputs, the feeds, the optimiser's state tensors and each parameter's next value.
 */
async function oneStep(model: MpDBM, x: Matrix, labels: Int32Array, options: Partial<MpDbmFitOptions>, step: { lr?: number; seed?: number; state?: Record<string, Float32Array>; offsets?: Float32Array[] } = {}) {
  const o: MpDbmFitOptions = { ...defaultMpDbmFitOptions, batchSize: x.rows, momentum: 0, centering: false, ...options };
  const { graph, optimizerState } = buildMpDbmStep(model.shape, x.rows, o, step.seed ?? 3);
  const targets = oneHotRows(labels, model.nClasses);
  const feeds: TensorMap = {
    ...model.parameterFeeds(),
    [minibatchNames.examples]: engine.float32(x.data, [x.rows, x.cols]),
    [mpStepNames.targets]: engine.float32(targets.data, [targets.rows, targets.cols]),
    [minibatchNames.batchRows]: new engine.ort.Tensor('int64', BigInt64Array.from({ length: x.rows }, (_, i) => BigInt(i)), [x.rows]),
    [optimizerNames.learningRate]: engine.scalar(step.lr ?? 1),
  };
  for (const s of optimizerState) feeds[s.name] = engine.float32(step.state?.[s.name] ?? new Float32Array(s.dims.reduce((a, b) => a * b, 1)).fill(s.fill), s.dims);
  step.offsets?.forEach((b, l) => (feeds[mpStepNames.offset(l)] = engine.float32(b, [b.length])));
  const out = await engine.withProgram(graph, (program) => program.run(feeds));
  const next = (name: string): Float32Array => out[nextName(name)].data as Float32Array;
  const before = (name: string): Float32Array => feeds[name].data as Float32Array;
  return { out, next, before, optimizerState };
}

const lossOf = (out: TensorMap): number => (out[mpStepNames.loss].data as Float32Array)[0];

describe('the optimiser of the multi-prediction step', () => {
  const model = randomModel(5);
  const data = labelledPrototypes(12);

  it('decays the weights by weightDecay and leaves the biases\' step as without decay', async () => {
    const lr = 0.5;
    const weightDecay = 0.1;
    const plain = await oneStep(model, data.examples, data.labels, { weightDecay: 0 }, { lr });
    const decayed = await oneStep(model, data.examples, data.labels, { weightDecay }, { lr });
    expect(plain.optimizerState).toEqual([]);
    expect(decayed.optimizerState).toEqual([]);
    // The same masks (same seed, a fresh session each): the same loss.
    expect(lossOf(decayed.out)).toBe(lossOf(plain.out));
    for (const name of BIASES) {
      expect(decayed.before(name).some((b) => Math.abs(b) > 0.1), name).toBe(true);
      expect(Array.from(decayed.next(name)), name).toEqual(Array.from(plain.next(name)));
    }
    for (const name of WEIGHTS) {
      const w = decayed.before(name);
      const expected = Float64Array.from(plain.next(name), (p, i) => p - lr * weightDecay * w[i]);
      expectAllClose(decayed.next(name), expected, { atol: 1e-6 }, name);
      expect(Math.max(...w.map((x, i) => Math.abs(decayed.next(name)[i] - plain.next(name)[i]))), name).toBeGreaterThan(1e-3);
    }
  });

  it('follows momentum: v\' = momentum v - lr g, p\' = p + v\'', async () => {
    const lr = 0.5;
    const momentum = 0.5;
    const plain = await oneStep(model, data.examples, data.labels, { momentum: 0 }, { lr });
    const rng = new RandomStream(9);
    const state: Record<string, Float32Array> = {};
    for (const name of [...WEIGHTS, ...BIASES]) state[`${name}_velocity`] = Float32Array.from(plain.before(name), () => rng.normal());
    const moving = await oneStep(model, data.examples, data.labels, { momentum }, { lr, state });
    expect(moving.optimizerState.map((s) => s.name).sort()).toEqual(Object.keys(state).sort());
    for (const name of [...WEIGHTS, ...BIASES]) {
      const p = plain.before(name);
      const v = state[`${name}_velocity`];
      const velocity = Float64Array.from(p, (_, i) => momentum * v[i] + (plain.next(name)[i] - p[i]));
      expectAllClose(moving.out[nextName(`${name}_velocity`)].data as Float32Array, velocity, { atol: 1e-5 }, `${name} velocity`);
      expectAllClose(moving.next(name), Float64Array.from(p, (x, i) => x + velocity[i]), { atol: 1e-5 }, name);
    }
  });

  it('takes Adam\'s first step, lr times the sign of the gradient, when told (without centering)', async () => {
    const lr = 0.01;
    const plain = await oneStep(model, data.examples, data.labels, {}, { lr: 1 });
    const adam = await oneStep(model, data.examples, data.labels, { optimizer: 'adam' }, { lr });
    expect(adam.optimizerState.map((s) => s.name)).toContain(optimizerNames.adamStep);
    expect(adam.optimizerState.filter((s) => s.name.endsWith('_adam_m'))).toHaveLength(WEIGHTS.length + BIASES.length);
    let checked = 0;
    for (const name of [...WEIGHTS, ...BIASES]) {
      const p = plain.before(name);
      p.forEach((x, i) => {
        const sgdStep = plain.next(name)[i] - x; // -g
        if (Math.abs(sgdStep) < 1e-3) return;
        checked++;
        expect(adam.next(name)[i] - x, `${name}[${i}]`).toBeCloseTo(lr * Math.sign(sgdStep), 5);
      });
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('centering in fitMpDbm', () => {
  it('starts its offsets at the data\'s pixel and class frequencies and 1/2 for the hidden units', async () => {
    // Every row the same example, so that the shuffle of the epoch does not change the one minibatch of all rows.
    const rows = 8;
    const x = Float32Array.from([1, 0, 1, 1, 0, 0, 1, 0, 1]);
    const examples = matrix(Float32Array.from({ length: rows * 9 }, (_, i) => x[i % 9]), rows, 9);
    const labels = new Int32Array(rows).fill(1);
    const options: Partial<MpDbmFitOptions> = { epochs: 1, batchSize: rows, learningRate: 0.5, momentum: 0, centering: true, meanFieldIterations: 2, seed: 4 };
    const start = randomModel(6);
    const byHand = async (offsets: Float32Array[]) => {
      // fitMpDbm's graph seed is the first draw of RandomStream(seed) at epoch 0.
      const { next } = await oneStep(start, examples, labels, options, { lr: 0.5, seed: new RandomStream(4).seed(), offsets });
      return Object.fromEntries([...WEIGHTS, ...BIASES].map((name) => [name, Float32Array.from(next(name))]));
    };
    const half = (n: number) => new Float32Array(n).fill(0.5);
    const expected = await byHand([x, half(4), half(3), Float32Array.from([0, 1])]);
    const otherwise = await byHand([half(9), half(4), half(3), half(2)]);

    const model = randomModel(6);
    await fitMpDbm(model, { examples, labels }, options);
    const trained = parameterValues(model);
    for (const name of [...WEIGHTS, ...BIASES]) expectAllClose(trained[name], expected[name], { atol: 1e-6 }, name);
    // The offsets matter: other ones give another step.
    const differs = [...WEIGHTS, ...BIASES].some((name) => trained[name].some((w, i) => Math.abs(w - otherwise[name][i]) > 1e-4));
    expect(differs).toBe(true);
  });
});

describe('the epoch records of fitMpDbm', () => {
  /** A [9, 4, 3] model of zeros: every Q of a hidden pixel or label is 1/2, its cross-entropy ln 2. */
  function zeroModel(): MpDBM {
    const model = MpDBM.create(engine, { sizes: SIZES, nClasses: 2, seed: 1 });
    for (const w of [...model.dbm.params.weights, model.labels.labelWeights]) w.fill(0);
    return model;
  }

  it('reports the mean loss per example, ln 2 per hidden variable, and the examples per second of the steps, without heldOutError', async () => {
    const data = labelledPrototypes(60);
    const model = zeroModel();
    const before = parameterValues(model);
    const labelWeight = 10;
    const records = await fitMpDbm(model, data, { epochs: 3, batchSize: 10, learningRate: 0, centering: false, labelWeight, meanFieldIterations: 2, seed: 3 });
    expect(records).toHaveLength(3);
    // learning rate 0: nothing moves.
    const after = parameterValues(model);
    for (const name of Object.keys(before)) expect(Array.from(after[name]), name).toEqual(Array.from(before[name]));
    // Each example hides each of its 9 pixels with probability 1/2 (ln 2 each) and its label with 1/2
    // (labelWeight ln 2): per example ln 2 (9 + labelWeight) / 2 on average, with a standard error of
    // ln 2 sqrt(9 / 4 + labelWeight^2 / 4) / sqrt(60) over the 60 examples.
    const mean = (Math.LN2 * (9 + labelWeight)) / 2;
    const se = (Math.LN2 * Math.sqrt(9 / 4 + labelWeight ** 2 / 4)) / Math.sqrt(60);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(['epoch', 'learningRate', 'loss', 'samplesPerSecond', 'seconds']);
      expect(Math.abs(r.loss - mean)).toBeLessThan(5 * se);
      // 60 loss = ln 2 (hidden pixels + labelWeight hidden labels): a whole number of ln 2.
      const count = (60 * r.loss) / Math.LN2;
      expect(Math.abs(count - Math.round(count))).toBeLessThan(0.02);
      // samplesPerSecond = 60 / (the steps' seconds), and the steps take part of the epoch's seconds.
      expect(Number.isFinite(r.samplesPerSecond)).toBe(true);
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.samplesPerSecond * r.seconds).toBeGreaterThanOrEqual(60 * (1 - 1e-9));
    }
    expect(records.map((r) => r.epoch)).toEqual([1, 2, 3]);
  });

  it('reports the held-out error of mean-field classification after each epoch when given held-out rows', async () => {
    const data = labelledPrototypes(60);
    const heldOut = labelledPrototypes(20);
    const model = randomModel(8);
    const [record] = await fitMpDbm(model, data, { epochs: 1, batchSize: 10, learningRate: 0.1, heldOut, meanFieldIterations: 2, seed: 5 });
    expect(Object.keys(record)).toContain('heldOutError');
    expect(record.heldOutError).toBe((await classification(model, heldOut)).error);
  });
});

describe('refusals of fitMpDbm', () => {
  const data = labelledPrototypes(60);
  const model = MpDBM.create(engine, { sizes: SIZES, nClasses: 2, seed: 1 });
  const heldOutOf = (values: number[], cols: number, labels: number[]) => ({ examples: matrix(Float32Array.from(values), labels.length, cols), labels: Int32Array.from(labels) });

  /** The one-line UserError message of training with `options` on `train` (default: the prototypes). */
  async function refusal(options: Partial<MpDbmFitOptions>, train = data): Promise<string> {
    let caught: unknown;
    try {
      await fitMpDbm(model, train, { epochs: 1, batchSize: 10, ...options });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserError);
    const message = (caught as UserError).message;
    expect(message).not.toContain('\n');
    return message;
  }

  it('refuses training data that is not binary, naming it data', async () => {
    const examples = matrix(Float32Array.from(data.examples.data, (v, i) => (i === 13 ? 0.5 : v)), 60, 9);
    expect(await refusal({}, { examples, labels: data.labels })).toBe(
      'data: example 1, feature 4 (0-based) is 0.5, but Bernoulli visible units need values 0 or 1: binarize the data with --binarize threshold or --binarize stochastic',
    );
  });

  it('refuses held-out rows of the wrong width, not binary, or with labels out of range', async () => {
    expect(await refusal({ heldOut: heldOutOf(new Array<number>(16).fill(0), 8, [0, 1]) })).toBe('held-out data: data has 8 features per example but the model has 9 visible units');
    expect(await refusal({ heldOut: heldOutOf([...new Array<number>(9).fill(0), ...new Array<number>(9).fill(2)], 9, [0, 1]) })).toBe(
      'held-out data: example 1, feature 0 (0-based) is 2, but Bernoulli visible units need values 0 or 1: binarize the data with --binarize threshold or --binarize stochastic',
    );
    expect(await refusal({ heldOut: heldOutOf(new Array<number>(27).fill(1), 9, [0, 1, 5]) })).toBe('held-out labels: example 2 (0-based) has label 5, not a class from 0 to 1');
  });

  it('refuses a batch size that is not an integer from 1 to the examples, and accepts 1 and all of them', async () => {
    for (const batchSize of [2.5, 0, 61]) expect(await refusal({ batchSize })).toBe(`batchSize ${batchSize} must be an integer from 1 to the 60 examples`);
    for (const batchSize of [1, 60]) {
      const records = await fitMpDbm(MpDBM.create(engine, { sizes: SIZES, nClasses: 2, seed: 1 }), data, { epochs: 1, batchSize, meanFieldIterations: 1, learningRate: 0.01 });
      expect(records, `batchSize ${batchSize}`).toHaveLength(1);
    }
  });

  it('refuses meanFieldIterations that are not a positive integer, and accepts 1', async () => {
    for (const meanFieldIterations of [0, 1.5]) expect(await refusal({ meanFieldIterations })).toBe(`meanFieldIterations must be a positive integer, got ${meanFieldIterations}`);
    const records = await fitMpDbm(MpDBM.create(engine, { sizes: SIZES, nClasses: 2, seed: 1 }), data, { epochs: 1, batchSize: 10, meanFieldIterations: 1 });
    expect(records).toHaveLength(1);
  });

  it('refuses a maxNorm that is negative or not finite, and accepts 0 (none)', async () => {
    for (const maxNorm of [-1, Infinity, NaN]) expect(await refusal({ maxNorm })).toBe(`maxNorm must be a finite number >= 0 (0: none), got ${maxNorm}`);
    const records = await fitMpDbm(MpDBM.create(engine, { sizes: SIZES, nClasses: 2, seed: 1 }), data, { epochs: 1, batchSize: 10, meanFieldIterations: 1, maxNorm: 0 });
    expect(records).toHaveLength(1);
  });
});

describe('the step graph', () => {
  it('is random, so the engine will not cache it, naming it mp-dbm-step', () => {
    const { graph } = buildMpDbmStep({ sizes: SIZES, nClasses: 2 }, 10, { ...defaultMpDbmFitOptions, batchSize: 5 }, 1);
    expect(graph.isRandom).toBe(true);
    expect(() => engine.compile(graph)).toThrow('graph mp-dbm-step has random nodes: run it through withProgram');
  });
});

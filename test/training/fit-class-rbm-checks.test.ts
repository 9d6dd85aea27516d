/** fitClassRbm's refusals (exact messages, both sides of each bound), its epoch record's values, and where its persistent chains start. */
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { Graph } from '../../src/graph/graph.js';
import { nextName } from '../../src/graph/state.js';
import { classRbmInputs, classRbmMachine, classRbmNames } from '../../src/models/class-rbm-graph.js';
import { ClassRBM } from '../../src/models/class-rbm.js';
import { parameterNames } from '../../src/models/rbm-graph.js';
import { RandomStream } from '../../src/random/stream.js';
import type { TensorMap } from '../../src/runtime/engine.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { chainsName, negativePhase } from '../../src/samplers/negative-phase.js';
import { matrix, sliceRows, type Matrix } from '../../src/tensor/matrix.js';
import { buildClassRbmStep, classification, classStepNames, defaultClassRbmFitOptions, fitClassRbm, oneHotRows, UNLABELLED, type ClassRbmFitOptions, type LabelledRows } from '../../src/training/fit-class-rbm.js';
import { minibatchNames } from '../../src/training/minibatch.js';
import { optimizerNames } from '../../src/training/optimizers.js';
import { expectAllClose } from '../helpers/reference.js';
import { randomBinary } from '../helpers/random-data.js';
import { CLASS_RBM_PARAMETERS, classRbmParameters, randomClassRbm } from '../helpers/class-rbm.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

/** `rows` random binary rows of 4 and their labels (class r mod 3; UNLABELLED where `unlabelled(r)`). */
function rowsOf(rows: number, seed: number, unlabelled: (r: number) => boolean = () => false): { examples: Matrix; labels: Int32Array } {
  return { examples: randomBinary(rows, 4, seed), labels: Int32Array.from({ length: rows }, (_, r) => (unlabelled(r) ? UNLABELLED : r % 3)) };
}

/** The labelled rows of `rows` alone. */
function labelledOnly(rows: LabelledRows): LabelledRows {
  const keep = Array.from({ length: rows.labels.length }, (_, r) => r).filter((r) => rows.labels[r] !== UNLABELLED);
  const n = rows.examples.cols;
  const data = new Float32Array(keep.length * n);
  keep.forEach((r, i) => data.set(rows.examples.data.subarray(r * n, (r + 1) * n), i * n));
  return { examples: matrix(data, keep.length, n), labels: Int32Array.from(keep, (r) => rows.labels[r]) };
}

describe('fitClassRbm refuses', () => {
  const model = randomClassRbm(engine, 1);
  const train = rowsOf(6, 2);

  it('data of the wrong width, and as many labels as examples only', async () => {
    await expect(fitClassRbm(model, { examples: randomBinary(6, 5, 2), labels: train.labels }, { epochs: 1 })).rejects.toThrow('data: data has 5 features per example but the model has 4 visible units');
    await expect(fitClassRbm(model, { examples: train.examples, labels: train.labels.subarray(1) }, { epochs: 1 })).rejects.toThrow('labels: 5 labels for 6 examples');
    await expect(fitClassRbm(model, { examples: sliceRows(train.examples, 0, 5), labels: train.labels }, { epochs: 1 })).rejects.toThrow('labels: 6 labels for 5 examples');
  });

  it('labels that are not whole numbers from 0 to K - 1 (nor UNLABELLED)', async () => {
    const withLabel = (y: number): LabelledRows => ({ examples: train.examples, labels: Float64Array.from(train.labels, (l, r) => (r === 4 ? y : l)) });
    for (const y of [-2, 1.5, 3, Number.NaN]) {
      await expect(fitClassRbm(model, withLabel(y), { epochs: 1 })).rejects.toThrow(`labels: example 4 (0-based) has label ${y}, not a class from 0 to 2 (nor -1: unlabelled)`);
    }
    for (const y of [0, 2]) expect(await fitClassRbm(randomClassRbm(engine, 1), withLabel(y), { epochs: 1, batchSize: 6 })).toHaveLength(1);
  });

  it('held-out data of the wrong width and held-out labels that do not fit', async () => {
    const heldOut = rowsOf(4, 3);
    await expect(fitClassRbm(model, train, { epochs: 1, heldOut: { examples: randomBinary(4, 5, 3), labels: heldOut.labels } })).rejects.toThrow('held-out data: data has 5 features per example but the model has 4 visible units');
    await expect(fitClassRbm(model, train, { epochs: 1, heldOut: { examples: heldOut.examples, labels: heldOut.labels.subarray(1) } })).rejects.toThrow('held-out labels: 3 labels for 4 examples');
    await expect(fitClassRbm(model, train, { epochs: 1, heldOut: { examples: heldOut.examples, labels: Int32Array.of(0, 1, 3, 2) } })).rejects.toThrow('held-out labels: example 2 (0-based) has label 3, not a class from 0 to 2');
    await expect(fitClassRbm(model, train, { epochs: 1, heldOut: { examples: heldOut.examples, labels: Int32Array.of(0, UNLABELLED, 1, 2) } })).rejects.toThrow('held-out labels: example 1 (0-based) has label -1, not a class from 0 to 2');
  });

  it('an unknown objective, a negative alpha (0 is fine) and the fast-weights sampler', async () => {
    await expect(fitClassRbm(model, train, { epochs: 1, objective: 'bogus' as 'hybrid' })).rejects.toThrow('objective must be generative, discriminative, hybrid, got bogus');
    await expect(fitClassRbm(model, train, { epochs: 1, alpha: -0.5 })).rejects.toThrow('alpha must be a finite number >= 0, got -0.5');
    await expect(fitClassRbm(model, train, { epochs: 1, alpha: Number.POSITIVE_INFINITY })).rejects.toThrow('alpha must be a finite number >= 0, got Infinity');
    await expect(fitClassRbm(model, train, { epochs: 1, batchSize: 6, sampler: 'fpcd' as 'pcd' })).rejects.toThrow('a classification RBM trains with cd, pcd or pt');
    expect(await fitClassRbm(randomClassRbm(engine, 1), train, { epochs: 1, batchSize: 6, alpha: 0 })).toHaveLength(1);
  });

  it('a batch size that is not a whole number from 1 to the examples (both ends fine)', async () => {
    for (const batchSize of [0, -1, 1.5, 7]) {
      // A UserError from the options' check, before the minibatches' own RangeError of the same text.
      const refused = fitClassRbm(model, train, { epochs: 1, batchSize });
      await expect(refused).rejects.toThrow(`batchSize ${batchSize} must be an integer from 1 to the 6 examples`);
      await expect(refused).rejects.toBeInstanceOf(UserError);
    }
    for (const batchSize of [1, 6]) expect(await fitClassRbm(randomClassRbm(engine, 1), train, { epochs: 1, batchSize, sampler: 'cd' })).toHaveLength(1);
    expect(model.epochsTrained).toBe(0);
  });

  it('more persistent chains than an array holds over every unit (x, h and y), unless discriminative', async () => {
    // 2^16 chains of 4 + 4090 + 3 = 4097 units: 268500992 values, just past 2^28.
    const wide = ClassRBM.create(engine, { nVisible: 4, nHidden: 4090, nClasses: 3, seed: 1 });
    const chains = 2 ** 16;
    const aborted = AbortSignal.abort();
    for (const objective of ['generative', 'hybrid'] as const) {
      await expect(fitClassRbm(wide, train, { epochs: 1, batchSize: 6, objective, sampler: 'pcd', chains, signal: aborted })).rejects.toThrow('chains 65536: 65536 x 4097 = 268500992 values, more than the 268435456 (1 GiB) one array may hold');
    }
    // The discriminative objective has no chains: their count does not matter.
    expect(await fitClassRbm(randomClassRbm(engine, 1), train, { epochs: 1, batchSize: 6, objective: 'discriminative', sampler: 'pcd', chains: 2 ** 30 })).toHaveLength(1);
  });
});

describe('the epoch record of fitClassRbm', () => {
  it('holds the mean class loss and error rate over the labelled rows, and the monitor rows\' mean reconstruction error', async () => {
    // Learning rate 0: the parameters stay, so every minibatch is measured with the model as it ends.
    const model = randomClassRbm(engine, 4);
    const train = rowsOf(24, 5, (r) => r % 5 === 1);
    const records = await fitClassRbm(model, train, { epochs: 1, batchSize: 8, learningRate: 0, momentum: 0, weightDecay: 0, objective: 'hybrid', sampler: 'cd', monitorSize: 10, seed: 6 });
    expect(records).toHaveLength(1);
    const [record] = records;
    const labelled = labelledOnly(train);
    expect(labelled.labels).toHaveLength(19);
    const exact = await classification(model, labelled);
    expect(exact.error).toBeGreaterThan(0);
    expect(record.classLoss).toBeCloseTo(exact.loss, 5);
    expect(record.trainingError).toBeCloseTo(exact.error, 6);
    const { squaredErrors } = await model.reconstruct(sliceRows(train.examples, 0, 10));
    expect(squaredErrors).toHaveLength(10);
    const mean = squaredErrors.reduce((s, e) => s + e, 0) / 10;
    expect(mean).toBeGreaterThan(0);
    expect(record.reconstructionError).toBeCloseTo(mean, 6);
    expect(Object.keys(record)).not.toContain('heldOutError');
  });

  it('holds the held-out error rate only with held-out rows', async () => {
    const model = randomClassRbm(engine, 7);
    const heldOut = rowsOf(9, 8);
    const [record] = await fitClassRbm(model, rowsOf(12, 9), { epochs: 1, batchSize: 4, learningRate: 0.1, heldOut, seed: 1 });
    expect(record.heldOutError).toBe((await classification(model, heldOut)).error);
  });

  it('counts the rows of its steps per second of them', async () => {
    const model = randomClassRbm(engine, 10);
    const [record] = await fitClassRbm(model, rowsOf(100, 11), { epochs: 1, batchSize: 100, objective: 'discriminative', seed: 2 });
    // The steps take part of the epoch's seconds: 100 rows in at most `seconds`.
    expect(record.samplesPerSecond).toBeGreaterThanOrEqual(100 / record.seconds);
    expect(Number.isFinite(record.samplesPerSecond)).toBe(true);
  });
});

describe('the persistent chains of fitClassRbm', () => {
  it('start at random training rows and their classes, an unlabelled row\'s a random class from 0 to K - 1', async () => {
    // Strong label weights, so that a chain's class moves its hidden draws.
    const model = randomClassRbm(engine, 12, { nHidden: 6 });
    model.labels.labelWeights.forEach((w, i, a) => (a[i] = 3 * w));
    const dims: Record<string, number[]> = { [parameterNames.weights]: [4, 6], [parameterNames.visibleBias]: [4], [parameterNames.hiddenBias]: [6], [classRbmNames.labelWeights]: [6, 3], [classRbmNames.labelBias]: [3] };
    const before = Object.fromEntries(CLASS_RBM_PARAMETERS.map((name) => [name, classRbmParameters(model)[name].slice()]));
    const train = rowsOf(8, 13, (r) => r % 2 === 1);
    const chains = 48;
    const seed = 14;
    const options: ClassRbmFitOptions = { ...defaultClassRbmFitOptions, epochs: 1, batchSize: 8, learningRate: 1, momentum: 0, weightDecay: 0, objective: 'generative', sampler: 'pcd', k: 1, chains, seed };
    const [record] = await fitClassRbm(model, train, options);
    // The same stream: the graph's seed, the chains' rows, a class for each unlabelled one, then the epoch's shuffle.
    const rng = new RandomStream(seed);
    const graphSeed = rng.seed();
    const start = rng.indices(chains, 8);
    const drawn: number[] = [];
    const startLabels = Int32Array.from(start, (r) => {
      if (train.labels[r] !== UNLABELLED) return train.labels[r];
      drawn.push(rng.int(0, 2));
      return drawn.at(-1)!;
    });
    expect(drawn.length).toBeGreaterThan(15);
    expect(new Set(drawn).size).toBe(3);
    const order = rng.permutation(8);
    const { graph, samplerState } = buildClassRbmStep(model.shape, 8, options, graphSeed);
    const startX = new Float32Array(chains * 4);
    start.forEach((r, i) => startX.set(train.examples.data.subarray(r * 4, r * 4 + 4), i * 4));
    const chainStart: Record<string, Matrix> = { [chainsName(0)]: matrix(startX, chains, 4), [chainsName(2)]: oneHotRows(startLabels, 3) };
    const targets = oneHotRows(train.labels, 3);
    const feeds: TensorMap = {
      ...Object.fromEntries(CLASS_RBM_PARAMETERS.map((name) => [name, engine.float32(before[name], dims[name])])),
      [minibatchNames.examples]: engine.float32(train.examples.data, [8, 4]),
      [classStepNames.targets]: engine.float32(targets.data, [8, 3]),
      [minibatchNames.batchRows]: new engine.ort.Tensor('int64', BigInt64Array.from(order, (r) => BigInt(r)), [8]),
      [optimizerNames.learningRate]: engine.scalar(record.learningRate),
    };
    for (const s of samplerState) feeds[s.name] = engine.float32(chainStart[s.name].data, s.dims);
    const out = await engine.withProgram(graph, (program) => program.run(feeds));
    for (const name of CLASS_RBM_PARAMETERS) {
      expect(classRbmParameters(model)[name]).not.toEqual(before[name]);
      expectAllClose(classRbmParameters(model)[name], out[nextName(name)].data as Float32Array, { atol: 1e-6 }, name);
    }
  });

  it('draw what the sampler alone draws with the step\'s seed (pcd adds no draws of its own)', async () => {
    const model = randomClassRbm(engine, 15);
    const x = randomBinary(6, 4, 16);
    const labels = Int32Array.from([0, UNLABELLED, 2, 1, UNLABELLED, 0]);
    const chainX = randomBinary(5, 4, 17);
    const chainY = oneHotRows(Int32Array.from([2, 0, 1, 1, 0]), 3);
    const options: ClassRbmFitOptions = { ...defaultClassRbmFitOptions, batchSize: 6, momentum: 0, weightDecay: 0, objective: 'hybrid', sampler: 'pcd', k: 2, chains: 5 };
    const chainFeeds: TensorMap = { [chainsName(0)]: engine.float32(chainX.data, [5, 4]), [chainsName(2)]: engine.float32(chainY.data, [5, 3]) };
    const { graph } = buildClassRbmStep(model.shape, 6, options, 18);
    const targets = oneHotRows(labels, 3);
    const stepOut = await engine.withProgram(graph, (program) =>
      program.run({
        ...model.parameterFeeds(),
        ...chainFeeds,
        [minibatchNames.examples]: engine.float32(x.data, [6, 4]),
        [classStepNames.targets]: engine.float32(targets.data, [6, 3]),
        [minibatchNames.batchRows]: new engine.ort.Tensor('int64', BigInt64Array.from({ length: 6 }, (_, i) => BigInt(i)), [6]),
        [optimizerNames.learningRate]: engine.scalar(0.1),
      }),
    );
    const g = new Graph('reference-chains', 18);
    const negative = negativePhase(classRbmMachine(classRbmInputs(g, model.shape)), [], options, (name, dims) => g.input(name, 'float32', dims));
    for (const [name, value] of Object.entries(negative.outputs)) g.output(name, value);
    const refOut = await engine.withProgram(g, (program) => program.run({ ...model.parameterFeeds(), ...chainFeeds }));
    for (const name of [chainsName(0), chainsName(2)]) expect(stepOut[nextName(name)].data).toEqual(refOut[nextName(name)].data);
    expect(stepOut[nextName(chainsName(0))].data).not.toEqual(chainX.data);
  });
});

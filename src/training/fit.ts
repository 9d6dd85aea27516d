import type { RBM } from '../models/rbm.js';
import { LOG_STD_RANGE, parameterKeys, parameterNames, VISIBLE_LOG_STD } from '../models/rbm-graph.js';
import { RandomStream } from '../random/stream.js';
import { gatherRows, sliceRows, type Matrix } from '../tensor/matrix.js';
import { PingPongState, type StateBuffer } from './graph-state.js';
import { monitor, type MonitorRecord } from './monitor.js';
import { defaultFitOptions, scheduleAt, type FitOptions } from './options.js';
import { buildStepGraph, LOG_STD_VELOCITY, stepNames, velocityName } from './step-graph.js';

/** One line of the training log: the epoch (1-based), its schedule, its speed and the monitor's numbers. */
export interface EpochRecord extends MonitorRecord {
  readonly epoch: number;
  readonly learningRate: number;
  readonly momentum: number;
  /** Training examples per second of this epoch's steps (the monitor not counted). */
  readonly samplesPerSecond: number;
  /** Wall-clock seconds of the epoch, monitor included. */
  readonly seconds: number;
}

/** Progress within an epoch, for progress bars. */
export interface BatchProgress {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  readonly samplesPerSecond: number;
}

export interface FitCallbacks {
  readonly onBatch?: (progress: BatchProgress) => void;
  readonly onEpoch?: (record: EpochRecord) => void | Promise<void>;
}

/** Training stopped because a parameter became NaN or infinite; the model keeps its last good parameters. */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(readonly epoch: number) {
    super(`training diverged in epoch ${epoch} (a parameter became NaN or infinite); kept the parameters of epoch ${epoch - 1}: lower the learning rate`);
  }
}

/**
 * Train `rbm` on the rows of `data` [examples, nVisible] by CD-k or PCD-k with minibatch SGD (see
 * buildStepGraph for the update) from epoch `initialEpoch` to `epochs`, reshuffling every epoch. A fresh model (epochsTrained 0) first gets the
 * visible biases of Hinton's guide, log(p / (1 - p)) of the data mean p (clipped to [0.001, 0.999]); for other
 * visible units the same idea (see initVisibleBias): the units' marginal without hiddens matches the data's.
 * One graph run per minibatch, which gathers its rows from the examples itself; the parameters stay in engine
 * tensors until the epoch ends.
 */
export async function fit(rbm: RBM, data: Matrix, options: Partial<FitOptions> = {}, callbacks: FitCallbacks = {}): Promise<EpochRecord[]> {
  const o: FitOptions = { ...defaultFitOptions, ...options };
  checkOptions(o, data.rows);
  if (rbm.epochsTrained === 0) initVisibleBias(rbm, data);
  // A resumed run draws other shuffles and chains than the run's first start did.
  const rng = new RandomStream(o.initialEpoch === 0 ? o.seed : o.seed ^ Math.imul(o.initialEpoch, 0x9e3779b1));
  const persistentChains = o.sampler === 'pcd' ? o.chains : undefined;
  const graph = buildStepGraph({ ...rbm, nExamples: data.rows, batchSize: o.batchSize, k: o.k, persistentChains, seed: rng.seed() });
  const monitorTrain = sliceRows(data, 0, Math.min(o.monitorSize, data.rows));
  const monitorHeldOut = o.heldOut && sliceRows(o.heldOut, 0, Math.min(o.monitorSize, o.heldOut.rows));
  const state = stepState(rbm, persistentChains === undefined ? undefined : gatherRows(data, randomRows(rng, data.rows, persistentChains)));
  const batches = Math.floor(data.rows / o.batchSize);
  const batchRows = new BigInt64Array(o.batchSize);
  const inputs = {
    [stepNames.examples]: rbm.engine.float32(data.data, [data.rows, data.cols]),
    [stepNames.batchRows]: new rbm.engine.ort.Tensor('int64', batchRows, [o.batchSize]),
  };
  const records: EpochRecord[] = [];

  await rbm.engine.withProgram(graph, async (program) => {
    for (let epoch = o.initialEpoch; epoch < o.epochs; epoch++) {
      const started = performance.now();
      const schedule = scheduleAt(o, epoch);
      const hyper = {
        [stepNames.learningRate]: rbm.engine.scalar(schedule.learningRate),
        [stepNames.momentum]: rbm.engine.scalar(schedule.momentum),
        [stepNames.weightDecay]: rbm.engine.scalar(o.weightDecay),
        ...inputs,
      };
      const order = rng.permutation(data.rows);
      for (let b = 0; b < batches; b++) {
        for (let r = 0; r < o.batchSize; r++) batchRows[r] = BigInt(order[b * o.batchSize + r]);
        await state.step(program, hyper);
        callbacks.onBatch?.({ epoch: epoch + 1, batch: b + 1, batches, samplesPerSecond: ((b + 1) * o.batchSize * 1000) / (performance.now() - started) });
      }
      const stepSeconds = (performance.now() - started) / 1000;
      if (!copyParameters(state, rbm)) throw new DivergenceError(rbm.epochsTrained + 1);
      rbm.epochsTrained += 1;
      const record: EpochRecord = {
        epoch: rbm.epochsTrained,
        ...schedule,
        samplesPerSecond: (batches * o.batchSize) / stepSeconds,
        ...(await monitor(rbm, monitorTrain, monitorHeldOut)),
        seconds: (performance.now() - started) / 1000,
      };
      records.push(record);
      await callbacks.onEpoch?.(record);
    }
  });
  return records;
}

/** The step graph's state: parameters, velocities (from zero) and, for PCD, the chains. */
function stepState(rbm: RBM, chains: Matrix | undefined): PingPongState {
  const dims = { weights: [rbm.nVisible, rbm.nHidden], visibleBias: [rbm.nVisible], hiddenBias: [rbm.nHidden] };
  const buffers: StateBuffer[] = parameterKeys.flatMap((key) => [
    { name: parameterNames[key], dims: dims[key], initial: rbm.params[key] },
    { name: velocityName(key), dims: dims[key], initial: 0 },
  ]);
  if (rbm.params.visibleLogStd !== undefined) {
    buffers.push({ name: VISIBLE_LOG_STD, dims: [rbm.nVisible], initial: rbm.params.visibleLogStd });
    buffers.push({ name: LOG_STD_VELOCITY, dims: [rbm.nVisible], initial: 0 });
  }
  if (chains !== undefined) buffers.push({ name: stepNames.chains, dims: [chains.rows, chains.cols], initial: chains.data });
  return new PingPongState(rbm.engine, buffers);
}

/** Copy the state's parameters into rbm; false (and nothing copied) when any is NaN or infinite. */
function copyParameters(state: PingPongState, rbm: RBM): boolean {
  const values = parameterKeys.map((key) => state.get(parameterNames[key]));
  const logStd = rbm.params.visibleLogStd && state.get(VISIBLE_LOG_STD);
  if (!values.every((v) => v.every(Number.isFinite)) || (logStd !== undefined && !logStd.every(Number.isFinite))) return false;
  parameterKeys.forEach((key, i) => rbm.params[key].set(values[i]));
  if (logStd !== undefined) rbm.params.visibleLogStd?.set(logStd);
  return true;
}

/**
 * Visible biases (and stds) from the data's per-unit mean m and standard deviation: Bernoulli log(m / (1 - m)),
 * spin atanh(m), softmax groups log m_k (means clipped away from 0 and 1 as for Bernoulli units), Gaussian
 * a = m and log sigma = log std (within LOG_STD_RANGE); ReLU units keep 0.
 */
function initVisibleBias(rbm: RBM, data: Matrix): void {
  const { nVisible } = rbm;
  const mean = new Float64Array(nVisible);
  const square = new Float64Array(nVisible);
  for (let r = 0; r < data.rows; r++) {
    for (let i = 0; i < nVisible; i++) {
      const x = data.data[r * nVisible + i];
      mean[i] += x / data.rows;
      square[i] += (x * x) / data.rows;
    }
  }
  const clipped = (p: number): number => Math.min(0.999, Math.max(0.001, p));
  const name = rbm.visible.name;
  for (let i = 0; i < nVisible; i++) {
    const bias = rbm.params.visibleBias;
    if (name === 'bernoulli') bias[i] = Math.log(clipped(mean[i]) / (1 - clipped(mean[i])));
    else if (name === 'spin') bias[i] = Math.atanh(2 * clipped((1 + mean[i]) / 2) - 1);
    else if (name.startsWith('softmax:')) bias[i] = Math.log(clipped(mean[i]));
    else if (name === 'gaussian') {
      bias[i] = mean[i];
      const std = Math.sqrt(Math.max(0, square[i] - mean[i] * mean[i]));
      rbm.params.visibleLogStd![i] = Math.min(LOG_STD_RANGE.max, Math.max(LOG_STD_RANGE.min, Math.log(std)));
    }
  }
}

function randomRows(rng: RandomStream, n: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, () => rng.int(0, n - 1));
}

function checkOptions(o: FitOptions, examples: number): void {
  const positiveInts = { epochs: o.epochs, batchSize: o.batchSize, k: o.k, chains: o.chains, monitorSize: o.monitorSize };
  for (const [name, x] of Object.entries(positiveInts)) {
    if (!(Number.isInteger(x) && x >= 1)) throw new RangeError(`${name} must be a positive integer, got ${x}`);
  }
  if (!(Number.isInteger(o.initialEpoch) && o.initialEpoch >= 0 && o.initialEpoch <= o.epochs)) {
    throw new RangeError(`initialEpoch must be an integer from 0 to epochs (${o.epochs}), got ${o.initialEpoch}`);
  }
  if (o.batchSize > examples) throw new RangeError(`batchSize ${o.batchSize} is larger than the ${examples} examples`);
  for (const [name, x] of Object.entries({ learningRate: o.learningRate, weightDecay: o.weightDecay, initialMomentum: o.initialMomentum, finalMomentum: o.finalMomentum })) {
    if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`${name} must be a finite number >= 0, got ${x}`);
  }
}

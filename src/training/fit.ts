import type { RBM, RbmParameters } from '../models/rbm.js';
import { parameterKeys, parameterNames, VISIBLE_LOG_STD } from '../models/rbm-graph.js';
import { RandomStream } from '../random/stream.js';
import type { Program, TensorMap } from '../runtime/engine.js';
import { gatherRows, sliceRows, type Matrix } from '../tensor/matrix.js';
import { PingPongState, type StateBuffer } from './graph-state.js';
import { MinibatchRows } from './minibatch.js';
import { chainMixing } from './mixing.js';
import { monitor, type MonitorRecord } from './monitor.js';
import { checkFitOptions, defaultFitOptions, kAt, scheduleAt, type FitOptions } from './options.js';
import { buildStepGraph, type StepState } from './step-graph.js';
import { stepNames } from './step-names.js';

/** One line of the training log: the epoch (1-based), its schedule, its speed and the monitor's numbers. */
export interface EpochRecord extends MonitorRecord {
  readonly epoch: number;
  readonly learningRate: number;
  readonly momentum: number;
  /** Gibbs steps per negative phase in this epoch. */
  readonly k: number;
  /** Training examples per second of this epoch's steps (the monitor not counted). */
  readonly samplesPerSecond: number;
  /**
   * Persistent samplers: the integrated autocorrelation time of the chains' free energy over the epoch's
   * steps (see training/mixing.ts), in steps, and the effective number of independent chain states.
   */
  readonly chainAutocorrelationTime?: number;
  readonly chainEffectiveSamples?: number;
  /** Whether the epoch's steps span 50 autocorrelation times, enough for the estimate to be trusted. */
  readonly chainMixingReliable?: boolean;
  /** PT: the fraction of accepted swaps between temperatures r and r + 1 over the epoch. */
  readonly swapRates?: number[];
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

/** Training stopped because it diverged (by default: a parameter became NaN or infinite); the model keeps its last good parameters. */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(
    readonly epoch: number,
    reason = 'a parameter became NaN or infinite',
  ) {
    super(`training diverged in epoch ${epoch} (${reason}); kept the parameters of epoch ${epoch - 1}: lower the learning rate`);
  }
}

/**
 * A finite blow-up: the monitor's reconstruction error (squared error per example) beyond this many times the
 * training data's total variance (the error of reconstructing every example by the mean; at least 1, for data
 * of one example or constant columns) means the run has diverged
 * although every parameter is finite (seen with Gaussian visible units at too high a learning rate: errors of
 * 1e20 and biases of 1e8). Recoverable spikes stay far below it.
 */
export const BLOW_UP_FACTOR = 1e6;

/**
 * Train `rbm` on the rows of `data` [examples, nVisible] with the step of buildStepGraph (CD-k, PCD-k, FPCD-k
 * or parallel tempering; SGD with momentum or Adam; optional centering, sparsity, L1, max-norm) from epoch
 * `initialEpoch` to `epochs`, reshuffling every epoch. A fresh model (epochsTrained 0) first gets the visible
 * biases of Hinton's guide, log(p / (1 - p)) of the data mean p (clipped to [0.001, 0.999]); for other
 * visible units the same idea (see initVisibleBias): the units' marginal without hiddens matches the data's.
 * One graph run per minibatch, which gathers its rows from the examples itself; the parameters stay in engine
 * tensors until the epoch ends. A k schedule (kFinal) rebuilds the step graph when k changes; the state
 * carries over.
 */
export async function fit(rbm: RBM, data: Matrix, options: Partial<FitOptions> = {}, callbacks: FitCallbacks = {}): Promise<EpochRecord[]> {
  const o: FitOptions = { ...defaultFitOptions, ...options };
  checkFitOptions(o, data.rows);
  if (rbm.epochsTrained === 0) initVisibleBias(rbm, data);
  // A resumed run draws other shuffles and chains than the run's first start did.
  const rng = new RandomStream(o.initialEpoch === 0 ? o.seed : o.seed ^ Math.imul(o.initialEpoch, 0x9e3779b1));
  const stepGraph = (k: number) => buildStepGraph({ ...rbm, ...o, k, nExamples: data.rows, seed: rng.seed() });
  const monitorTrain = sliceRows(data, 0, Math.min(o.monitorSize, data.rows));
  const monitorHeldOut = o.heldOut && sliceRows(o.heldOut, 0, Math.min(o.monitorSize, o.heldOut.rows));
  const minibatches = new MinibatchRows(rbm.engine, o.batchSize, { [stepNames.examples]: data });
  const blowUpError = BLOW_UP_FACTOR * Math.max(totalVariance(data), 1);
  const first = stepGraph(kAt(o, o.initialEpoch));
  const state = new PingPongState(rbm.engine, await initialState(rbm, o, first.state, data, monitorTrain, rng));

  /** One pass over the data with `program` (the step graph of k), then the parameters copied back and the epoch's record. */
  const trainEpoch = async (program: Program, epoch: number, k: number): Promise<EpochRecord> => {
    const started = performance.now();
    const schedule = scheduleAt(o, epoch);
    const scalars = {
      [stepNames.learningRate]: schedule.learningRate,
      [stepNames.momentum]: schedule.momentum,
      [stepNames.weightDecay]: o.weightDecay,
      [stepNames.fastLearningRate]: o.fastLearningRate ?? o.learningRate,
    };
    const feeds: TensorMap = { ...minibatches.feeds };
    for (const [name, x] of Object.entries(scalars)) if (program.inputNames.includes(name)) feeds[name] = rbm.engine.scalar(x);
    const trace = o.sampler === 'cd' ? undefined : new Float64Array(minibatches.count * o.chains);
    const swapRates = new Float64Array(o.sampler === 'pt' ? o.temperatures - 1 : 0);
    const order = rng.permutation(data.rows);
    for (let b = 0; b < minibatches.count; b++) {
      minibatches.select(order, b);
      const out = await state.step(program, feeds);
      trace?.set(out[stepNames.chainFreeEnergy].data as Float32Array, b * o.chains);
      if (swapRates.length > 0) (out[stepNames.swapRate].data as Float32Array).forEach((x, r) => (swapRates[r] += x / minibatches.count));
      callbacks.onBatch?.({ epoch: epoch + 1, batch: b + 1, batches: minibatches.count, samplesPerSecond: ((b + 1) * o.batchSize * 1000) / (performance.now() - started) });
    }
    const stepSeconds = (performance.now() - started) / 1000;
    const lastGood = copyOf(rbm.params);
    if (!copyParameters(state, rbm)) throw new DivergenceError(rbm.epochsTrained + 1);
    const measured = await monitor(rbm, monitorTrain, monitorHeldOut);
    if (!(measured.reconstructionError <= blowUpError)) {
      restore(rbm.params, lastGood);
      throw new DivergenceError(rbm.epochsTrained + 1, `reconstruction error ${measured.reconstructionError.toExponential(1)}, over ${BLOW_UP_FACTOR.toExponential(0)} times the data's variance`);
    }
    rbm.epochsTrained += 1;
    const mixing = trace && minibatches.count >= 2 ? chainMixing(trace, minibatches.count, o.chains) : undefined;
    return {
      epoch: rbm.epochsTrained,
      ...schedule,
      k,
      samplesPerSecond: (minibatches.count * o.batchSize) / stepSeconds,
      ...measured,
      ...(mixing && { chainAutocorrelationTime: mixing.autocorrelationTime, chainEffectiveSamples: mixing.effectiveSamples, chainMixingReliable: mixing.reliable }),
      ...(swapRates.length > 0 && { swapRates: Array.from(swapRates) }),
      seconds: (performance.now() - started) / 1000,
    };
  };

  const records: EpochRecord[] = [];
  for (let epoch = o.initialEpoch; epoch < o.epochs; ) {
    // The epochs from here that share k run one compiled step graph.
    const k = kAt(o, epoch);
    const { graph } = epoch === o.initialEpoch ? first : stepGraph(k);
    await rbm.engine.withProgram(graph, async (program) => {
      for (; epoch < o.epochs && kAt(o, epoch) === k; epoch++) {
        const record = await trainEpoch(program, epoch, k);
        records.push(record);
        await callbacks.onEpoch?.(record);
      }
    });
  }
  return records;
}

/**
 * The start of every state tensor of the step graph: the parameters from rbm, the persistent chains (every
 * temperature's) from random training rows, centering's offsets from the data (mu the mean of u = v / sigma
 * over the data, lambda the mean hidden activation of `sample`), the rest at their graph's fill value (0 for
 * velocities, Adam's moments and fast weights; the sparsity target for the activity estimate).
 */
async function initialState(rbm: RBM, o: FitOptions, specs: readonly StepState[], data: Matrix, sample: Matrix, rng: RandomStream): Promise<StateBuffer[]> {
  const known: Record<string, () => Promise<ArrayLike<number>> | ArrayLike<number>> = {
    [parameterNames.weights]: () => rbm.params.weights,
    [parameterNames.visibleBias]: () => rbm.params.visibleBias,
    [parameterNames.hiddenBias]: () => rbm.params.hiddenBias,
    [VISIBLE_LOG_STD]: () => rbm.params.visibleLogStd!,
    [stepNames.chains]: () => gatherRows(data, randomRows(rng, data.rows, (o.sampler === 'pt' ? o.temperatures : 1) * o.chains)).data,
    [stepNames.visibleOffset]: () => columnMeans(data).map((m, i) => m / Math.exp(rbm.params.visibleLogStd?.[i] ?? 0)),
    [stepNames.hiddenOffset]: async () => columnMeans(await rbm.transform(sample)),
  };
  return Promise.all(specs.map(async (s) => ({ name: s.name, dims: s.dims, initial: known[s.name] === undefined ? s.fill : await known[s.name]() })));
}

/** A copy of the parameter arrays. */
const copyOf = (params: RbmParameters): RbmParameters =>
  Object.fromEntries(Object.entries(params).map(([key, values]) => [key, (values as Float32Array).slice()])) as unknown as RbmParameters;

/** Put the values of `saved` (a copyOf) back into `params`. */
function restore(params: RbmParameters, saved: RbmParameters): void {
  for (const [key, values] of Object.entries(saved)) params[key as keyof RbmParameters]?.set(values as Float32Array);
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
 * Visible biases (and learned stds) from the data's per-unit mean m and standard deviation, as the unit type
 * says (`initialBias`, `learnedStd.initialLogStd`): Bernoulli log(m / (1 - m)), spin atanh(m), softmax groups
 * log m_k, Gaussian a = m and log sigma = log std; ReLU units keep 0.
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
  const { visible, params } = rbm;
  for (let i = 0; i < nVisible; i++) {
    params.visibleBias[i] = visible.initialBias(mean[i]);
    if (visible.learnedStd !== undefined && params.visibleLogStd !== undefined) {
      params.visibleLogStd[i] = visible.learnedStd.initialLogStd(Math.sqrt(Math.max(0, square[i] - mean[i] * mean[i])));
    }
  }
}

function randomRows(rng: RandomStream, n: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, () => rng.int(0, n - 1));
}

/** The mean of each column of m: [cols]. */
function columnMeans(m: Matrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[r * m.cols + j] / m.rows;
  return mean;
}

/** The sum over columns of each column's variance: the squared error per row of predicting every row by the mean. */
function totalVariance(m: Matrix): number {
  const mean = columnMeans(m);
  let sum = 0;
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) sum += (m.data[r * m.cols + j] - mean[j]) ** 2 / m.rows;
  return sum;
}

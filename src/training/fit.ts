import { validateForUnits } from '../data/validate.js';
import type { RBM } from '../models/rbm.js';
import { parameterKeys, parameterNames, VISIBLE_LOG_STD } from '../models/rbm-graph.js';
import { RandomStream } from '../random/stream.js';
import { columnMeans, gatherRows, sliceRows, type Matrix } from '../tensor/matrix.js';
import { runEpochs, type BatchProgress, type EpochRun, type HostParameter } from './epochs.js';
import { PingPongState, type StateBuffer } from './graph-state.js';
import { initVisibleBias } from './initial-bias.js';
import { MinibatchRows } from './minibatch.js';
import { blowUpThreshold, checkBlowUp } from './divergence.js';
import { chainDiagnostics, type ChainRecord } from './mixing.js';
import { monitor, type MonitorRecord } from './monitor.js';
import { checkFitOptions, checkSamplerChains, defaultFitOptions, defaultLearningRate, kAt, scheduleAt, type FitOptions } from './options.js';
import { buildStepGraph, type StepState } from './step-graph.js';
import { stepNames } from './step-names.js';

/** One line of the training log: the epoch (1-based), its schedule, its speed, the monitor's numbers and the chains' diagnostics. */
export interface EpochRecord extends MonitorRecord, ChainRecord {
  readonly epoch: number;
  readonly learningRate: number;
  readonly momentum: number;
  /** Gibbs steps per negative phase in this epoch. */
  readonly k: number;
  /** Training examples per second of this epoch's steps (the monitor not counted). */
  readonly samplesPerSecond: number;
  /** Wall-clock seconds of the epoch, monitor included. */
  readonly seconds: number;
}

export interface FitCallbacks {
  readonly onBatch?: (progress: BatchProgress) => void;
  readonly onEpoch?: (record: EpochRecord) => void | Promise<void>;
}

/**
 * Train `rbm` on the rows of `data` [examples, nVisible] with the step of buildStepGraph (CD-k, PCD-k, FPCD-k
 * or parallel tempering; SGD with momentum or Adam; optional centering, sparsity, L1, max-norm) from epoch
 * `initialEpoch` to `epochs`, reshuffling every epoch; without a learning rate, defaultLearningRate's for the
 * optimiser and the visible units. A fresh model (epochsTrained 0) first gets the visible
 * biases of Hinton's guide, log(p / (1 - p)) of the data mean p (clipped to [0.001, 0.999]); for other
 * visible units the same idea (see initVisibleBias): the units' marginal without hiddens matches the data's.
 * One graph run per minibatch, which gathers its rows from the examples itself; the parameters stay in engine
 * tensors until the epoch ends. A k schedule (kFinal) rebuilds the step graph when k changes; the state
 * carries over.
 */
export async function fit(rbm: RBM, data: Matrix, options: Partial<FitOptions> = {}, callbacks: FitCallbacks = {}): Promise<EpochRecord[]> {
  const o: FitOptions = { ...defaultFitOptions, learningRate: defaultLearningRate(options.optimizer, rbm.visible), ...options };
  validateForUnits({ name: 'data', examples: data }, rbm.nVisible, rbm.visible);
  if (o.heldOut !== undefined) validateForUnits({ name: 'held-out data', examples: o.heldOut }, rbm.nVisible, rbm.visible);
  checkFitOptions(o, data.rows);
  checkSamplerChains(o, rbm.nVisible + rbm.nHidden);
  if (rbm.epochsTrained === 0) initVisibleBias(rbm.visible, rbm.params, data);
  // A resumed run draws other shuffles and chains than the run's first start did.
  const rng = new RandomStream(o.initialEpoch === 0 ? o.seed : o.seed ^ Math.imul(o.initialEpoch, 0x9e3779b1));
  const stepGraph = (k: number) => buildStepGraph({ ...rbm, ...o, k, nExamples: data.rows, seed: rng.seed() });
  const monitorTrain = sliceRows(data, 0, Math.min(o.monitorSize, data.rows));
  const monitorHeldOut = o.heldOut && sliceRows(o.heldOut, 0, Math.min(o.monitorSize, o.heldOut.rows));
  const minibatches = new MinibatchRows(rbm.engine, o.batchSize, { [stepNames.examples]: data });
  const blowUpError = blowUpThreshold(data);
  const first = stepGraph(kAt(o, o.initialEpoch));
  const state = new PingPongState(rbm.engine, await initialState(rbm, o, first.state, data, monitorTrain, rng));

  /** Epoch `epoch`: the schedule's scalars, the chains' trace and swap rates, then the monitor's check and the record. */
  const startEpoch = (epoch: number): EpochRun<EpochRecord> => {
    const schedule = scheduleAt(o, epoch);
    const k = kAt(o, epoch);
    const chains = chainDiagnostics(o, minibatches.count);
    return {
      scalars: {
        [stepNames.learningRate]: schedule.learningRate,
        [stepNames.momentum]: schedule.momentum,
        [stepNames.weightDecay]: o.weightDecay,
        [stepNames.fastLearningRate]: o.fastLearningRate ?? o.learningRate,
      },
      onStep: chains.onStep,
      finish: async ({ stepSeconds, elapsedSeconds }) => {
        const measured = await monitor(rbm, monitorTrain, monitorHeldOut);
        checkBlowUp(measured.reconstructionError, blowUpError, epoch);
        rbm.epochsTrained += 1;
        return {
          epoch: rbm.epochsTrained,
          ...schedule,
          k,
          samplesPerSecond: (minibatches.count * o.batchSize) / stepSeconds,
          ...measured,
          ...chains.record(),
          seconds: elapsedSeconds(),
        };
      },
    };
  };
  return runEpochs({
    engine: rbm.engine,
    state,
    minibatches,
    rng,
    nExamples: data.rows,
    from: o.initialEpoch,
    to: o.epochs,
    parameters: hostParameters(rbm),
    graphKey: (epoch) => kAt(o, epoch),
    graphAt: (epoch) => (epoch === o.initialEpoch ? first : stepGraph(kAt(o, epoch))).graph,
    startEpoch,
    onBatch: callbacks.onBatch,
    onEpoch: callbacks.onEpoch,
    signal: o.signal,
  });
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
    [stepNames.chains]: () => gatherRows(data, rng.indices((o.sampler === 'pt' ? o.temperatures : 1) * o.chains, data.rows)).data,
    [stepNames.visibleOffset]: () => columnMeans(data).map((m, i) => m / Math.exp(rbm.params.visibleLogStd?.[i] ?? 0)),
    [stepNames.hiddenOffset]: async () => columnMeans(await rbm.transform(sample)),
  };
  return Promise.all(specs.map(async (s) => ({ name: s.name, dims: s.dims, initial: known[s.name] === undefined ? s.fill : await known[s.name]() })));
}

/** The RBM's parameters as the step's state names and its host arrays (the log std only for Gaussian visible units). */
function hostParameters(rbm: RBM): HostParameter[] {
  const parameters = parameterKeys.map((key) => ({ name: parameterNames[key], values: rbm.params[key] }));
  return rbm.params.visibleLogStd === undefined ? parameters : [...parameters, { name: VISIBLE_LOG_STD, values: rbm.params.visibleLogStd }];
}


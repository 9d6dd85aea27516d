/**
 * Joint training of a DBM (Salakhutdinov & Hinton 2009; Deep Learning 20.4.3): stochastic maximum likelihood
 * with a mean-field positive phase and persistent chains (PCD, FPCD or parallel tempering, samplers/), written
 * as the surrogate loss
 *   mean_batch E(v, mu(v)) - mean_chains E(x-),   mu and x- held constant,
 * where x- is the chains' even layers with the odd layers at their means given them (the odd layers summed
 * out: E is linear in each), whose gradient is <dE/dtheta>_data - <dE/dtheta>_model, minimised by SGD with
 * momentum and weight decay: one graph run per minibatch. With `centering`, the step follows the centred
 * gradient mapped back to the plain parameters (dbm-centering.ts), the offsets being state of the step.
 */
import { gradients } from '../autodiff/gradients.js';
import { validateForUnits } from '../data/validate.js';
import { UserError } from '../errors.js';
import { stopGradient } from '../autodiff/stop-gradient.js';
import { Graph } from '../graph/graph.js';
import { mul, reduceMean, sub } from '../graph/ops/index.js';
import { dbmInputs, dbmNames, type DBM } from '../models/dbm.js';
import { energy, meanField, meanOf } from '../models/machine.js';
import { RandomStream } from '../random/stream.js';
import { chainsName, negativePhase, samplerNames, type SamplerName } from '../samplers/negative-phase.js';
import { columnMeans, gatherRows, sliceRows, type Matrix } from '../tensor/matrix.js';
import { bernoulli } from '../units/bernoulli.js';
import { centredDirection, runningOffset } from './dbm-centering.js';
import { blowUpThreshold, checkBlowUp } from './divergence.js';
import { runEpochs, stepState } from './epochs.js';
import { initVisibleBias } from './initial-bias.js';
import { batchRowsInput, gatheredMinibatch, minibatchNames, MinibatchRows } from './minibatch.js';
import { chainDiagnostics, type ChainRecord } from './mixing.js';
import { addOptimizer, optimizerNames, type StateTensor } from './optimizers.js';
import { checkSamplerChains, defaultFitOptions, learningRateAt, type SgdTrainingOptions } from './options.js';
import { nextName } from '../graph/state.js';

export interface DbmFitOptions extends SgdTrainingOptions {
  /** The persistent sampler: pcd, fpcd or pt (CD has no chains to keep in a DBM). */
  readonly sampler: Exclude<SamplerName, 'cd'>;
  /** Persistent chains (per temperature). */
  readonly chains: number;
  /** Gibbs sweeps of the chains per step. */
  readonly k: number;
  /** PT: the number of temperatures. */
  readonly temperatures: number;
  /** FPCD: the fast parameters' learning rate (default: learningRate) and decay. */
  readonly fastLearningRate?: number;
  readonly fastDecay: number;
  /** Mean-field sweeps of the positive phase. */
  readonly meanFieldIterations: number;
  /** Follow the centred gradient (dbm-centering.ts), offsets the running means of each layer's mean-field means on data. */
  readonly centering: boolean;
  /** Training examples whose reconstruction error is measured after each epoch (the blow-up check). */
  readonly monitorSize: number;
  readonly seed: number;
  /** Stops training before its next step once aborted (runEpochs): the model keeps its last whole epoch. */
  readonly signal?: AbortSignal;
}

/**
 * Joint training runs at pretraining's learning rate divided by this (`jointLearningRate`): it starts from a
 * composed model whose chains mix slowly, and ran stably on the digits at a tenth of the RBM's 0.05
 * (docs/results.md).
 */
export const JOINT_LEARNING_RATE_DIVISOR = 10;

/** The joint phase's learning rate for a DBM pretrained at `pretrainingRate`. */
export const jointLearningRate = (pretrainingRate: number): number => pretrainingRate / JOINT_LEARNING_RATE_DIVISOR;

export const defaultDbmFitOptions: DbmFitOptions = {
  epochs: 50,
  batchSize: 100,
  learningRate: jointLearningRate(defaultFitOptions.learningRate),
  learningRateSchedule: 'linear',
  momentum: 0.5,
  weightDecay: 2e-4,
  sampler: 'pcd',
  chains: 100,
  k: 5,
  temperatures: defaultFitOptions.temperatures,
  fastLearningRate: undefined,
  fastDecay: defaultFitOptions.fastDecay,
  meanFieldIterations: 10,
  centering: false,
  monitorSize: 500,
  seed: 0,
};

/** A state tensor of the sampler: its name and shape (chains start from the data, fast parameters at 0). */
export interface SamplerState {
  readonly name: string;
  readonly dims: readonly number[];
}

/**
 * The joint training step (see the file comment): state params, velocities and the sampler's state (chains of
 * the even layers; FPCD's fast parameters); inputs all the training `examples` [nExamples, n_0] and the
 * minibatch's `batch_rows` (gathered in the graph, see training/minibatch.ts), learning_rate and for FPCD
 * fast_learning_rate. Outputs: the next state, loss, chain_free_energy and for PT swap_rate.
 */
export function buildDbmStep(
  sizes: readonly number[],
  nExamples: number,
  o: DbmFitOptions,
  seed: number,
): { graph: Graph; samplerState: SamplerState[]; optimizerState: StateTensor[] } {
  const g = new Graph('dbm-step', seed);
  const p = dbmInputs(g, sizes);
  const data = gatheredMinibatch(g, batchRowsInput(g, o.batchSize), nExamples, sizes[0]);
  const { means } = meanField(p, data, o.meanFieldIterations);
  const samplerState: SamplerState[] = [];
  const negative = negativePhase(p, [], o, (name, dims) => {
    samplerState.push({ name, dims });
    return g.input(name, 'float32', dims);
  });
  for (const [name, value] of Object.entries(negative.outputs)) g.output(name, value);
  const model = p.layers.map((layer, l) => negative.even[l] ?? meanOf(layer, negative.oddFields[l]!));
  const positive = reduceMean(energy(p, means.map((m) => stopGradient(m))), [0]);
  const loss = sub(positive, reduceMean(energy(p, model.map((x) => stopGradient(x))), [0]));
  const params = [...p.couplings.flatMap((c) => c.parameters.map((param) => ({ param }))), ...p.layers.map((layer) => ({ param: layer.bias, decay: false }))];
  const grads = gradients(loss, params.map((x) => x.param));
  if (negative.fast !== undefined) {
    // FPCD: fast = fastDecay fast - fast_learning_rate dloss/dtheta, no penalties.
    const fastLearningRate = g.input(samplerNames.fastLearningRate, 'float32', []);
    params.forEach(({ param }, i) => {
      const fast = negative.fast![param.name];
      g.output(nextName(fast.name), sub(mul(fast, o.fastDecay), mul(fastLearningRate, grads[i])));
    });
  }
  let direction = grads;
  if (o.centering) {
    const offsets = sizes.map((n, l) => g.input(dbmNames.offset(l), 'float32', [n]));
    offsets.forEach((b, l) => g.output(nextName(b.name), runningOffset(b, reduceMean(means[l], [0]))));
    const L = p.couplings.length;
    const d = centredDirection(grads.slice(0, L), grads.slice(L), offsets);
    direction = [...d.weights, ...d.biases];
  }
  const optimizerState = addOptimizer(g, params.map((x, i) => ({ ...x, grad: direction[i] })), { optimizer: 'sgd', momentum: o.momentum, weightDecay: o.weightDecay });
  g.output('loss', loss);
  return { graph: g, samplerState, optimizerState };
}

/** The mean over the rows of `data` of each layer's mean-field means [v, mu_1, ..., mu_L]: the starting offsets of centering. */
async function dataMeans(dbm: DBM, data: Matrix, iterations: number): Promise<Float32Array[]> {
  return [data, ...(await dbm.meanField(data, iterations))].map((m) => Float32Array.from(columnMeans(m)));
}

/** What `fitDbm` reports per epoch, with the chains' diagnostics (mixing, PT's swap rates). */
export interface DbmEpochRecord extends ChainRecord {
  readonly epoch: number;
  readonly learningRate: number;
  /** The mean-field reconstruction error (squared error per example, see DBM.reconstruct) of the first monitorSize training examples. */
  readonly reconstructionError: number;
  readonly samplesPerSecond: number;
  readonly seconds: number;
}

/**
 * Joint training of `dbm` on the rows of `data` [examples, n_0] (see the file comment) from its epochsTrained
 * to `epochs`, by the epoch loop of epochs.ts; the chains start at random training examples (their even hidden
 * layers at the up-pass means, drawn; every temperature alike). A fresh DBM (epochsTrained 0 and visible
 * biases 0, as DBM.create makes it, not as pretrainDbm composes it) first gets the visible biases
 * log(p / (1 - p)) of the data mean. After each epoch the mean-field reconstruction error of the first
 * monitorSize examples is measured; past blowUpThreshold it stops training as a divergence.
 */
export async function fitDbm(dbm: DBM, data: Matrix, options: Partial<DbmFitOptions> = {}, onEpoch?: (r: DbmEpochRecord) => void | Promise<void>): Promise<DbmEpochRecord[]> {
  const o: DbmFitOptions = { ...defaultDbmFitOptions, ...options };
  validateForUnits({ name: 'data', examples: data }, dbm.nVisible, bernoulli);
  if (o.batchSize > data.rows) throw new UserError(`batchSize ${o.batchSize} is larger than the ${data.rows} examples`);
  if ((o.sampler as SamplerName) === 'cd') throw new RangeError('a DBM trains with persistent chains: sampler pcd, fpcd or pt');
  checkSamplerChains(o, dbm.sizes.reduce((a, b) => a + b, 0));
  if (dbm.epochsTrained === 0 && dbm.params.biases[0].every((b) => b === 0)) initVisibleBias(bernoulli, { visibleBias: dbm.params.biases[0] }, data);
  const rng = new RandomStream(o.seed ^ Math.imul(dbm.epochsTrained, 0x9e3779b1));
  const { graph, samplerState, optimizerState } = buildDbmStep(dbm.sizes, data.rows, o, rng.seed());
  const rows = samplerState.find((x) => x.name === chainsName(0))!.dims[0];
  const start = gatherRows(data, rng.indices(rows, data.rows));
  const upPass = [start, ...(await dbm.meanField(start, 0))];
  const startOf = (name: string): Float32Array | undefined => {
    const l = upPass.findIndex((_, layer) => chainsName(layer) === name);
    if (l < 0) return undefined; // FPCD's fast parameters start at 0
    return l === 0 ? start.data : rng.bernoulli(upPass[l].data);
  };
  const parameters = [
    ...dbm.params.weights.map((values, l) => ({ name: dbmNames.weights(l), dims: [dbm.sizes[l], dbm.sizes[l + 1]], values })),
    ...dbm.params.biases.map((values, l) => ({ name: dbmNames.bias(l), dims: [dbm.sizes[l]], values })),
  ];
  const state = stepState(
    dbm.engine,
    parameters,
    [
      ...samplerState.map((x) => ({ ...x, initial: startOf(x.name) ?? 0 })),
      ...(o.centering ? (await dataMeans(dbm, data, o.meanFieldIterations)).map((m, l) => ({ name: dbmNames.offset(l), dims: [m.length], initial: m })) : []),
    ],
    optimizerState,
  );
  const minibatches = new MinibatchRows(dbm.engine, o.batchSize, { [minibatchNames.examples]: data });
  const monitorRows = sliceRows(data, 0, Math.min(o.monitorSize, data.rows));
  const blowUpError = blowUpThreshold(data);
  return runEpochs({
    engine: dbm.engine,
    state,
    minibatches,
    rng,
    nExamples: data.rows,
    from: dbm.epochsTrained,
    to: o.epochs,
    parameters,
    graphAt: () => graph,
    startEpoch: (epoch) => {
      const learningRate = learningRateAt(o, epoch);
      const chains = chainDiagnostics(o, minibatches.count);
      return {
        scalars: { [optimizerNames.learningRate]: learningRate, [samplerNames.fastLearningRate]: o.fastLearningRate ?? learningRate },
        onStep: chains.onStep,
        finish: async ({ stepSeconds, elapsedSeconds }) => {
          const { squaredErrors } = await dbm.reconstruct(monitorRows, o.meanFieldIterations);
          const reconstructionError = squaredErrors.reduce((s, x) => s + x, 0) / squaredErrors.length;
          checkBlowUp(reconstructionError, blowUpError, epoch);
          dbm.epochsTrained = epoch + 1;
          return { epoch: epoch + 1, learningRate, reconstructionError, samplesPerSecond: (minibatches.count * o.batchSize) / stepSeconds, ...chains.record(), seconds: elapsedSeconds() };
        },
      };
    },
    onEpoch,
    signal: o.signal,
  });
}

/**
 * Training of a factored gated RBM (Memisevic & Hinton 2010) on pairs [x | y] by contrastive divergence on its
 * conditional likelihood p(y | x): each row's chain starts at its own y and runs k block Gibbs sweeps of the
 * RBM of y and h given its x (a persistent chain would need the same x at every step). The surrogate loss
 *   L = mean F(y | x) - mean E(y-, E[h | x, y-]; x),
 * the chains held constant, has the CD gradient of -mean log p(y | x): the data's term is exact (h summed out,
 * the machine's free energy), the model's from the chains; `gradients` differentiates it through the
 * factored coupling, and SGD with momentum and weight decay (on the three factor matrices) follows it, one
 * graph run per minibatch, on the epoch loop of epochs.ts.
 */
import { stopGradient } from '../autodiff/stop-gradient.js';
import { validateForUnits } from '../data/validate.js';
import { UserError } from '../errors.js';
import { Graph } from '../graph/graph.js';
import { reduceMean, reduceSum, sub } from '../graph/ops/index.js';
import { gatedMachine, gatedRbmInputs, gatedRbmNames, splitPairs, type GatedRbmShape } from '../models/gated-rbm-graph.js';
import type { GatedRBM } from '../models/gated-rbm.js';
import { energy, freeEnergy, layerField, layerMean, meanOf } from '../models/machine.js';
import { squaredError } from '../models/rbm-graph.js';
import { RandomStream } from '../random/stream.js';
import type { TensorMap } from '../runtime/engine.js';
import { negativePhase } from '../samplers/negative-phase.js';
import { sliceColumns, type Matrix } from '../tensor/matrix.js';
import { blowUpThreshold, checkBlowUp } from './divergence.js';
import { runEpochs, stepState, type StepParameter } from './epochs.js';
import { batchRowsInput, gatheredMinibatch, minibatchNames, MinibatchRows } from './minibatch.js';
import { addMinimizer, optimizerNames, type OptimizerName, type StateTensor } from './optimizers.js';
import { defaultFitOptions, learningRateAt, type SgdTrainingOptions } from './options.js';

export interface GatedRbmFitOptions extends SgdTrainingOptions {
  /** SGD with momentum, or Adam (its learning rate the options' learningRate). */
  readonly optimizer: OptimizerName;
  /** Gibbs sweeps of CD. */
  readonly k: number;
  /** After each update, each factor's filters (the columns of W^x, W^y and W^h) scaled back to this norm when longer (0: none). */
  readonly maxNorm: number;
  readonly seed: number;
  /** Stops training before its next step once aborted (runEpochs): the model keeps its last whole epoch. */
  readonly signal?: AbortSignal;
}

/**
 * The defaults, measured on shifted random-dot pairs (docs/results.md): the mapping units sit on a plateau
 * (every factor small, the three-way products smaller) for tens of epochs and then learn the shifts within a
 * few; momentum 0.9 with a constant rate shortens the plateau, the max-norm keeps the factors from blowing up
 * (learning rates of 0.05 diverged, and on digit pairs 0.002 without it turned every mapping unit off in
 * epoch 60), batches of 20 give the updates.
 */
export const defaultGatedRbmFitOptions: GatedRbmFitOptions = {
  epochs: 150,
  batchSize: 20,
  learningRate: 0.02,
  learningRateSchedule: 'constant',
  momentum: 0.9,
  weightDecay: defaultFitOptions.weightDecay,
  optimizer: 'sgd',
  k: defaultFitOptions.k,
  maxNorm: 3,
  seed: 0,
};

/** Names of the step's outputs besides the state: the minibatch's summed squared error of y's reconstruction. */
export const gatedStepNames = { squaredError: 'squared_error' } as const;

/** The factors: weight decay and the max-norm apply to them, not to the biases. */
const FACTORS: ReadonlySet<string> = new Set([gatedRbmNames.inputFactors, gatedRbmNames.outputFactors, gatedRbmNames.hiddenFactors]);

/** The parameters of a gated RBM with their file names and shapes. */
function stepParameters(model: GatedRBM): StepParameter[] {
  const { nInput, nOutput, nHidden, nFactors } = model.shape;
  const p = model.params;
  return [
    { name: gatedRbmNames.inputFactors, dims: [nInput, nFactors], values: p.inputFactors },
    { name: gatedRbmNames.outputFactors, dims: [nOutput, nFactors], values: p.outputFactors },
    { name: gatedRbmNames.hiddenFactors, dims: [nHidden, nFactors], values: p.hiddenFactors },
    { name: gatedRbmNames.outputBias, dims: [nOutput], values: p.outputBias },
    { name: gatedRbmNames.hiddenBias, dims: [nHidden], values: p.hiddenBias },
  ];
}

/**
 * The training step (see the file comment). Inputs: the parameters by file name, all the training pairs
 * `examples` [nExamples, nInput + nOutput] with the minibatch's `batch_rows`, learning_rate and the
 * optimiser's state. Outputs: the next state and `squared_error`, the minibatch's sum over rows of
 * ||y - E[y | x, h]||^2, h the positive phase's draw, before the update.
 */
export function buildGatedRbmStep(shape: GatedRbmShape, nExamples: number, o: GatedRbmFitOptions, seed: number): { graph: Graph; optimizerState: StateTensor[] } {
  const g = new Graph('gated-rbm-step', seed);
  const p = gatedRbmInputs(g, shape);
  const rows = batchRowsInput(g, o.batchSize);
  const { x, y } = splitPairs(gatheredMinibatch(g, rows, nExamples, shape.nInput + shape.nOutput, minibatchNames.examples), shape);
  const machine = gatedMachine(p, x);
  const field = layerField(machine, [y, undefined], 1);
  const hidden = machine.layers[1].units;
  const h = hidden.sample(field, hidden.mean(field));
  const noState = (name: string): never => {
    throw new Error(`contrastive divergence keeps no state, asked for ${name}`);
  };
  const negative = negativePhase(machine, [undefined, h], { sampler: 'cd', k: o.k, chains: 0, temperatures: 1 }, noState);
  const model = [negative.even[0]!, meanOf(machine.layers[1], negative.oddFields[1]!)];
  const loss = sub(reduceMean(freeEnergy(machine, [y, undefined], [undefined, field]), [0]), reduceMean(energy(machine, model.map(stopGradient)), [0]));
  const params = [p.inputFactors, p.outputFactors, p.hiddenFactors, p.outputBias, p.hiddenBias].map((param) => ({ param, decay: FACTORS.has(param.name), maxColumnNorm: FACTORS.has(param.name) ? o.maxNorm : 0 }));
  const optimizerState = addMinimizer(loss, params, { optimizer: o.optimizer, momentum: o.momentum, weightDecay: o.weightDecay });
  g.output(gatedStepNames.squaredError, reduceSum(squaredError(y, layerMean(machine, [undefined, h], 0)), [0]));
  return { graph: g, optimizerState };
}

/** What `fitGatedRbm` reports per epoch. */
export interface GatedRbmEpochRecord {
  readonly epoch: number;
  readonly learningRate: number;
  /** Mean ||y - E[y | x, h]||^2 per pair over the epoch's minibatches, h drawn given x and y, each before its update. */
  readonly reconstructionError: number;
  readonly samplesPerSecond: number;
  readonly seconds: number;
}

/**
 * Train `model` on the pairs `train` [rows, nInput + nOutput] from its epochsTrained to `epochs` (see the file
 * comment), reshuffling every epoch. After each epoch the reconstruction error of y, past blowUpThreshold of
 * the outputs a divergence (the last good epoch kept).
 */
export async function fitGatedRbm(model: GatedRBM, train: Matrix, options: Partial<GatedRbmFitOptions> = {}, onEpoch?: (r: GatedRbmEpochRecord) => void | Promise<void>): Promise<GatedRbmEpochRecord[]> {
  const o: GatedRbmFitOptions = { ...defaultGatedRbmFitOptions, ...options };
  checkGatedRbmFit(model, train, o);
  const rng = new RandomStream(o.seed ^ Math.imul(model.epochsTrained, 0x9e3779b1));
  const { graph, optimizerState } = buildGatedRbmStep(model.shape, train.rows, o, rng.seed());
  const parameters = stepParameters(model);
  const state = stepState(model.engine, parameters, [], optimizerState);
  const minibatches = new MinibatchRows(model.engine, o.batchSize, { [minibatchNames.examples]: train });
  const blowUpError = blowUpThreshold(sliceColumns(train, model.shape.nInput, model.nVisible));
  const seen = minibatches.count * o.batchSize;
  return runEpochs({
    engine: model.engine,
    state,
    minibatches,
    rng,
    nExamples: train.rows,
    from: model.epochsTrained,
    to: o.epochs,
    parameters,
    graphAt: () => graph,
    startEpoch: (epoch) => {
      const learningRate = learningRateAt(o, epoch);
      let squaredErrors = 0;
      return {
        scalars: { [optimizerNames.learningRate]: learningRate },
        onStep: (out: TensorMap) => {
          squaredErrors += (out[gatedStepNames.squaredError].data as Float32Array)[0];
        },
        finish: ({ stepSeconds, elapsedSeconds }) => {
          const reconstructionError = squaredErrors / seen;
          checkBlowUp(reconstructionError, blowUpError, epoch);
          model.epochsTrained = epoch + 1;
          return { epoch: epoch + 1, learningRate, reconstructionError, samplesPerSecond: seen / stepSeconds, seconds: elapsedSeconds() };
        },
      };
    },
    onEpoch,
    signal: o.signal,
  });
}

/** One-line UserErrors for pairs and options the training cannot use. */
function checkGatedRbmFit(model: GatedRBM, train: Matrix, o: GatedRbmFitOptions): void {
  validateForUnits({ name: 'pairs', examples: train }, model.nVisible, model.visible);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1 && o.batchSize <= train.rows)) throw new UserError(`batchSize ${o.batchSize} must be an integer from 1 to the ${train.rows} pairs`);
  if (!(Number.isInteger(o.k) && o.k >= 1)) throw new UserError(`k must be a positive integer, got ${o.k}`);
  if (!(Number.isFinite(o.maxNorm) && o.maxNorm >= 0)) throw new UserError(`maxNorm must be a finite number >= 0 (0: none), got ${o.maxNorm}`);
}

/**
 * Multi-prediction training of a DBM with a label layer (Goodfellow et al. 2013; Deep Learning 20.4.5, figure
 * 20.5): for each example of a minibatch, a random subset of its variables (each pixel and the label apart,
 * hidden with probability `dropProbability`) is hidden; mean-field inference given the rest
 * (mp-dbm-graph.ts: the up-pass and `meanFieldIterations` sweeps) predicts them, and the loss is how badly it
 * does at the last sweep:
 *   L = mean over the minibatch of [sum over the hidden pixels of -log Q(v_i) + labelWeight (-log Q(y)) when
 *       the label is hidden],
 * cross-entropies at the fields of the last sweep. The gradient is exact: `gradients` back-propagates through
 * the unrolled inference (no sampling, no greedy pretraining). With `centering` the step follows the centred
 * gradient mapped back to the plain parameters (dbm-centering.ts; the chain [v, h_1, ..., h_L, y] is a DBM's),
 * by SGD with momentum; without, SGD or Adam on the plain gradient. Weight decay and a max-norm on the
 * weights' columns; one graph run per minibatch, on the epoch loop of epochs.ts. A new subset is drawn for
 * every example at every step, in the graph.
 */
import { validateForUnits } from '../data/validate.js';
import { UserError } from '../errors.js';
import { Graph, type Value } from '../graph/graph.js';
import { add, cast, mul, greater, randomUniformLike, reduceMean, reduceSum, slice } from '../graph/ops/index.js';
import { classRbmNames } from '../models/class-rbm-graph.js';
import { dbmNames } from '../models/dbm.js';
import { mpDbmInputs, mpDbmMeanField, predictionLoss, type MpDbmShape } from '../models/mp-dbm-graph.js';
import type { MpDBM } from '../models/mp-dbm.js';
import type { MachineValues } from '../models/machine.js';
import { RandomStream } from '../random/stream.js';
import type { TensorMap } from '../runtime/engine.js';
import { columnMeans, type Matrix } from '../tensor/matrix.js';
import { gradients } from '../autodiff/gradients.js';
import { nextName } from '../graph/state.js';
import { centredDirection, runningOffset } from './dbm-centering.js';
import { runEpochs, stepState, type StepParameter } from './epochs.js';
import { oneHotRows, classification, type LabelledRows } from './fit-class-rbm.js';
import { checkLabels } from './fit-classifier.js';
import { batchRowsInput, gatheredMinibatch, minibatchNames, MinibatchRows } from './minibatch.js';
import { addOptimizer, optimizerNames, type OptimizerName, type StateTensor } from './optimizers.js';
import { learningRateAt, type SgdTrainingOptions } from './options.js';

export interface MpDbmFitOptions extends SgdTrainingOptions {
  readonly optimizer: OptimizerName;
  /** The probability that a pixel, and apart from it the label, is hidden and predicted. */
  readonly dropProbability: number;
  /** The weight of the label's cross-entropy beside the pixels' (1: one variable like any pixel). */
  readonly labelWeight: number;
  /** Mean-field sweeps after the up-pass, unrolled and back-propagated through. */
  readonly meanFieldIterations: number;
  /**
   * Follow the centred gradient (dbm-centering.ts), the offsets running means of each layer's mean-field means
   * on the minibatches, starting at the data's pixel and class frequencies and 1/2 for hidden units.
   */
  readonly centering: boolean;
  /** After each update, each column of every weight matrix scaled back to this norm when longer (0: none). */
  readonly maxNorm: number;
  /** Labelled rows whose error rate (mean field, every pixel seen) is measured after each epoch. */
  readonly heldOut?: LabelledRows;
  readonly seed: number;
  /** Stops training before its next step once aborted (runEpochs): the model keeps its last whole epoch. */
  readonly signal?: AbortSignal;
}

/**
 * The defaults, measured on the bundled digits (docs/results.md): half the variables hidden (as the authors'
 * code, pylearn2's MaskGen drop_prob 0.5), 10 sweeps (it unrolls 14), centred SGD. Without centering the top
 * hidden layer saturated (every unit on for every digit: a bias, blind to the input) and Q(y) stayed at
 * chance; Adam follows the centred direction badly (it rescales the weights' and the biases' parts apart);
 * the label weighted as one pixel among 784 left the error near chance for tens of epochs where 10 brought it
 * down within ten.
 */
export const defaultMpDbmFitOptions: MpDbmFitOptions = {
  epochs: 50,
  batchSize: 100,
  learningRate: 0.05,
  learningRateSchedule: 'linear',
  momentum: 0.5,
  weightDecay: 0,
  optimizer: 'sgd',
  dropProbability: 0.5,
  labelWeight: 10,
  meanFieldIterations: 10,
  centering: true,
  maxNorm: 0,
  seed: 0,
};

/** Names of the step's inputs and outputs besides the parameters and the state. */
export const mpStepNames = { examples: minibatchNames.examples, targets: 'targets', loss: 'loss', offset: dbmNames.offset } as const;

/** The parameters of a multi-prediction DBM with their file names and shapes. */
function stepParameters(model: MpDBM): StepParameter[] {
  const { sizes, nClasses } = model;
  const { weights, biases } = model.dbm.params;
  return [
    ...weights.map((values, l) => ({ name: dbmNames.weights(l), dims: [sizes[l], sizes[l + 1]], values })),
    { name: classRbmNames.labelWeights, dims: [sizes.at(-1)!, nClasses], values: model.labels.labelWeights },
    ...biases.map((values, l) => ({ name: dbmNames.bias(l), dims: [sizes[l]], values })),
    { name: classRbmNames.labelBias, dims: [nClasses], values: model.labels.labelBias },
  ];
}

/**
 * The training step (see the file comment). Inputs: the parameters by file name, all the training `examples`
 * [nExamples, n_0] and their one-hot `targets` [nExamples, K] with the minibatch's `batch_rows`,
 * learning_rate and the optimiser's state. Outputs: the next state and `loss`, L before the update.
 */
export function buildMpDbmStep(shape: MpDbmShape, nExamples: number, o: MpDbmFitOptions, seed: number): { graph: Graph; optimizerState: StateTensor[] } {
  const g = new Graph('mp-dbm-step', seed);
  const machine = mpDbmInputs(g, shape);
  const rows = batchRowsInput(g, o.batchSize);
  const v = gatheredMinibatch(g, rows, nExamples, shape.sizes[0], mpStepNames.examples);
  const y = gatheredMinibatch(g, rows, nExamples, shape.nClasses, mpStepNames.targets);
  const seen = (x: Value): Value => cast(greater(randomUniformLike(x), o.dropProbability), 'float32');
  const visibleMask = seen(v);
  const labelMask = seen(slice(y, [0], [1], [1]));
  const { perExample, means } = multiPredictionLoss(machine, v, y, { visibleMask, labelMask }, o.meanFieldIterations, o.labelWeight);
  const loss = reduceMean(perExample, [0]);
  const weights = machine.couplings.flatMap((c) => c.parameters);
  const biases = machine.layers.map((layer) => layer.bias);
  const grads = gradients(loss, [...weights, ...biases]);
  let direction = { weights: grads.slice(0, weights.length), biases: grads.slice(weights.length) };
  if (o.centering) {
    const offsets = biases.map((b, l) => g.input(mpStepNames.offset(l), 'float32', b.shape!));
    offsets.forEach((b, l) => g.output(nextName(b.name), runningOffset(b, reduceMean(means[l], [0]))));
    direction = centredDirection(direction.weights, direction.biases, offsets);
  }
  const optimizerState = addOptimizer(
    g,
    [
      ...weights.map((param, i) => ({ param, grad: direction.weights[i], maxColumnNorm: o.maxNorm })),
      ...biases.map((param, i) => ({ param, grad: direction.biases[i], decay: false })),
    ],
    { optimizer: o.optimizer, momentum: o.momentum, weightDecay: o.weightDecay },
  );
  g.output(mpStepNames.loss, reduceSum(perExample, [0]));
  return { graph: g, optimizerState };
}

/**
 * The loss of each row [rows]: -log Q of its free pixels (`visibleMask` 0) plus `labelWeight` times that of its
 * label when free (`labelMask` [rows, 1] 0), Q the mean field of `iterations` sweeps given the rest (see the
 * file comment); and that mean field's means of every layer.
 */
export function multiPredictionLoss(machine: MachineValues, v: Value, y: Value, masks: { visibleMask: Value; labelMask: Value }, iterations: number, labelWeight = 1): { perExample: Value; means: Value[] } {
  const { fields, means } = mpDbmMeanField(machine, v, iterations, masks.visibleMask, { y, mask: masks.labelMask });
  const label = machine.layers.length - 1;
  const perExample = add(predictionLoss(machine.layers[0].units, v, fields[0]!, masks.visibleMask), mul(predictionLoss(machine.layers[label].units, y, fields[label]!, masks.labelMask), labelWeight));
  return { perExample, means };
}

/** What `fitMpDbm` reports per epoch. */
export interface MpDbmEpochRecord {
  readonly epoch: number;
  readonly learningRate: number;
  /** The multi-prediction loss per example (nats), over the epoch's minibatches, each before its update. */
  readonly loss: number;
  /** The held-out error rate of mean-field classification (every pixel seen). */
  readonly heldOutError?: number;
  readonly samplesPerSecond: number;
  readonly seconds: number;
}

/**
 * Train `model` on labelled rows (classes 0 .. K - 1) from its epochsTrained to `epochs` by multi-prediction
 * (see the file comment), reshuffling every epoch; after each, the held-out error rate.
 */
export async function fitMpDbm(model: MpDBM, train: LabelledRows, options: Partial<MpDbmFitOptions> = {}, onEpoch?: (r: MpDbmEpochRecord) => void | Promise<void>): Promise<MpDbmEpochRecord[]> {
  const o: MpDbmFitOptions = { ...defaultMpDbmFitOptions, ...options };
  checkMpDbmFit(model, train, o);
  const rng = new RandomStream(o.seed ^ Math.imul(model.epochsTrained, 0x9e3779b1));
  const { graph, optimizerState } = buildMpDbmStep(model.shape, train.examples.rows, o, rng.seed());
  const parameters = stepParameters(model);
  const targets = oneHotRows(train.labels, model.nClasses);
  const offsets = o.centering ? startingOffsets(model, train.examples, targets).map((initial, l) => ({ name: mpStepNames.offset(l), dims: [initial.length], initial })) : [];
  const state = stepState(model.engine, parameters, offsets, optimizerState);
  const minibatches = new MinibatchRows(model.engine, o.batchSize, { [mpStepNames.examples]: train.examples, [mpStepNames.targets]: targets });
  const seen = minibatches.count * o.batchSize;
  return runEpochs({
    engine: model.engine,
    state,
    minibatches,
    rng,
    nExamples: train.examples.rows,
    from: model.epochsTrained,
    to: o.epochs,
    parameters,
    graphAt: () => graph,
    startEpoch: (epoch) => {
      const learningRate = learningRateAt(o, epoch);
      let loss = 0;
      return {
        scalars: { [optimizerNames.learningRate]: learningRate },
        onStep: (out: TensorMap) => {
          loss += (out[mpStepNames.loss].data as Float32Array)[0];
        },
        finish: async ({ stepSeconds, elapsedSeconds }) => {
          model.epochsTrained = epoch + 1;
          const heldOutError = o.heldOut === undefined ? undefined : (await classification(model, o.heldOut)).error;
          return {
            epoch: epoch + 1,
            learningRate,
            loss: loss / seen,
            ...(heldOutError === undefined ? {} : { heldOutError }),
            samplesPerSecond: seen / stepSeconds,
            seconds: elapsedSeconds(),
          };
        },
      };
    },
    onEpoch,
    signal: o.signal,
  });
}

/** Centering's first offsets: each pixel's and each class's frequency in the data, 1/2 for every hidden unit. */
function startingOffsets(model: MpDBM, examples: Matrix, targets: Matrix): Float32Array[] {
  const hidden = model.sizes.slice(1).map((n) => new Float32Array(n).fill(0.5));
  return [Float32Array.from(columnMeans(examples)), ...hidden, Float32Array.from(columnMeans(targets))];
}

/** One-line UserErrors for data, labels and options the training cannot use. */
function checkMpDbmFit(model: MpDBM, train: LabelledRows, o: MpDbmFitOptions): void {
  validateForUnits({ name: 'data', examples: train.examples }, model.nVisible, model.visible);
  checkLabels(train.labels, train.examples.rows, model.nClasses, 'labels');
  if (o.heldOut !== undefined) {
    validateForUnits({ name: 'held-out data', examples: o.heldOut.examples }, model.nVisible, model.visible);
    checkLabels(o.heldOut.labels, o.heldOut.examples.rows, model.nClasses, 'held-out labels');
  }
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1 && o.batchSize <= train.examples.rows)) throw new UserError(`batchSize ${o.batchSize} must be an integer from 1 to the ${train.examples.rows} examples`);
  if (!(o.dropProbability > 0 && o.dropProbability < 1)) throw new UserError(`dropProbability must be between 0 and 1 (exclusive), got ${o.dropProbability}`);
  if (!(Number.isInteger(o.meanFieldIterations) && o.meanFieldIterations >= 1)) throw new UserError(`meanFieldIterations must be a positive integer, got ${o.meanFieldIterations}`);
  if (o.centering && o.optimizer === 'adam') throw new UserError('centering follows the centred gradient by SGD; Adam rescales its parts apart: use the sgd optimizer, or no centering');
  if (!(Number.isFinite(o.maxNorm) && o.maxNorm >= 0)) throw new UserError(`maxNorm must be a finite number >= 0 (0: none), got ${o.maxNorm}`);
}

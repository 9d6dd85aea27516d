/**
 * Training of a classification RBM (Larochelle & Bengio 2008) on labelled rows, and unlabelled ones
 * (semi-supervised), by one of three objectives over a minibatch of (x, y):
 *   discriminative  L_disc = -mean log p(y | x) over the minibatch (0 for an unlabelled row), its exact gradient
 *                   (p(y | x) is K terms, class-rbm-graph.ts);
 *   generative      L_gen = mean F(x, y) (F(x) for an unlabelled row) - mean E(x-, E[h | x-, y-], y-), whose
 *                   gradient is that of -mean log p(x, y) (log p(x)): the positive phase exact, the negative one
 *                   the samplers' chains of the machine's even layers (x, y), h summed out
 *                   (samplers/negative-phase.ts: cd, pcd, pt);
 *   hybrid          L_disc + alpha L_gen.
 * Each gradient comes from `gradients` of the loss, the chains held constant, and SGD with momentum and weight
 * decay (on W and U) follows it: one graph run per minibatch, on the epoch loop of epochs.ts.
 */
import { stopGradient } from '../autodiff/stop-gradient.js';
import { UserError } from '../errors.js';
import { Graph, type Value } from '../graph/graph.js';
import type { StateInput } from '../graph/state.js';
import { add, argMax, cast, equal, exp, logSoftmax, mul, neg, reduceMean, reduceSum, slice, sub } from '../graph/ops/index.js';
import { classHiddenFields, classLogits, classRbmInputs, classRbmMachine, classRbmNames, type ClassRbmShape, type ClassRbmValues } from '../models/class-rbm-graph.js';
import { mostProbable, type ClassRBM } from '../models/class-rbm.js';
import { biasTerm, energy, meanOf, type MachineValues } from '../models/machine.js';
import { parameterNames } from '../models/rbm-graph.js';
import { RandomStream } from '../random/stream.js';
import { chainsName, negativePhase, type SamplerName } from '../samplers/negative-phase.js';
import { gatherRows, matrix, sliceRows, type Matrix } from '../tensor/matrix.js';
import { validateForUnits } from '../data/validate.js';
import { blowUpThreshold, checkBlowUp } from './divergence.js';
import type { TensorMap } from '../runtime/engine.js';
import { runEpochs, stepState, type StepParameter } from './epochs.js';
import { checkLabels } from './fit-classifier.js';
import { batchRowsInput, gatheredMinibatch, minibatchNames, MinibatchRows } from './minibatch.js';
import { addMinimizer, optimizerNames, type StateTensor } from './optimizers.js';
import { checkSamplerChains, defaultFitOptions, learningRateAt, type SgdTrainingOptions } from './options.js';

/** What a classification RBM's training minimises. */
export type ClassRbmObjective = 'generative' | 'discriminative' | 'hybrid';
export const CLASS_RBM_OBJECTIVES: readonly ClassRbmObjective[] = ['generative', 'discriminative', 'hybrid'];

/** Labelled rows: examples [rows, nVisible] and one class per row. */
export interface LabelledRows {
  readonly examples: Matrix;
  readonly labels: ArrayLike<number>;
}

export interface ClassRbmFitOptions extends SgdTrainingOptions {
  readonly objective: ClassRbmObjective;
  /** Hybrid: the weight of the generative loss beside the discriminative one. */
  readonly alpha: number;
  /** The negative phase of the generative loss: cd, pcd or pt. */
  readonly sampler: Exclude<SamplerName, 'fpcd'>;
  readonly k: number;
  /** Persistent chains (pcd; pt: per temperature). */
  readonly chains: number;
  readonly temperatures: number;
  /** Training examples whose error rate and reconstruction error are measured after each epoch. */
  readonly monitorSize: number;
  /** Labelled rows whose error rate is measured after each epoch. */
  readonly heldOut?: LabelledRows;
  readonly seed: number;
  /** Stops training before its next step once aborted (runEpochs): the model keeps its last whole epoch. */
  readonly signal?: AbortSignal;
}

/** The defaults: those of `fit` (and of `train`'s flags) where both have the setting, 20 epochs, the hybrid objective. */
export const defaultClassRbmFitOptions: ClassRbmFitOptions = {
  epochs: 20,
  batchSize: defaultFitOptions.batchSize,
  learningRate: defaultFitOptions.learningRate,
  learningRateSchedule: defaultFitOptions.learningRateSchedule,
  momentum: defaultFitOptions.finalMomentum,
  weightDecay: defaultFitOptions.weightDecay,
  objective: 'hybrid',
  alpha: 0.01,
  sampler: 'pcd',
  k: defaultFitOptions.k,
  chains: defaultFitOptions.chains,
  temperatures: defaultFitOptions.temperatures,
  monitorSize: 1000,
  seed: 0,
};

/** Names of the step's inputs and outputs besides the parameters and the state. */
export const classStepNames = { examples: minibatchNames.examples, targets: 'targets', classLoss: 'class_loss', errors: 'errors', labelled: 'labelled' } as const;

/** The parameters weight decay applies to: W and U. */
const DECAYED: ReadonlySet<string> = new Set([parameterNames.weights, classRbmNames.labelWeights]);

/** The parameters of a classification RBM with their file names and shapes. */
function stepParameters(model: ClassRBM): StepParameter[] {
  const { nVisible, nHidden, nClasses } = model;
  const { weights, visibleBias, hiddenBias } = model.rbm.params;
  return [
    { name: parameterNames.weights, dims: [nVisible, nHidden], values: weights },
    { name: parameterNames.visibleBias, dims: [nVisible], values: visibleBias },
    { name: parameterNames.hiddenBias, dims: [nHidden], values: hiddenBias },
    { name: classRbmNames.labelWeights, dims: [nHidden, nClasses], values: model.labels.labelWeights },
    { name: classRbmNames.labelBias, dims: [nClasses], values: model.labels.labelBias },
  ];
}

/**
 * The training step (see the file comment). Inputs: the parameters by file name, all the training `examples`
 * [nExamples, nVisible] and their one-hot `targets` [nExamples, K] (a row of zeros: unlabelled) with the
 * minibatch's `batch_rows`, learning_rate, the optimiser's and the sampler's state. Outputs: the next state
 * and, over the minibatch's labelled rows before the update, `class_loss` (the sum of -log p(y | x)),
 * `errors` (how many the most probable class gets wrong) and `labelled` (how many there are).
 */
export function buildClassRbmStep(shape: ClassRbmShape, nExamples: number, o: ClassRbmFitOptions, seed: number): { graph: Graph; samplerState: { name: string; dims: readonly number[] }[]; optimizerState: StateTensor[] } {
  const g = new Graph('class-rbm-step', seed);
  const p = classRbmInputs(g, shape);
  const rows = batchRowsInput(g, o.batchSize);
  const x = gatheredMinibatch(g, rows, nExamples, shape.nVisible, classStepNames.examples);
  const y = gatheredMinibatch(g, rows, nExamples, shape.nClasses, classStepNames.targets);
  const fields = classHiddenFields(p, x);
  const logits = classLogits(p, fields);
  const logP = logSoftmax(logits, 1);
  const labelled = reduceSum(y, [1]);
  const rowLoss = neg(reduceSum(mul(y, logP), [1]));
  const classLoss = reduceMean(rowLoss, [0]);
  const samplerState: { name: string; dims: readonly number[] }[] = [];
  let loss = classLoss;
  if (o.objective !== 'discriminative') {
    const generative = generativeLoss(p, { x, y, fields, logits, logP }, o, (name, dims) => {
      samplerState.push({ name, dims });
      return g.input(name, 'float32', dims);
    });
    loss = o.objective === 'generative' ? generative : add(classLoss, mul(generative, o.alpha));
  }
  const params = [p.rbm.weights, p.rbm.visibleBias, p.rbm.hiddenBias, p.labelWeights, p.labelBias].map((param) => ({ param, decay: DECAYED.has(param.name) }));
  const optimizerState = addMinimizer(loss, params, { optimizer: 'sgd', momentum: o.momentum, weightDecay: o.weightDecay });
  g.output(classStepNames.classLoss, reduceSum(rowLoss, [0]));
  g.output(classStepNames.errors, reduceSum(mul(labelled, sub(1, cast(equal(argMax(logP, 1), argMax(y, 1)), 'float32'))), [0]));
  g.output(classStepNames.labelled, reduceSum(labelled, [0]));
  return { graph: g, samplerState, optimizerState };
}

/** A minibatch's rows x and one-hot classes y (zeros: unlabelled), with the hidden fields and class logits and log-probabilities of x. */
interface ClassifiedRows {
  readonly x: Value;
  readonly y: Value;
  readonly fields: readonly Value[];
  readonly logits: Value;
  readonly logP: Value;
}

/**
 * The generative surrogate: mean over the minibatch of the free energy F(x, y) of a labelled row and F(x) of
 * an unlabelled one (the class summed out too),
 *   -F(x, y) = a(x) + logit_y,   -F(x) = a(x) + logsumexp_k logit_k,
 * differentiated through (dF/dtheta = E[dE/dtheta | the row]), minus mean E over the chains (their x and y, h
 * at its mean given them) held constant: its gradient is that of -log p(x, y) (-log p(x) for unlabelled rows)
 * with the model's statistics from the chains. The sampler's outputs (the chains' next state, their free
 * energy) are added to the graph. CD's chains start from a draw of h given each row's x and y, y drawn from
 * p(y | x) where the row has none.
 */
function generativeLoss(p: ClassRbmValues, rows: ClassifiedRows, o: ClassRbmFitOptions, stateInput: StateInput): Value {
  const { x, y, logits, logP } = rows;
  const machine = classRbmMachine(p);
  const unlabelled = sub(1, reduceSum(y, [1], { keepDims: true }));
  const logSumExp = sub(slice(logits, [0], [1], [1]), slice(logP, [0], [1], [1]));
  const negF = add(biasTerm(machine.layers[0], x), add(reduceSum(mul(y, logits), [1]), reduceSum(mul(unlabelled, logSumExp), [1])));
  const dataOdd = o.sampler === 'cd' ? [undefined, hiddenDraw(machine, rows, unlabelled), undefined] : [];
  const negative = negativePhase(machine, dataOdd, o, stateInput);
  for (const [name, value] of Object.entries(negative.outputs)) x.graph.output(name, value);
  const model = [negative.even[0]!, meanOf(machine.layers[1], negative.oddFields[1]!), negative.even[2]!];
  return sub(neg(reduceMean(negF, [0])), reduceMean(energy(machine, model.map(stopGradient)), [0]));
}

/** A draw of h given each row's x and y, y first drawn from p(y | x) where the row is unlabelled ([rows, 1] of 1 there). */
function hiddenDraw(machine: MachineValues, { y, fields, logP }: ClassifiedRows, unlabelled: Value): Value {
  const labels = machine.layers[2].units;
  const classes = add(y, mul(unlabelled, labels.sample(logP, exp(logP))));
  const field = fields.map((f, k) => mul(f, slice(classes, [k], [k + 1], [1]))).reduce((sum, term) => add(sum, term));
  const hidden = machine.layers[1].units;
  return hidden.sample(field, hidden.mean(field));
}

/** What `fitClassRbm` reports per epoch. */
export interface ClassRbmEpochRecord {
  readonly epoch: number;
  readonly learningRate: number;
  /** Mean -log p(y | x) of the labelled rows of the epoch's minibatches, each before its update. */
  readonly classLoss: number;
  /** Error rate on the labelled rows of the epoch's minibatches, each before its update. */
  readonly trainingError: number;
  /** Error rate on the held-out rows after the epoch, when given. */
  readonly heldOutError?: number;
  /** Squared reconstruction error per example of the first monitorSize training rows (the blow-up check). */
  readonly reconstructionError: number;
  readonly samplesPerSecond: number;
  readonly seconds: number;
}

/** The label of an unlabelled row: it trains the generative term only, as -log p(x). */
export const UNLABELLED = -1;

/** The one-hot rows [rows, K] of `labels` (a row of zeros for UNLABELLED). */
export function oneHotRows(labels: ArrayLike<number>, nClasses: number): Matrix {
  const out = new Float32Array(labels.length * nClasses);
  for (let r = 0; r < labels.length; r++) if (labels[r] !== UNLABELLED) out[r * nClasses + labels[r]] = 1;
  return matrix(out, labels.length, nClasses);
}

/**
 * Train `model` on `train` (labels 0 .. K - 1, or UNLABELLED: semi-supervised, those rows train the
 * generative term as -log p(x), so the objective must have one) from its epochsTrained to `epochs` (see the
 * file comment), reshuffling every epoch. Persistent chains start at random training rows and their labels (a
 * random class for an unlabelled row). After each
 * epoch: the held-out error rate, and the reconstruction error of the first monitorSize rows, past
 * blowUpThreshold a divergence (the last good epoch kept).
 */
export async function fitClassRbm(model: ClassRBM, train: LabelledRows, options: Partial<ClassRbmFitOptions> = {}, onEpoch?: (r: ClassRbmEpochRecord) => void | Promise<void>): Promise<ClassRbmEpochRecord[]> {
  const o: ClassRbmFitOptions = { ...defaultClassRbmFitOptions, ...options };
  const data = train.examples;
  checkClassRbmFit(model, train, o);
  const rng = new RandomStream(o.seed ^ Math.imul(model.epochsTrained, 0x9e3779b1));
  const { graph, samplerState, optimizerState } = buildClassRbmStep(model.shape, data.rows, o, rng.seed());
  const targets = oneHotRows(train.labels, model.nClasses);
  const chainRows = samplerState.find((s) => s.name === chainsName(0))?.dims[0] ?? 0;
  const start = rng.indices(chainRows, data.rows);
  const startLabels = Int32Array.from(start, (r) => (train.labels[r] === UNLABELLED ? rng.int(0, model.nClasses - 1) : train.labels[r]));
  const chainStart: Record<string, Matrix> = { [chainsName(0)]: gatherRows(data, start), [chainsName(2)]: oneHotRows(startLabels, model.nClasses) };
  const parameters = stepParameters(model);
  const state = stepState(model.engine, parameters, samplerState.map((s) => ({ ...s, initial: chainStart[s.name].data })), optimizerState);
  const minibatches = new MinibatchRows(model.engine, o.batchSize, { [classStepNames.examples]: data, [classStepNames.targets]: targets });
  const monitorRows = sliceRows(data, 0, Math.min(o.monitorSize, data.rows));
  const blowUpError = blowUpThreshold(data);
  const seen = minibatches.count * o.batchSize;
  return runEpochs({
    engine: model.engine,
    state,
    minibatches,
    rng,
    nExamples: data.rows,
    from: model.epochsTrained,
    to: o.epochs,
    parameters,
    graphAt: () => graph,
    startEpoch: (epoch) => {
      const learningRate = learningRateAt(o, epoch);
      let classLoss = 0;
      let errors = 0;
      let labelled = 0;
      const sum = (out: TensorMap, name: string): number => (out[name].data as Float32Array)[0];
      return {
        scalars: { [optimizerNames.learningRate]: learningRate },
        onStep: (out) => {
          classLoss += sum(out, classStepNames.classLoss);
          errors += sum(out, classStepNames.errors);
          labelled += sum(out, classStepNames.labelled);
        },
        finish: async ({ stepSeconds, elapsedSeconds }) => {
          const { squaredErrors } = await model.reconstruct(monitorRows);
          const reconstructionError = squaredErrors.reduce((s, e) => s + e, 0) / squaredErrors.length;
          checkBlowUp(reconstructionError, blowUpError, epoch);
          model.epochsTrained = epoch + 1;
          const heldOutError = o.heldOut === undefined ? undefined : (await classification(model, o.heldOut)).error;
          return {
            epoch: epoch + 1,
            learningRate,
            classLoss: classLoss / labelled,
            trainingError: errors / labelled,
            ...(heldOutError === undefined ? {} : { heldOutError }),
            reconstructionError,
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

/** How well `model` (any with log p(y | x), or its approximation) classifies labelled rows: the fraction whose most probable class is not their label, and the mean -log p(y | x). */
export async function classification(model: { readonly nClasses: number; classLogProbabilities(x: Matrix): Promise<Matrix> }, rows: LabelledRows): Promise<{ readonly error: number; readonly loss: number }> {
  const logP = await model.classLogProbabilities(rows.examples);
  const K = model.nClasses;
  let wrong = 0;
  let loss = 0;
  for (let r = 0; r < logP.rows; r++) {
    const row = logP.data.subarray(r * K, (r + 1) * K);
    wrong += Number(mostProbable(row) !== rows.labels[r]);
    loss -= row[rows.labels[r]];
  }
  return { error: wrong / logP.rows, loss: loss / logP.rows };
}

/** One-line UserErrors for data, labels and options the training cannot use. */
function checkClassRbmFit(model: ClassRBM, train: LabelledRows, o: ClassRbmFitOptions): void {
  if (model.visible.learnedStd !== undefined) throw new UserError(`a classification RBM trains visible units without a learned std, not ${model.visible.name}`);
  validateForUnits({ name: 'data', examples: train.examples }, model.nVisible, model.visible);
  const { labels } = train;
  if (labels.length !== train.examples.rows) throw new UserError(`labels: ${labels.length} labels for ${train.examples.rows} examples`);
  let labelled = 0;
  for (let r = 0; r < labels.length; r++) {
    const y = labels[r];
    if (y === UNLABELLED) continue;
    if (!(Number.isInteger(y) && y >= 0 && y < model.nClasses)) throw new UserError(`labels: example ${r} (0-based) has label ${y}, not a class from 0 to ${model.nClasses - 1} (nor ${UNLABELLED}: unlabelled)`);
    labelled++;
  }
  if (labelled === 0) throw new UserError('labels: every example is unlabelled; a classification RBM needs labelled ones');
  if (labelled < labels.length && o.objective === 'discriminative') throw new UserError('unlabelled examples train the generative term only: use the generative or hybrid objective');
  if (o.heldOut !== undefined) {
    validateForUnits({ name: 'held-out data', examples: o.heldOut.examples }, model.nVisible, model.visible);
    checkLabels(o.heldOut.labels, o.heldOut.examples.rows, model.nClasses, 'held-out labels');
  }
  if (!CLASS_RBM_OBJECTIVES.includes(o.objective)) throw new UserError(`objective must be ${CLASS_RBM_OBJECTIVES.join(', ')}, got ${String(o.objective)}`);
  if (!(Number.isFinite(o.alpha) && o.alpha >= 0)) throw new UserError(`alpha must be a finite number >= 0, got ${o.alpha}`);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1 && o.batchSize <= train.examples.rows)) throw new UserError(`batchSize ${o.batchSize} must be an integer from 1 to the ${train.examples.rows} examples`);
  if ((o.sampler as SamplerName) === 'fpcd') throw new UserError('a classification RBM trains with cd, pcd or pt');
  if (o.objective !== 'discriminative') checkSamplerChains(o, model.nVisible + model.nHidden + model.nClasses);
}

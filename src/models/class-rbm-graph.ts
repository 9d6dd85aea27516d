/**
 * The graph math of the classification RBM (Larochelle & Bengio 2008; Deep Learning 20.8): the machine of
 * three layers x (the visible units), h (hidden) and y (one softmax group of K classes, one-hot), with the
 * couplings W between x and h and U between h and y,
 *   E(x, h, y) = -a(x) - c . h - d . y - x^T W h - h^T U y,
 * so that y is a second visible layer beside x, coupled to x only through h. Given x and y, h is factorial;
 * given h, x and y are. Summing out h,
 *   log p(y = k | x) = d_k + sum_j log sum_{h_j} exp(h_j (c + x W + U_{:,k})_j) - log sum_k' (same, k'),
 * exact: K terms, each the hidden units' log-partition at the field they get from x and class k
 * (softplus for Bernoulli hidden units). Shapes: x [rows, nVisible], h [rows, nHidden], y [rows, K].
 */
import { Graph, type Value } from '../graph/graph.js';
import { add, concat, exp, logSoftmax, mul, reduceSum, slice } from '../graph/ops/index.js';
import { softmax as softmaxUnits } from '../units/softmax.js';
import { denseCoupling, gibbsSweep, layerField, sampleLayers, type MachineValues } from './machine.js';
import { parameterInputs, rbmMachine, squaredError, visibleMean, type RbmValues } from './rbm-graph.js';
import type { RbmShape } from './rbm-inference.js';

/** Tensor (and graph input) names of the label layer's parameters, beside the RBM's `weights`, `visible_bias`, `hidden_bias`. */
export const classRbmNames = { labelWeights: 'label_weights', labelBias: 'label_bias' } as const;

/** Sizes and unit types of a classification RBM: the RBM of x and h, and the classes K (2 or more). */
export interface ClassRbmShape extends RbmShape {
  readonly nClasses: number;
}

/** A classification RBM's parameters as graph values: the RBM of x and h, U [nHidden, K] and d [K]. */
export interface ClassRbmValues {
  readonly rbm: RbmValues;
  readonly labelWeights: Value;
  readonly labelBias: Value;
  readonly nClasses: number;
}

/** Declare a classification RBM's parameters as graph inputs, by their file names. */
export function classRbmInputs(g: Graph, shape: ClassRbmShape): ClassRbmValues {
  return {
    rbm: parameterInputs(g, shape.nVisible, shape.nHidden, shape),
    labelWeights: g.input(classRbmNames.labelWeights, 'float32', [shape.nHidden, shape.nClasses]),
    labelBias: g.input(classRbmNames.labelBias, 'float32', [shape.nClasses]),
    nClasses: shape.nClasses,
  };
}

/** The machine of layers [x, h, y] (y: softmax:K) with the couplings W (x-h) and U (h-y). */
export function classRbmMachine(p: ClassRbmValues): MachineValues {
  const rbm = rbmMachine(p.rbm);
  return {
    layers: [...rbm.layers, { units: softmaxUnits(p.nClasses), bias: p.labelBias }],
    couplings: [...rbm.couplings, denseCoupling(1, 2, p.labelWeights)],
  };
}

/** The one-hot row [1, K] of class k, a constant of x's graph. */
const oneHot = (x: Value, nClasses: number, k: number): Value =>
  x.graph.constant(Float32Array.from({ length: nClasses }, (_, j) => Number(j === k)), 'float32', [1, nClasses]);

/**
 * The hidden layer's field given x and each class k: fields[k] = c + x W + U_{:,k}, [rows, nHidden] each, the
 * part from x computed once and U's coupling sending e_k down.
 */
export function classHiddenFields(p: ClassRbmValues, x: Value): Value[] {
  const machine = classRbmMachine(p);
  const fromVisible = layerField(machine, [x, undefined, undefined], 1);
  const labelCoupling = machine.couplings[1];
  return Array.from({ length: p.nClasses }, (_, k) => add(fromVisible, labelCoupling.down(oneHot(x, p.nClasses, k))));
}

/**
 * The class logits d_k + sum_j logPartition_j(fields[k]) (the file comment), from the hidden fields of
 * `classHiddenFields`: log p(x, y = k) up to the visible units' term and log Z. [rows, K].
 */
export function classLogits(p: ClassRbmValues, fields: readonly Value[]): Value {
  const hidden = p.rbm.hidden;
  return add(concat(fields.map((field) => reduceSum(hidden.logPartition(field), [1], { keepDims: true })), 1), p.labelBias);
}

/** log p(y = k | x) for every class: the log-softmax of the class logits over k. [rows, K]. */
export const classLogProbabilities = (p: ClassRbmValues, fields: readonly Value[]): Value => logSoftmax(classLogits(p, fields), 1);

/** Names of the inference graphs' inputs and outputs. */
export const classInferenceNames = {
  visible: 'visible',
  label: 'label',
  classLogProbabilities: 'class_log_probabilities',
  hiddenMean: 'hidden_mean',
  reconstruction: 'reconstruction',
  squaredError: 'squared_error',
  visibleSample: 'visible_sample',
  visibleMean: 'visible_mean',
  labelSample: 'label_sample',
} as const;

/** A graph of a classification RBM of `shape` on visible rows [rows, nVisible], its outputs by name from the parameters and x. */
function visibleGraph(name: string, shape: ClassRbmShape, outputs: (p: ClassRbmValues, x: Value) => Record<string, Value>): Graph {
  const g = new Graph(name);
  const p = classRbmInputs(g, shape);
  const x = g.input(classInferenceNames.visible, 'float32', ['rows', shape.nVisible]);
  for (const [output, value] of Object.entries(outputs(p, x))) g.output(output, value);
  return g;
}

/** log p(y | x): visible -> class_log_probabilities [rows, K]. */
export const classProbabilityGraph = (shape: ClassRbmShape): Graph =>
  visibleGraph('class-log-probabilities', shape, (p, x) => ({ [classInferenceNames.classLogProbabilities]: classLogProbabilities(p, classHiddenFields(p, x)) }));

/** E[h | x], the class summed out: visible -> hidden_mean [rows, nHidden]. */
export const classHiddenMeanGraph = (shape: ClassRbmShape): Graph => visibleGraph('class-hidden-mean', shape, (p, x) => ({ [classInferenceNames.hiddenMean]: hiddenMean(p, x) }));

/** The reconstruction E[x | h = E[h | x]] (the class summed out) and its squared error: visible -> reconstruction [rows, nVisible], squared_error [rows]. */
export const classReconstructionGraph = (shape: ClassRbmShape): Graph =>
  visibleGraph('class-reconstruction', shape, (p, x) => {
    const r = visibleMean(p.rbm, hiddenMean(p, x));
    return { [classInferenceNames.reconstruction]: r, [classInferenceNames.squaredError]: squaredError(x, r) };
  });

/** E[h | x] with the class summed out: sum_k p(y = k | x) E[h | x, y = k]. [rows, nHidden]. */
function hiddenMean(p: ClassRbmValues, x: Value): Value {
  const fields = classHiddenFields(p, x);
  const probabilities = exp(classLogProbabilities(p, fields));
  const weighted = fields.map((field, k) => mul(p.rbm.hidden.mean(field), slice(probabilities, [k], [k + 1], [1])));
  return weighted.slice(1).reduce((sum, term) => add(sum, term), weighted[0]);
}

/**
 * `steps` sweeps of block Gibbs sampling of the joint (x, y): h given x and y, then x and y given h. Inputs
 * visible [rows, nVisible] and label [rows, K] (one-hot); outputs visible_sample and label_sample (to continue
 * the chains) and visible_mean (E[x | h] of the last sweep).
 */
export function classGibbsGraph(shape: ClassRbmShape, steps: number, seed: number): Graph {
  const g = new Graph(`class-gibbs-${steps}`, seed);
  const machine = classRbmMachine(classRbmInputs(g, shape));
  const start = [g.input(classInferenceNames.visible, 'float32', ['rows', shape.nVisible]), undefined, g.input(classInferenceNames.label, 'float32', ['rows', shape.nClasses])];
  let x: (Value | undefined)[] = start;
  for (let s = 1; s < steps; s++) x = gibbsSweep(machine, x);
  const last = sampleLayers(machine, sampleLayers(machine, x, 1).states, 0);
  g.output(classInferenceNames.visibleSample, last.states[0]!);
  g.output(classInferenceNames.labelSample, last.states[2]!);
  g.output(classInferenceNames.visibleMean, last.means[0]!);
  return g;
}

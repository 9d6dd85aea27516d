/**
 * The graph math of the multi-prediction DBM (Goodfellow et al. 2013; Deep Learning 20.4.5): a DBM of
 * Bernoulli layers v, h_1, ..., h_L (dbm.ts) with a label layer y, one softmax group of K classes, coupled to
 * the top hidden layer:
 *   E(v, h, y) = -sum_l b_l . x_l - sum_{l<L} x_l^T W_l x_{l+1} - d . y - h_L^T U y,
 * the machine of the chain [v, h_1, ..., h_L, y]. Any part of v and y may be observed: mean-field inference
 * (`maskedMeanField`, machine.ts) gives Q over the rest, each free unit's Q its mean, the label's free rows
 * starting at softmax(d) and the missing pixels at sigmoid(b_0). Q(y) classifies, Q(v) fills in missing
 * pixels. The label is always inferred through an observation with mask 0, so that classification runs the
 * very procedure training unrolls. Shapes: v [rows, n_0], masks [rows, n_0] (1: observed), y [rows, K].
 */
import { Graph, type Value } from '../graph/graph.js';
import { nextName } from '../graph/state.js';
import { logSoftmax, mul, reduceSum, slice, sub } from '../graph/ops/index.js';
import { softmax as softmaxUnits } from '../units/softmax.js';
import type { UnitType } from '../units/unit-type.js';
import { dbmInputs } from './dbm.js';
import { classRbmNames } from './class-rbm-graph.js';
import { denseCoupling, layerMean, maskedMeanField, sampleLayers, type MachineValues, type MeanField } from './machine.js';
import { squaredError } from './rbm-graph.js';

/** Sizes of a multi-prediction DBM: the DBM's layers (visible first, 2 or more hidden) and the classes K. */
export interface MpDbmShape {
  readonly sizes: readonly number[];
  readonly nClasses: number;
}

/** Graph inputs and outputs of its inference and sampling graphs (parameters: the DBM's names and `label_weights`, `label_bias`). */
export const mpDbmNames = {
  visible: 'visible',
  observed: 'observed',
  classLogProbabilities: 'class_log_probabilities',
  visibleMeans: 'visible_means',
  features: 'features',
  reconstruction: 'reconstruction',
  squaredError: 'squared_error',
  state: (layer: number): string => `state_${layer}`,
  visibleMean: 'visible_mean',
} as const;

/** The machine of the chain [v, h_1, ..., h_L, y] with its parameters as graph inputs, by their file names. */
export function mpDbmInputs(g: Graph, shape: MpDbmShape): MachineValues {
  const dbm = dbmInputs(g, shape.sizes);
  const top = shape.sizes.length - 1;
  const labelWeights = g.input(classRbmNames.labelWeights, 'float32', [shape.sizes[top], shape.nClasses]);
  return {
    layers: [...dbm.layers, { units: softmaxUnits(shape.nClasses), bias: g.input(classRbmNames.labelBias, 'float32', [shape.nClasses]) }],
    couplings: [...dbm.couplings, denseCoupling(top, top + 1, labelWeights)],
  };
}

/**
 * Mean-field inference given pixels v, observed where `visibleMask` is 1 (absent: every pixel), and labels y
 * observed where `labels.mask` [rows, 1] is 1 (absent: none): `iterations` sweeps after the up-pass. Returns
 * every layer's means and fields.
 */
export function mpDbmMeanField(machine: MachineValues, v: Value, iterations: number, visibleMask?: Value, labels?: { y: Value; mask: Value }): MeanField {
  const k = machine.layers.at(-1)!.units.groupSize;
  // A free label: values 0 [1, K] under a mask of 0 [rows, 1] (v's first column times 0).
  const label = labels ?? { y: v.graph.constant(new Float32Array(k), 'float32', [1, k]), mask: mul(slice(v, [0], [1], [1]), 0) };
  const observed = machine.layers.map((_, l) => (l === 0 ? { values: v, mask: visibleMask } : l === machine.layers.length - 1 ? { values: label.y, mask: label.mask } : undefined));
  return maskedMeanField(machine, observed, iterations);
}

/**
 * -log Q(x_free) of a layer's free units at their fields, for units whose mean-field Q is exp(x . f) / Z(f)
 * (Bernoulli, softmax): sum over free groups of log Z(f), minus sum over free units of x f. `mask` 1 where
 * observed, of the layer's shape or [rows, 1]. [rows].
 */
export function predictionLoss(units: UnitType, x: Value, field: Value, mask: Value): Value {
  const free = sub(1, mask);
  return sub(reduceSum(mul(free, units.logPartition(field)), [1]), reduceSum(mul(free, mul(x, field)), [1]));
}

/**
 * The inference graph: inputs the parameters, `visible` [rows, n_0] and, when `masked`, `observed` [rows, n_0]
 * (1: a pixel seen); outputs log Q(y) [rows, K], Q(v) (the observed pixels kept) [rows, n_0], the top hidden
 * layer's means [rows, n_L] (`features`), the reconstruction E[v | mu_1] and its squared error [rows].
 */
export function mpDbmInferenceGraph(shape: MpDbmShape, iterations: number, masked: boolean): Graph {
  const g = new Graph(`mp-dbm-inference-${iterations}${masked ? '-masked' : ''}`);
  const machine = mpDbmInputs(g, shape);
  const v = g.input(mpDbmNames.visible, 'float32', ['rows', shape.sizes[0]]);
  const mask = masked ? g.input(mpDbmNames.observed, 'float32', ['rows', shape.sizes[0]]) : undefined;
  const { means, fields } = mpDbmMeanField(machine, v, iterations, mask);
  const top = shape.sizes.length - 1;
  const r = layerMean(machine, [undefined, means[1]], 0);
  g.output(mpDbmNames.classLogProbabilities, logSoftmax(fields[top + 1]!, 1));
  g.output(mpDbmNames.visibleMeans, means[0]);
  g.output(mpDbmNames.features, means[top]);
  g.output(mpDbmNames.reconstruction, r);
  g.output(mpDbmNames.squaredError, squaredError(v, r));
  return g;
}

/**
 * `steps` sweeps of block Gibbs sampling of the whole chain (odd layers given the even ones, then the even
 * ones): inputs the even layers' states `state_l` [count, n_l] (v, h_2, ...), outputs their next states and
 * `visible_mean`, E[v | h_1] of the last sweep.
 */
export function mpDbmGibbsGraph(shape: MpDbmShape, steps: number, seed: number): Graph {
  const g = new Graph(`mp-dbm-gibbs-${steps}`, seed);
  const machine = mpDbmInputs(g, shape);
  const even = machine.layers.map((layer, l) => (l % 2 === 0 ? g.input(mpDbmNames.state(l), 'float32', ['count', layerSize(shape, l)]) : undefined));
  let states: (Value | undefined)[] = even;
  let visibleMean: Value | undefined;
  for (let t = 0; t < steps; t++) {
    const drawn = sampleLayers(machine, sampleLayers(machine, states, 1).states, 0);
    states = drawn.states;
    visibleMean = drawn.means[0];
  }
  states.forEach((x, l) => l % 2 === 0 && g.output(nextName(mpDbmNames.state(l)), x!));
  g.output(mpDbmNames.visibleMean, visibleMean!);
  return g;
}

/** Units in layer l of the chain [v, h_1, ..., h_L, y]. */
export const layerSize = (shape: MpDbmShape, l: number): number => (l < shape.sizes.length ? shape.sizes[l] : shape.nClasses);

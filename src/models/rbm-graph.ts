import type { Graph, Value } from '../graph/graph.js';
import { add, gemm, neg, reduceSum, square, sub } from '../graph/ops/index.js';
import type { UnitType } from '../units/unit-type.js';

/** The parameters of an RBM as graph values: weights [nVisible, nHidden], biases [nVisible], [nHidden]. */
export interface RbmValues {
  readonly weights: Value;
  readonly visibleBias: Value;
  readonly hiddenBias: Value;
  readonly visible: UnitType;
  readonly hidden: UnitType;
}

/** Graph input names of the parameters: the tensor names of the model-file contract. */
export const parameterNames = { weights: 'weights', visibleBias: 'visible_bias', hiddenBias: 'hidden_bias' } as const;
export type ParameterKey = keyof typeof parameterNames;
export const parameterKeys = Object.keys(parameterNames) as ParameterKey[];

/** Declare the parameters of an nVisible x nHidden RBM as graph inputs, with an optional name suffix. */
export function parameterInputs(
  g: Graph,
  nVisible: number,
  nHidden: number,
  units: { visible: UnitType; hidden: UnitType },
  suffix = '',
): RbmValues {
  return {
    weights: g.input(parameterNames.weights + suffix, 'float32', [nVisible, nHidden]),
    visibleBias: g.input(parameterNames.visibleBias + suffix, 'float32', [nVisible]),
    hiddenBias: g.input(parameterNames.hiddenBias + suffix, 'float32', [nHidden]),
    ...units,
  };
}

/** The input to each hidden unit: b + v W. v: [rows, nVisible] -> [rows, nHidden]. */
export const hiddenField = (rbm: RbmValues, v: Value): Value => gemm(v, rbm.weights, rbm.hiddenBias);

/** The input to each visible unit: a + h W^T. h: [rows, nHidden] -> [rows, nVisible]. */
export const visibleField = (rbm: RbmValues, h: Value): Value =>
  gemm(h, rbm.weights, rbm.visibleBias, { transB: true });

/**
 * The free energy F(v) = -sum_i a_i(v_i) - sum_mu log sum_{h_mu} exp(h_mu (b + W^T v)_mu), so that
 * p(v) = exp(-F(v)) / Z. v: [rows, nVisible] -> [rows].
 */
export function freeEnergy(rbm: RbmValues, v: Value): Value {
  const hiddenTerm = reduceSum(rbm.hidden.logPartition(hiddenField(rbm, v)), [1]);
  return neg(add(rbm.visible.biasTerm(v, rbm.visibleBias), hiddenTerm));
}

/** One half-step of block Gibbs sampling: mean and draw of a layer given its field. */
export interface LayerState {
  readonly mean: Value;
  readonly sample: Value;
}

/** Sample h ~ p(h | v). */
export function sampleHidden(rbm: RbmValues, v: Value): LayerState {
  const field = hiddenField(rbm, v);
  const mean = rbm.hidden.mean(field);
  return { mean, sample: rbm.hidden.sample(field, mean) };
}

/** Sample v ~ p(v | h). */
export function sampleVisible(rbm: RbmValues, h: Value): LayerState {
  const field = visibleField(rbm, h);
  const mean = rbm.visible.mean(field);
  return { mean, sample: rbm.visible.sample(field, mean) };
}

/** Squared distance per row: sum_j (x - y)_j^2. [rows, n] -> [rows]. */
export const squaredError = (x: Value, y: Value): Value => reduceSum(square(sub(x, y)), [1]);

import type { Graph, Value } from '../graph/graph.js';
import { add, div, exp, gemm, matmul, maximum, minimum, mul, neg, reduceSum, square, sub } from '../graph/ops/index.js';
import type { UnitType } from '../units/unit-type.js';

/**
 * The parameters of an RBM as graph values: weights [nVisible, nHidden], biases [nVisible], [nHidden], and for
 * visible units with a learned std (Gaussian units) their log standard deviations `visibleLogStd` [nVisible].
 */
export interface RbmValues {
  readonly weights: Value;
  readonly visibleBias: Value;
  readonly hiddenBias: Value;
  readonly visibleLogStd?: Value;
  readonly visible: UnitType;
  readonly hidden: UnitType;
}

/** Graph input names of the parameters every RBM has: the tensor names of the model-file contract. */
export const parameterNames = { weights: 'weights', visibleBias: 'visible_bias', hiddenBias: 'hidden_bias' } as const;
export type ParameterKey = keyof typeof parameterNames;
export const parameterKeys = Object.keys(parameterNames) as ParameterKey[];

/** The tensor name of the visible units' learned log standard deviations [nVisible] (model files, graph inputs). */
export const VISIBLE_LOG_STD = 'visible_log_std';

/** Declare the parameters of an nVisible x nHidden RBM as graph inputs, with an optional name suffix. */
export function parameterInputs(
  g: Graph,
  nVisible: number,
  nHidden: number,
  units: { visible: UnitType; hidden: UnitType },
  suffix = '',
): RbmValues {
  const { visible, hidden } = units;
  return {
    weights: g.input(parameterNames.weights + suffix, 'float32', [nVisible, nHidden]),
    visibleBias: g.input(parameterNames.visibleBias + suffix, 'float32', [nVisible]),
    hiddenBias: g.input(parameterNames.hiddenBias + suffix, 'float32', [nHidden]),
    ...(visible.learnedStd ? { visibleLogStd: g.input(VISIBLE_LOG_STD + suffix, 'float32', [nVisible]) } : {}),
    visible,
    hidden,
  };
}

/** sigma = exp(log sigma) of visible units with a learned std, log sigma clamped to their range: [nVisible]; else undefined. */
export const visibleStd = (rbm: RbmValues): Value | undefined =>
  rbm.visibleLogStd && exp(clampLogStd(rbm, rbm.visibleLogStd));

/** log sigma clamped to the range of the visible units' learned std (`learnedStd.logStdRange`). */
export function clampLogStd(rbm: RbmValues, logStd: Value): Value {
  const range = rbm.visible.learnedStd?.logStdRange;
  if (range === undefined) throw new Error(`${rbm.visible.name} visible units have no learned standard deviation`);
  return minimum(maximum(logStd, range.min), range.max);
}

/**
 * Visible values in the units' own coordinates u = v / sigma (v itself without a std). A Gaussian layer with
 * std sigma is a unit-variance one in these coordinates: -(v - a)^2 / (2 sigma^2) + (v / sigma) W h =
 * -(u - a / sigma)^2 / 2 + u W h.
 */
export function standardize(rbm: RbmValues, v: Value): Value {
  const std = visibleStd(rbm);
  return std === undefined ? v : div(v, std);
}

/** Back from the units' coordinates: sigma u (u itself without a std). */
function unstandardize(rbm: RbmValues, u: Value): Value {
  const std = visibleStd(rbm);
  return std === undefined ? u : mul(u, std);
}

/** The visible bias in the units' coordinates: a / sigma (a itself without a std). [nVisible]. */
export const standardizedVisibleBias = (rbm: RbmValues): Value => standardize(rbm, rbm.visibleBias);

/**
 * The input to each hidden unit: b + (v / sigma) W. v: [rows, nVisible] -> [rows, nHidden]. With a
 * `couplingScale` beta [rows, 1] the couplings are tempered: b + beta (v / sigma) W, the conditional of the
 * tempered energy -a(v) - b.h - beta (v / sigma)^T W h (see samplers/tempering.ts).
 */
export function hiddenField(rbm: RbmValues, v: Value, couplingScale?: Value): Value {
  const u = standardize(rbm, v);
  if (couplingScale === undefined) return gemm(u, rbm.weights, rbm.hiddenBias);
  return add(mul(matmul(u, rbm.weights), couplingScale), rbm.hiddenBias);
}

/**
 * The input to each visible unit in its own coordinates: a / sigma + h W^T (a + h W^T without a std), with
 * the coupling part scaled by `couplingScale` [rows, 1] when given. h: [rows, nHidden] -> [rows, nVisible].
 */
export function visibleField(rbm: RbmValues, h: Value, couplingScale?: Value): Value {
  if (couplingScale === undefined) return gemm(h, rbm.weights, standardizedVisibleBias(rbm), { transB: true });
  return add(mul(gemm(h, rbm.weights, undefined, { transB: true }), couplingScale), standardizedVisibleBias(rbm));
}

/** E[v | h] = sigma E[u | field]: [rows, nHidden] -> [rows, nVisible]. */
export const visibleMean = (rbm: RbmValues, h: Value): Value => unstandardize(rbm, rbm.visible.mean(visibleField(rbm, h)));

/**
 * The free energy F(v) = -sum_i a_i(v_i) - sum_mu log sum_{h_mu} exp(h_mu (b + W^T (v / sigma))_mu), so that
 * p(v) = exp(-F(v)) / Z; for Gaussian visible units a_i(v_i) = a_i v_i / sigma_i^2 - v_i^2 / (2 sigma_i^2).
 * v: [rows, nVisible] -> [rows]; `field` is v's hidden field when the caller has it already.
 */
export function freeEnergy(rbm: RbmValues, v: Value, field: Value = hiddenField(rbm, v)): Value {
  const hiddenTerm = reduceSum(rbm.hidden.logPartition(field), [1]);
  return neg(add(rbm.visible.biasTerm(standardize(rbm, v), standardizedVisibleBias(rbm)), hiddenTerm));
}

/** One half-step of block Gibbs sampling: mean and draw of a layer given its field. */
export interface LayerState {
  readonly mean: Value;
  readonly sample: Value;
}

/** Sample h ~ p(h | v), the couplings tempered by `couplingScale` [rows, 1] when given. */
export function sampleHidden(rbm: RbmValues, v: Value, couplingScale?: Value): LayerState {
  const field = hiddenField(rbm, v, couplingScale);
  const mean = rbm.hidden.mean(field);
  return { mean, sample: rbm.hidden.sample(field, mean) };
}

/**
 * Sample v ~ p(v | h) (for Gaussian visible units: u ~ N(a / sigma + W h, 1), v = sigma u), the couplings
 * tempered by `couplingScale` [rows, 1] when given.
 */
export function sampleVisible(rbm: RbmValues, h: Value, couplingScale?: Value): LayerState {
  const field = visibleField(rbm, h, couplingScale);
  const mean = rbm.visible.mean(field);
  return { mean: unstandardize(rbm, mean), sample: unstandardize(rbm, rbm.visible.sample(field, mean)) };
}

/** Squared distance per row: sum_j (x - y)_j^2. [rows, n] -> [rows]. */
export const squaredError = (x: Value, y: Value): Value => reduceSum(square(sub(x, y)), [1]);

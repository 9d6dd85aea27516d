import type { Graph, Value } from '../graph/graph.js';
import { reduceSum, square, sub } from '../graph/ops/index.js';
import type { UnitType } from '../units/unit-type.js';
import {
  freeEnergy as machineFreeEnergy,
  layerField,
  layerMean,
  layerStd,
  sampleLayer,
  toUnits,
  unitsBias,
  type LayerState,
  type LayerValues,
  type MachineValues,
  denseCoupling,
} from './machine.js';

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

/**
 * The RBM as a machine of two layers (machine.ts): layer 0 the visible units (with their learned scale, if
 * any), layer 1 the hidden units, one dense coupling W between them.
 */
export function rbmMachine(rbm: RbmValues): MachineValues {
  return {
    layers: [
      { units: rbm.visible, bias: rbm.visibleBias, ...(rbm.visibleLogStd && { logStd: rbm.visibleLogStd }) },
      { units: rbm.hidden, bias: rbm.hiddenBias },
    ],
    couplings: [denseCoupling(0, 1, rbm.weights)],
  };
}

/** The visible layer of an RBM's machine. */
export const visibleLayer = (rbm: RbmValues): LayerValues => rbmMachine(rbm).layers[0];

/** sigma = exp(log sigma) of visible units with a learned std, log sigma clamped to their range: [nVisible]; else undefined. */
export const visibleStd = (rbm: RbmValues): Value | undefined => layerStd(visibleLayer(rbm));

/** Visible values in the units' own coordinates u = v / sigma (v itself without a std): see machine.ts toUnits. */
export const standardize = (rbm: RbmValues, v: Value): Value => toUnits(visibleLayer(rbm), v);

/** The visible bias in the units' coordinates: a / sigma (a itself without a std). [nVisible]. */
export const standardizedVisibleBias = (rbm: RbmValues): Value => unitsBias(visibleLayer(rbm));

/**
 * The input to each hidden unit: b + (v / sigma) W. v: [rows, nVisible] -> [rows, nHidden]. With a
 * `couplingScale` beta [rows, 1] the couplings are tempered: b + beta (v / sigma) W, the conditional of the
 * tempered energy -a(v) - b.h - beta (v / sigma)^T W h (see samplers/tempering.ts).
 */
export const hiddenField = (rbm: RbmValues, v: Value, couplingScale?: Value): Value => layerField(rbmMachine(rbm), [v, undefined], 1, { couplingScale });

/**
 * The input to each visible unit in its own coordinates: a / sigma + h W^T (a + h W^T without a std), with
 * the coupling part scaled by `couplingScale` [rows, 1] when given. h: [rows, nHidden] -> [rows, nVisible].
 */
export const visibleField = (rbm: RbmValues, h: Value, couplingScale?: Value): Value => layerField(rbmMachine(rbm), [undefined, h], 0, { couplingScale });

/** E[v | h] = sigma E[u | field]: [rows, nHidden] -> [rows, nVisible]. */
export const visibleMean = (rbm: RbmValues, h: Value): Value => layerMean(rbmMachine(rbm), [undefined, h], 0);

/**
 * The free energy F(v) = -sum_i a_i(v_i) - sum_mu log sum_{h_mu} exp(h_mu (b + W^T (v / sigma))_mu), so that
 * p(v) = exp(-F(v)) / Z; for Gaussian visible units a_i(v_i) = a_i v_i / sigma_i^2 - v_i^2 / (2 sigma_i^2).
 * v: [rows, nVisible] -> [rows]; `field` is v's hidden field when the caller has it already.
 */
export const freeEnergy = (rbm: RbmValues, v: Value, field?: Value): Value => machineFreeEnergy(rbmMachine(rbm), [v, undefined], [undefined, field]);

/** Sample h ~ p(h | v), the couplings tempered by `couplingScale` [rows, 1] when given. */
export const sampleHidden = (rbm: RbmValues, v: Value, couplingScale?: Value): LayerState => sampleLayer(rbmMachine(rbm), [v, undefined], 1, { couplingScale });

/**
 * Sample v ~ p(v | h) (for Gaussian visible units: u ~ N(a / sigma + W h, 1), v = sigma u), the couplings
 * tempered by `couplingScale` [rows, 1] when given.
 */
export const sampleVisible = (rbm: RbmValues, h: Value, couplingScale?: Value): LayerState => sampleLayer(rbmMachine(rbm), [undefined, h], 0, { couplingScale });

/** Squared distance per row: sum_j (x - y)_j^2. [rows, n] -> [rows]. */
export const squaredError = (x: Value, y: Value): Value => reduceSum(square(sub(x, y)), [1]);

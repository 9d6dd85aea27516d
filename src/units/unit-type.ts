import type { Value } from '../graph/graph.js';

/**
 * A type of unit: the per-unit term a(x) of the energy E = -sum_i a_i(x_i) - ... (with the unit's bias as
 * parameter), and what follows from it for a unit whose total input is `field` (bias plus coupling):
 * p(x | field) proportional to exp(a0(x) + x * field), where a0 is a(x) without its bias (the bias enters
 * linearly, a(x) = a0(x) + bias * x, so -dE/d bias = x for every type). Units come in groups of `groupSize`
 * (1 but for softmax groups, whose K units are one categorical variable). Graph functions: inputs and outputs
 * are [rows, units] values, except where said.
 */
export interface UnitType {
  /** The name in model files and on the command line. */
  readonly name: UnitName;
  /** Units per group: the layer's size must be a multiple of it. */
  readonly groupSize: number;
  /** E[x | field], element-wise (within each group). */
  mean(field: Value): Value;
  /** A draw x ~ p(x | field), given also its mean (computed once by the caller). */
  sample(field: Value, mean: Value): Value;
  /**
   * log sum_x exp(a0(x) + x . field) per group, the group's contribution to -F when summed out:
   * [..., units] -> [..., units / groupSize] (any leading axes).
   */
  logPartition(field: Value): Value;
  /** sum_i a_i(x_i) for each row: the bias part of -E. x: [rows, units], bias: [units] -> [rows]. */
  biasTerm(x: Value, bias: Value): Value;
}

/** Unit types by name: softmax groups carry their size K, as in `softmax:4`. */
export type UnitName = 'bernoulli' | 'spin' | 'gaussian' | 'relu' | `softmax:${number}`;

import type { Value } from '../graph/graph.js';

/**
 * A type of unit: the per-unit term a(x) of the energy E = -sum_i a_i(x_i) - ... (with the unit's bias as
 * parameter), and what follows from it for a unit whose total input is `field` (bias plus coupling):
 * p(x | field) proportional to exp(a(x) + x * field - a's linear part counted once in the field).
 * Graph functions: inputs and outputs are [rows, units] values, except where said.
 */
export interface UnitType {
  /** The name in model files and on the command line. */
  readonly name: UnitName;
  /** E[x | field], element-wise. */
  mean(field: Value): Value;
  /** A draw x ~ p(x | field), given also its mean (computed once by the caller). */
  sample(field: Value, mean: Value): Value;
  /** log sum_x exp(x * field), element-wise: the unit's contribution to -F when summed out. */
  logPartition(field: Value): Value;
  /** sum_i a_i(x_i) for each row: the bias part of -E. x: [rows, units], bias: [units] -> [rows]. */
  biasTerm(x: Value, bias: Value): Value;
}

/** Unit types by name. */
export type UnitName = 'bernoulli';

/**
 * Summing a label out of a partition function: a model with a label layer whose model given class k has
 * partition function Z_k has Z = sum_k exp(d_k) Z_k (d the label bias), so log Z = logsumexp_k (d_k + log Z_k).
 * logsumexp being increasing in each term, ranges and certain floors of the log Z_k give those of log Z.
 * Used by the classification RBM's likelihood and the multi-prediction DBM's bound.
 */
import { logMeanExp } from './annealing.js';

/** log sum_k exp(x_k), in float64. */
export const logSumExp = (x: ArrayLike<number>): number => logMeanExp(x) + Math.log(x.length);

/** A log Z with its range and a certain floor under it. */
export interface LogPartitionRange {
  readonly logZ: number;
  readonly logZLow: number;
  readonly logZHigh: number;
  readonly logZFloor: number;
}

/** log Z of the whole model, its range and floor, from each class's (`perClass[k]`) and the label bias `d` [K]. */
export function summedOverClasses(d: ArrayLike<number>, perClass: readonly LogPartitionRange[]): LogPartitionRange {
  const combined = (of: (r: LogPartitionRange) => number): number => logSumExp(perClass.map((r, k) => d[k] + of(r)));
  return { logZ: combined((r) => r.logZ), logZLow: combined((r) => r.logZLow), logZHigh: combined((r) => r.logZHigh), logZFloor: combined((r) => r.logZFloor) };
}

/** The mean over rows of logsumexp_k joint[r, k]: the mean of log sum_k p~(x, y = k) for `joint` [rows * K] row-major. */
export function meanLogSumOverClasses(joint: Float64Array, nClasses: number): number {
  const rows = joint.length / nClasses;
  let mean = 0;
  for (let r = 0; r < rows; r++) mean += logSumExp(joint.subarray(r * nClasses, (r + 1) * nClasses)) / rows;
  return mean;
}

/**
 * The conditional log-likelihood of a gated RBM, log p(y | x) of pairs [x | y]. Given x the model is the RBM of
 * y and h with weights W(x) (`GatedRBM.givenInput`), of free energy F_x(y) and partition function Z(x), so
 *   log p(y | x) = -F_x(y) - log Z(x),
 * one log Z per row: each row's RBM is scored by `rbmLogLikelihood` (log Z(x) exact, or annealed), and the
 * mean over the rows is reported with its standard error from the rows' own, independent annealings,
 * sqrt(sum_r se_r^2) / rows (0 when exact), and the range of -+ 3 of them. (A row's own range, log of mean
 * w -+ 3 se, is unbounded below when its weights are heavy-tailed; the mean of such ranges says nothing.)
 */
import type { GatedRBM } from '../models/gated-rbm.js';
import { checkVisibleRows } from '../models/model.js';
import { matrix, sliceColumns, sliceRows, type Matrix } from '../tensor/matrix.js';
import { rbmLogLikelihood, type LogLikelihoodEstimate, type RbmLikelihoodOptions } from './rbm-likelihood.js';

/**
 * The mean log p(y | x) over the rows and the mean log Z(x), with their standard error and ranges
 * (LogLikelihoodEstimate's names), and the mean of each row's certain lower bound on log Z(x) from its own y
 * (`logPartitionFloor`).
 */
export interface GatedRbmLikelihood extends LogLikelihoodEstimate {
  readonly logZFloor: number;
  /**
   * A certain upper bound on the mean log p(y | x): mean(-F_x(y)) - mean(floor), since log Z(x) >= its floor
   * for every row, whatever the annealing found. Below logLikelihood when annealings missed modes.
   */
  readonly logLikelihoodCeiling: number;
  /** How many rows' annealed log Z(x) fell below that row's floor (0 when exact). */
  readonly rowsBelowFloor: number;
}

/**
 * The mean log p(y | x) over the pairs [rows, nInput + nOutput] (see the file comment), each row's log Z(x) by
 * `options.method` ('both' takes AIS's headline, as `rbmLogLikelihood` does). The annealing's base rates are
 * fitted to `options.baseData`'s outputs when it holds pairs, else to the scored outputs; its seed is the same
 * for every row. `onRow` is called after each row with the rows done and in all.
 */
export async function gatedRbmLogLikelihood(model: GatedRBM, pairs: Matrix, options: RbmLikelihoodOptions = {}, onRow?: (done: number, total: number) => void): Promise<GatedRbmLikelihood> {
  checkVisibleRows(model, pairs, 'pairs');
  const { nInput } = model.shape;
  const outputsOf = (m: Matrix): Matrix => sliceColumns(m, nInput, model.nVisible);
  const base = options.baseData;
  const baseData = base === 'uniform' ? base : outputsOf(base ?? pairs);
  const means = { logLikelihood: 0, logZ: 0, logZFloor: 0 };
  let variance = 0;
  let rowsBelowFloor = 0;
  for (let r = 0; r < pairs.rows; r++) {
    const pair = sliceRows(pairs, r, r + 1);
    const rbm = model.givenInput(pair.data.subarray(0, nInput));
    const row = await rbmLogLikelihood(rbm, matrix(outputsOf(pair).data, 1, rbm.nVisible), { ...options, baseData });
    for (const key of Object.keys(means) as (keyof typeof means)[]) means[key] += row[key] / pairs.rows;
    variance += row.logZStdErr ** 2 / pairs.rows ** 2;
    rowsBelowFloor += Number(row.belowFloor.length > 0);
    onRow?.(r + 1, pairs.rows);
  }
  const se = Math.sqrt(variance);
  return {
    ...means,
    logZStdErr: se,
    logZLow: means.logZ - 3 * se,
    logZHigh: means.logZ + 3 * se,
    logLikelihoodLow: means.logLikelihood - 3 * se,
    logLikelihoodHigh: means.logLikelihood + 3 * se,
    logLikelihoodCeiling: means.logLikelihood + means.logZ - means.logZFloor,
    rowsBelowFloor,
  };
}

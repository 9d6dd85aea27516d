/**
 * A lower bound on log p(v) under a multi-prediction DBM, the label summed out exactly. Given y = k the model
 * is the DBM of v and h whose top hidden bias is b_L + U_{:,k} (`MpDBM.givenClass`), of partition function
 * Z_k, so with the mean-field bound L_k(v) <= log sum_h exp(-E_k(v, h)) of that DBM (dbm-bound.ts),
 *   log p(v) = log sum_k exp(d_k) sum_h exp(-E_k(v, h)) - log Z >= logsumexp_k (d_k + L_k(v)) - log Z,
 *   Z = sum_k exp(d_k) Z_k.
 * Each log Z_k is the DBM's (`dbmLogLikelihood`: exact, by AIS or by reverse AIS); log Z's range and floor
 * follow from theirs (class-sum.ts). K times the cost of a DBM's bound.
 */
import type { MpDBM } from '../models/mp-dbm.js';
import type { Matrix } from '../tensor/matrix.js';
import { meanLogSumOverClasses, summedOverClasses, type LogPartitionRange } from './class-sum.js';
import { dbmLogLikelihood, type DbmLikelihood, type DbmLikelihoodOptions } from './dbm-bound.js';

/** log Z of the whole model, its range and its floor (summedOverClasses), and the bound. */
export interface MpDbmLikelihood extends LogPartitionRange {
  readonly method: DbmLikelihood['method'];
  /** The mean bound over the rows, and its range from log Z's. */
  readonly bound: number;
  readonly low: number;
  readonly high: number;
  /** log Z_k of each class's DBM. */
  readonly classLogZ: readonly number[];
}

/** The bound of the file comment on the mean log p(v) over the rows of `data` [examples, n_0], each class's log Z_k found as `options` say. */
export async function mpDbmLogLikelihood(model: MpDBM, data: Matrix, options: DbmLikelihoodOptions = {}): Promise<MpDbmLikelihood> {
  const d = model.labels.labelBias;
  const K = model.nClasses;
  const joint = new Float64Array(data.rows * K);
  const perClass: DbmLikelihood[] = [];
  for (let k = 0; k < K; k++) {
    const r = await dbmLogLikelihood(model.givenClass(k), data, { ...options, seed: (options.seed ?? 0) + k });
    r.perExample.forEach((bound, row) => (joint[row * K + k] = d[k] + bound + r.logZ));
    perClass.push(r);
  }
  const meanJoint = meanLogSumOverClasses(joint, K);
  const z = summedOverClasses(d, perClass);
  return {
    method: perClass[0].method,
    bound: meanJoint - z.logZ,
    low: meanJoint - z.logZHigh,
    high: meanJoint - z.logZLow,
    ...z,
    classLogZ: perClass.map((r) => r.logZ),
  };
}

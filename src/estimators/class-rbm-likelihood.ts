/**
 * The log-likelihood of x under a classification RBM, the class summed out. Given y = k the model is the RBM
 * of x and h with hidden bias c + U_{:,k} (`ClassRBM.givenClass`), of free energy F_k(x) and partition
 * function Z_k, so
 *   p(x, y = k) = exp(d_k - F_k(x)) / Z,   Z = sum_k exp(d_k) Z_k,
 *   log p(x) = logsumexp_k (d_k - F_k(x)) - logsumexp_k (d_k + log Z_k).
 * Each log Z_k is the RBM's (`rbmLogLikelihood`: exact, or annealed); log Z's range and floor follow from
 * theirs (class-sum.ts).
 */
import type { ClassRBM } from '../models/class-rbm.js';
import type { Matrix } from '../tensor/matrix.js';
import { meanLogSumOverClasses, summedOverClasses, type LogPartitionRange } from './class-sum.js';
import { rbmLogLikelihood, type RbmLikelihood, type RbmLikelihoodOptions } from './rbm-likelihood.js';

/** log Z of the joint model, its range and its floor (summedOverClasses), and the log-likelihood. */
export interface ClassRbmLikelihood extends LogPartitionRange {
  /** The mean log p(x) over the rows, and its range from log Z's. */
  readonly logLikelihood: number;
  readonly logLikelihoodLow: number;
  readonly logLikelihoodHigh: number;
  /** log Z_k of each class's RBM. */
  readonly classLogZ: readonly number[];
}

/**
 * The mean log p(x) over the rows of `data` [examples, nVisible] (see the file comment), log Z_k of each class
 * by `options.method` (`'both'` takes AIS's headline, as `rbmLogLikelihood` does).
 */
export async function classRbmLogLikelihood(model: ClassRBM, data: Matrix, options: RbmLikelihoodOptions = {}): Promise<ClassRbmLikelihood> {
  const d = model.labels.labelBias;
  const joint = new Float64Array(data.rows * model.nClasses);
  const perClass: RbmLikelihood[] = [];
  for (let k = 0; k < model.nClasses; k++) {
    const rbm = model.givenClass(k);
    const freeEnergy = await rbm.freeEnergy(data);
    freeEnergy.forEach((f, r) => (joint[r * model.nClasses + k] = d[k] - f));
    perClass.push(await rbmLogLikelihood(rbm, data, { ...options, seed: (options.seed ?? 0) + k }));
  }
  const meanJoint = meanLogSumOverClasses(joint, model.nClasses);
  const z = summedOverClasses(d, perClass);
  return {
    logLikelihood: meanJoint - z.logZ,
    logLikelihoodLow: meanJoint - z.logZHigh,
    logLikelihoodHigh: meanJoint - z.logZLow,
    ...z,
    classLogZ: perClass.map((r) => r.logZ),
  };
}

import { UserError } from '../errors.js';
import type { RBM } from '../models/rbm.js';
import type { Matrix } from '../tensor/matrix.js';
import { checkValues } from '../models/limits.js';
import {
  annealChains,
  baseLogPartition,
  checkAnnealable,
  logMeanExpWithError,
  resolveBaseBias,
  resolveSchedule,
  type AnnealingOptions,
} from './annealing.js';

export interface AisOptions extends AnnealingOptions {
  /** Independent annealing runs (default 100). */
  readonly chains?: number;
}

export interface AisResult {
  /** The estimate of log Z, in nats: log Z_0 + log mean_r w_r. */
  readonly logZ: number;
  /** log Z_0 + log(mean w - 3 se(w)); -Infinity when that is <= 0. */
  readonly logZLow: number;
  /** log Z_0 + log(mean w + 3 se(w)). */
  readonly logZHigh: number;
  /** The delta-method standard error of logZ, se(w) / mean(w). */
  readonly logZStdErr: number;
  /** log w_r of each run (without log Z_0), float64. */
  readonly logWeights: Float64Array;
  /** log Z_0 of the base-rate model. */
  readonly baseLogZ: number;
  /** The visible biases b_A of the base-rate model. */
  readonly baseBias: Float32Array;
  /** The number of temperature steps K (the schedule has K + 1 values). */
  readonly steps: number;
  /** The runs' final states [chains, nVisible]: approximate samples of the model. */
  readonly samples: Matrix;
}

/**
 * Annealed importance sampling (Neal 2001; for RBMs, Salakhutdinov & Murray 2008) of log Z for a
 * Bernoulli-Bernoulli RBM. Each run draws v_0 from the base-rate model p_0(v) proportional to exp(b_A.v),
 * then for k = 1 .. K moves v by a Gibbs step T_{beta_k} that leaves p_k invariant, with
 *   log w = sum_{k=0}^{K-1} [log f_{beta_{k+1}}(v_k) - log f_{beta_k}(v_k)],
 * f_beta(v) = exp((1 - beta) b_A.v + beta a.v) prod_mu (1 + exp(beta (c + W^T v)_mu)) (hidden units summed
 * out; see annealing.ts). E[w] = Z / Z_0, so Z_0 mean(w) is unbiased for Z, and its log is biased low: in
 * expectation AIS underestimates log Z, and the log-likelihoods it gives are optimistic.
 * Several temperatures run per graph call; the log-weights are summed in float64.
 */
export async function annealedImportanceSampling(rbm: RBM, options: AisOptions = {}): Promise<AisResult> {
  checkAnnealable(rbm, 'AIS');
  const { chains = 100, seed = 0 } = options;
  if (!(Number.isInteger(chains) && chains >= 1)) throw new UserError(`AIS: chains must be a positive integer, got ${chains}`);
  checkValues(`AIS chains ${chains}`, chains, rbm.nVisible + rbm.nHidden);
  const schedule = resolveSchedule(options.betas);
  const baseBias = resolveBaseBias(rbm, options.baseRate);
  // A first step from beta 0 to beta 0 adds nothing and draws v_0 from the base model, whatever the start.
  const path = new Float64Array(schedule.length + 1);
  path.set(schedule, 1);
  const start = { data: new Float32Array(chains * rbm.nVisible), rows: chains, cols: rbm.nVisible };
  const [run] = await annealChains(rbm, baseBias, [start], path, { seed, blockSize: options.blockSize, onProgress: options.onProgress });
  const baseLogZ = baseLogPartition(baseBias, rbm.nHidden);
  const { estimate, low, high, stdErr } = logMeanExpWithError(run.logWeights);
  return {
    logZ: baseLogZ + estimate,
    logZLow: baseLogZ + low,
    logZHigh: baseLogZ + high,
    logZStdErr: stdErr,
    logWeights: run.logWeights,
    baseLogZ,
    baseBias,
    steps: schedule.length - 1,
    samples: run.final,
  };
}

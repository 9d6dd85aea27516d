import { UserError } from '../errors.js';
import type { RBM } from '../models/rbm.js';
import { RandomStream } from '../random/stream.js';
import { gatherRows, type Matrix } from '../tensor/matrix.js';
import {
  annealChains,
  baseLogPartition,
  checkAnnealable,
  logMeanExp,
  logMeanExpWithError,
  resolveBaseBias,
  resolveSchedule,
  type AnnealingOptions,
} from './annealing.js';

/** Chains per graph run, at most: examples are annealed in groups of this many chains. */
const MAX_CHAINS_PER_RUN = 1000;

export interface ReverseAisOptions extends AnnealingOptions {
  /** Test examples to anneal from (default 50): a random subset (by `seed`) when the data has more. */
  readonly examples?: number;
  /** Reverse chains per example (default 10); their weights are averaged before the log. */
  readonly chainsPerExample?: number;
}

export interface ReverseAisResult {
  /**
   * The conservative estimate of the mean log p(v) over every row of the data, nats per example:
   * mean over all rows of -F(v), minus the mean over the annealed examples of -F(v_i) - log p^(v_i).
   */
  readonly logLikelihood: number;
  /** Its standard error: the spread of -F(v_i) - log p^(v_i) over the annealed examples / sqrt(count). */
  readonly stdErr: number;
  /** logLikelihood -+ 3 stdErr. */
  readonly logLikelihoodLow: number;
  readonly logLikelihoodHigh: number;
  /** The log Z this estimate implies, mean(-F) - logLikelihood: in expectation above the true log Z. */
  readonly logZ: number;
  /** Mean -F(v) over every row of the data. */
  readonly meanNegFreeEnergy: number;
  /** Indices (rows of the data, increasing) of the annealed examples. */
  readonly examples: Int32Array;
  /** log p^(v_i) of each annealed example, a stochastic lower bound on log q(v_i). */
  readonly perExample: Float64Array;
  readonly chainsPerExample: number;
  /** The number of temperature steps K. */
  readonly steps: number;
}

/**
 * The reverse AIS estimator RAISE (Burda, Grosse & Salakhutdinov, AISTATS 2015) of log p(v) for test
 * examples of a Bernoulli-Bernoulli RBM: conservative where forward AIS is optimistic.
 *
 * Forward AIS defines a generative model q: v_0 ~ p_0, v_k ~ T_k(. | v_{k-1}) for k = 1 .. K, output v_K.
 * With T_K at beta = 1, q is close to p when the annealing is good, and never better informed than the
 * sampler that makes it. RAISE estimates q(v) by importance sampling over the chain's past, proposing it
 * with the reverse chain that starts at the test example: x_K ~ T_K(. | v), then x_k ~ T_k(. | x_{k+1}) for
 * k = K-1 down to 1 (x_k stands for the forward chain's v_{k-1}). Because each T_k is reversible with respect
 * to f_k, q(v_0 .. v_K) / r(v_0 .. v_{K-1} | v_K) telescopes to
 *   log w = log f_K(v) - log Z_0 + sum_{k=1}^{K} [log f_{k-1}(x_k) - log f_k(x_k)],   E[w] = q(v),
 * so log mean_m w_m, over M chains per example, is a stochastic lower bound on log q(v) (Jensen), which is
 * itself, per the paper, typically below log p(v). f_k is the unnormalised marginal at beta_k (annealing.ts)
 * and log f_K(v) = -F(v). The log-weights are summed in float64.
 *
 * Each example costs M chains over the whole schedule (M times a forward AIS run): the estimate anneals a
 * random subset of `examples` rows and extrapolates to all rows through the per-example log Z it implies,
 * zeta_i = -F(v_i) - log p^(v_i): logLikelihood = mean_all(-F) - mean_subset(zeta).
 */
export async function reverseAnnealedImportanceSampling(rbm: RBM, data: Matrix, options: ReverseAisOptions = {}): Promise<ReverseAisResult> {
  checkAnnealable(rbm, 'reverse AIS');
  const { examples = 50, chainsPerExample = 10, seed = 0 } = options;
  if (data.cols !== rbm.nVisible) throw new UserError(`reverse AIS: data has ${data.cols} features per example but the model has ${rbm.nVisible} visible units`);
  if (data.rows === 0) throw new UserError('reverse AIS: the data has no examples');
  if (!(Number.isInteger(examples) && examples >= 1)) throw new UserError(`reverse AIS: examples must be a positive integer, got ${examples}`);
  if (!(Number.isInteger(chainsPerExample) && chainsPerExample >= 1)) throw new UserError(`reverse AIS: chainsPerExample must be a positive integer, got ${chainsPerExample}`);
  const schedule = resolveSchedule(options.betas);
  const baseBias = resolveBaseBias(rbm, options.baseRate);
  const baseLogZ = baseLogPartition(baseBias, rbm.nHidden);
  const rng = new RandomStream(seed);
  const chosen = chooseRows(data.rows, examples, rng);

  // The path: a first step from beta 1 to beta 1 adds nothing and applies T_K to the example; then K steps
  // down to beta 0 (the last one's move, T_0, is not used).
  const steps = schedule.length - 1;
  const path = new Float64Array(steps + 2);
  path[0] = 1;
  for (let k = 0; k <= steps; k++) path[k + 1] = schedule[steps - k];

  const perGroup = Math.max(1, Math.floor(MAX_CHAINS_PER_RUN / chainsPerExample));
  const starts: Matrix[] = [];
  for (let g = 0; g < chosen.length; g += perGroup) {
    const group = chosen.subarray(g, Math.min(g + perGroup, chosen.length));
    starts.push(gatherRows(data, Int32Array.from({ length: group.length * chainsPerExample }, (_, r) => group[Math.floor(r / chainsPerExample)])));
  }
  const runs = await annealChains(rbm, baseBias, starts, path, { seed: rng.seed(), blockSize: options.blockSize, onProgress: options.onProgress });

  const freeEnergy = await rbm.freeEnergy(data);
  let meanNegFreeEnergy = 0;
  for (const f of freeEnergy) meanNegFreeEnergy -= f / freeEnergy.length;
  const perExample = new Float64Array(chosen.length);
  const zeta = new Float64Array(chosen.length);
  let withinSe = Infinity;
  runs.forEach((run, g) => {
    for (let e = 0; e * chainsPerExample < run.logWeights.length; e++) {
      const i = g * perGroup + e;
      const weights = run.logWeights.subarray(e * chainsPerExample, (e + 1) * chainsPerExample);
      zeta[i] = baseLogZ - logMeanExp(weights);
      perExample[i] = -freeEnergy[chosen[i]] - zeta[i];
      if (chosen.length === 1) withinSe = logMeanExpWithError(weights).stdErr;
    }
  });
  const n = zeta.length;
  const meanZeta = zeta.reduce((a, b) => a + b, 0) / n;
  const stdErr = n > 1 ? Math.sqrt(zeta.reduce((a, z) => a + (z - meanZeta) ** 2, 0) / (n - 1) / n) : withinSe;
  const logLikelihood = meanNegFreeEnergy - meanZeta;
  return {
    logLikelihood,
    stdErr,
    logLikelihoodLow: logLikelihood - 3 * stdErr,
    logLikelihoodHigh: logLikelihood + 3 * stdErr,
    logZ: meanZeta,
    meanNegFreeEnergy,
    examples: chosen,
    perExample,
    chainsPerExample,
    steps,
  };
}

/** All of 0 .. rows-1 when count >= rows, else `count` of them drawn without replacement; increasing. */
function chooseRows(rows: number, count: number, rng: RandomStream): Int32Array {
  if (count >= rows) return Int32Array.from({ length: rows }, (_, i) => i);
  return rng.permutation(rows).subarray(0, count).sort();
}

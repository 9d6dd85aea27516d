/**
 * The mean log-likelihood of data under an RBM, log p(v) = -F(v) - log Z, with log Z found exactly
 * (enumeration), by AIS (optimistic in expectation), by reverse AIS (conservative in expectation) or by both,
 * whose intervals then sandwich the log-likelihood; with the certain floor under log Z from the data's own
 * states, which catches an annealing that missed modes. What `boltzmann eval` reports for an RBM; see
 * docs/likelihood.md for each estimator and the direction of its error.
 */
import type { RBM } from '../models/rbm.js';
import type { Matrix } from '../tensor/matrix.js';
import { annealedImportanceSampling, type AisResult } from './ais.js';
import { baseRateBiases } from './annealing.js';
import { canEnumerate, exactLogPartition } from './exact-log-partition.js';
import { logPartitionFloor } from './log-partition-floor.js';
import { reverseAnnealedImportanceSampling, type ReverseAisResult } from './reverse-ais.js';

/** How log Z is found: enumeration, forward AIS, reverse AIS, or both directions (the sandwich). */
export type RbmLogZMethod = 'exact' | 'ais' | 'reverse-ais' | 'both';

/** The annealing directions, as `onProgress` and `belowFloor` name them. */
export type AnnealingDirection = 'ais' | 'reverse-ais';

/** The default method: exact when the smaller layer has at most MAX_EXACT_UNITS units, else both directions. */
export function defaultRbmLogZMethod(rbm: Pick<RBM, 'nVisible' | 'nHidden'>): 'exact' | 'both' {
  return canEnumerate(rbm) ? 'exact' : 'both';
}

export interface RbmLikelihoodOptions {
  /** How log Z is found (default: `defaultRbmLogZMethod`). */
  readonly method?: RbmLogZMethod;
  /** Forward AIS: independent runs (default 100). */
  readonly chains?: number;
  /** The annealing schedule: a count for `standardSchedule` (default 14,500) or the betas themselves. */
  readonly betas?: number | ArrayLike<number>;
  /** Reverse AIS: examples to anneal from (default 50; a random subset by `seed` when the data has more). */
  readonly examples?: number;
  /** Reverse AIS: chains per example (default 10). */
  readonly chainsPerExample?: number;
  /**
   * Rows [examples, nVisible] that the base-rate model of the annealing is fitted to (`baseRateBiases`; the
   * training data is the usual choice), or 'uniform' for b_A = 0. Default: the evaluated data. Unused when exact.
   */
  readonly baseData?: Matrix | 'uniform';
  /** Seed of the annealing chains and of reverse AIS's subset (default 0): same seed, same numbers. */
  readonly seed?: number;
  /** Temperatures per graph run (default DEFAULT_BLOCK_SIZE). */
  readonly blockSize?: number;
  /** Called after each graph run of the annealing with its direction, the steps done and in all. */
  readonly onProgress?: (direction: AnnealingDirection, done: number, total: number) => void;
}

/**
 * An estimate of log Z and the mean log-likelihood it gives, mean(-F) - log Z, with bounds (infinite where
 * unbounded): logLikelihoodLow = mean(-F) - logZHigh, logLikelihoodHigh = mean(-F) - logZLow.
 */
export interface LogLikelihoodEstimate {
  readonly logZ: number;
  readonly logZLow: number;
  readonly logZHigh: number;
  /** The standard error of logZ (0 when exact). */
  readonly logZStdErr: number;
  readonly logLikelihood: number;
  readonly logLikelihoodLow: number;
  readonly logLikelihoodHigh: number;
}

export interface RbmLikelihood extends LogLikelihoodEstimate {
  readonly method: RbmLogZMethod;
  /** The rows of the data. */
  readonly examples: number;
  /** Mean F(v) over the rows. */
  readonly meanFreeEnergy: number;
  /**
   * A certain lower bound on log Z: log sum of exp(-F) over the distinct rows of the data
   * (`logPartitionFloor`). An estimate below it has missed modes, and its log-likelihood is too high by at
   * least the difference.
   */
  readonly logZFloor: number;
  /** The annealing directions whose log Z fell below `logZFloor` (in this order: ais, reverse-ais). */
  readonly belowFloor: readonly AnnealingDirection[];
  /** Each method's own numbers, for those that ran; the headline is exact, else AIS, else reverse AIS. */
  readonly exact?: LogLikelihoodEstimate;
  readonly ais?: LogLikelihoodEstimate & { readonly result: AisResult; readonly seconds: number };
  readonly reverseAis?: LogLikelihoodEstimate & { readonly result: ReverseAisResult; readonly seconds: number };
}

/**
 * The mean log p(v) = mean(-F(v)) - log Z over the rows of `data` [examples, nVisible], with log Z by
 * `method`. The headline log Z is the exact one, else AIS's (as published numbers are), else the one reverse
 * AIS implies (mean(-F) minus its log-likelihood); its interval is exact: a point; AIS: log(mean w -+ 3 se);
 * reverse AIS: -+ 3 standard errors; both: the span of both directions' intervals, so that the
 * log-likelihood is sandwiched between reverse AIS -3 se and AIS +3 se. Annealing needs Bernoulli units on
 * both layers; exact log Z any two-state layer of at most MAX_EXACT_UNITS units.
 */
export async function rbmLogLikelihood(rbm: RBM, data: Matrix, options: RbmLikelihoodOptions = {}): Promise<RbmLikelihood> {
  const method = options.method ?? defaultRbmLogZMethod(rbm);
  const freeEnergy = await rbm.freeEnergy(data);
  let meanNegFreeEnergy = 0;
  for (const f of freeEnergy) meanNegFreeEnergy -= f / freeEnergy.length;
  const fromLogZ = (logZ: number, low: number, high: number, se: number): LogLikelihoodEstimate => ({
    logZ,
    logZLow: low,
    logZHigh: high,
    logZStdErr: se,
    logLikelihood: meanNegFreeEnergy - logZ,
    logLikelihoodLow: meanNegFreeEnergy - high,
    logLikelihoodHigh: meanNegFreeEnergy - low,
  });

  const { seed = 0, betas, blockSize, onProgress } = options;
  const baseData = options.baseData ?? data;
  const baseRate = method === 'exact' || baseData === 'uniform' ? undefined : baseRateBiases(baseData);
  const anneal = { betas, seed, blockSize, baseRate };
  const progress = (direction: AnnealingDirection) => onProgress && ((done: number, total: number) => onProgress(direction, done, total));
  let exact: LogLikelihoodEstimate | undefined;
  let ais: RbmLikelihood['ais'];
  let reverseAis: RbmLikelihood['reverseAis'];
  if (method === 'exact') {
    const logZ = await exactLogPartition(rbm);
    exact = fromLogZ(logZ, logZ, logZ, 0);
  }
  if (method === 'ais' || method === 'both') {
    const t = performance.now();
    const r = await annealedImportanceSampling(rbm, { ...anneal, chains: options.chains, onProgress: progress('ais') });
    ais = { ...fromLogZ(r.logZ, r.logZLow, r.logZHigh, r.logZStdErr), result: r, seconds: (performance.now() - t) / 1000 };
  }
  if (method === 'reverse-ais' || method === 'both') {
    const t = performance.now();
    const r = await reverseAnnealedImportanceSampling(rbm, data, {
      ...anneal,
      examples: options.examples,
      chainsPerExample: options.chainsPerExample,
      onProgress: progress('reverse-ais'),
    });
    reverseAis = { ...fromLogZ(r.logZ, r.logZ - 3 * r.stdErr, r.logZ + 3 * r.stdErr, r.stdErr), result: r, seconds: (performance.now() - t) / 1000 };
  }

  const headline = (exact ?? ais ?? reverseAis)!;
  const logZLow = ais && reverseAis ? Math.min(ais.logZLow, reverseAis.logZLow) : headline.logZLow;
  const logZHigh = ais && reverseAis ? Math.max(ais.logZHigh, reverseAis.logZHigh) : headline.logZHigh;
  const logZFloor = await logPartitionFloor(rbm, data);
  const belowFloor = (['ais', 'reverse-ais'] as const).filter((d) => {
    const e = d === 'ais' ? ais : reverseAis;
    return e !== undefined && e.logZ < logZFloor;
  });
  return {
    method,
    examples: data.rows,
    ...fromLogZ(headline.logZ, logZLow, logZHigh, headline.logZStdErr),
    meanFreeEnergy: -meanNegFreeEnergy,
    logZFloor,
    belowFloor,
    ...(exact && { exact }),
    ...(ais && { ais }),
    ...(reverseAis && { reverseAis }),
  };
}

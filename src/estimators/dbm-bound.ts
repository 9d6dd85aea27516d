/**
 * The variational lower bound on a DBM's log-likelihood (Salakhutdinov & Hinton 2009; Deep Learning eq.
 * 20.35). With the mean-field posterior Q(h | v) = prod_l prod_j mu_lj^h_lj (1 - mu_lj)^(1 - h_lj), mu the
 * fixed point of the mean-field equations after S sweeps (`DBM.meanField`), Jensen's inequality gives
 *   log p(v) >= L(v) = -E(v, mu) + sum_{l >= 1} H(mu_l) - log Z,
 * E being linear in each layer (`DBM.variationalBound`). log Z is that of the bipartite RBM of the odd layers
 * against the even ones (`DBM.bipartiteRbm`: the same distribution), found exactly when its smaller side has
 * at most MAX_EXACT_UNITS units, by AIS (optimistic: the bound leans high by AIS's error), or as the log Z
 * that reverse AIS implies (conservative). The bound itself is deterministic; its range is log Z's.
 */
import type { DBM } from '../models/dbm.js';
import { RandomStream } from '../random/stream.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { annealedImportanceSampling, type AisOptions } from './ais.js';
import { baseRateBiases } from './annealing.js';
import { canEnumerate, exactLogPartition } from './exact-log-partition.js';
import { logPartitionFloor } from './log-partition-floor.js';
import { reverseAnnealedImportanceSampling } from './reverse-ais.js';

/** Mean-field sweeps of the bound by default (and of `boltzmann eval` on a DBM). */
export const DBM_MEAN_FIELD_SWEEPS = 50;

export interface DbmLikelihoodOptions extends Omit<AisOptions, 'baseRate'> {
  /**
   * How log Z of the bipartite RBM is found: 'exact' (its smaller side at most MAX_EXACT_UNITS units), 'ais'
   * (optimistic) or 'reverse-ais' (the log Z that reverse AIS on one draw of the odd layers' mean-field means
   * of the data implies: conservative). Default: exact when it can, else ais.
   */
  readonly logZ?: 'exact' | 'ais' | 'reverse-ais';
  /** Reverse AIS: examples to anneal from (default 50) and chains per example (default 10). */
  readonly examples?: number;
  readonly chainsPerExample?: number;
  /** Data whose odd layers' mean-field means fit the AIS base rate (default: the evaluated data). */
  readonly baseData?: Matrix;
  /** Mean-field sweeps (default DBM_MEAN_FIELD_SWEEPS). */
  readonly meanFieldSweeps?: number;
}

export interface DbmLikelihood {
  readonly method: 'exact' | 'ais' | 'reverse-ais';
  /** The mean bound L(v) over the rows, nats per example. */
  readonly bound: number;
  /** L(v) of each row, float64. */
  readonly perExample: Float64Array;
  /** The bound's range from log Z's: bound - (logZHigh - logZ) .. bound + (logZ - logZLow). */
  readonly low: number;
  readonly high: number;
  readonly meanFieldSweeps: number;
  /** log Z of the bipartite RBM (the DBM's) and its range: a point when exact, the annealing's -+ 3 se otherwise. */
  readonly logZ: number;
  readonly logZLow: number;
  readonly logZHigh: number;
  /**
   * A certain lower bound on log Z: logPartitionFloor of the bipartite RBM over one draw of the odd layers'
   * mean-field means of the data (seeded by `seed`).
   */
  readonly logZFloor: number;
  /** Whether logZ fell below logZFloor: the annealing missed modes, and the bound is too high by at least the gap. */
  readonly belowFloor: boolean;
}

/** The default way to log Z of a DBM: exact when its bipartite RBM's smaller side has at most MAX_EXACT_UNITS units, else AIS. */
export function defaultDbmLogZMethod(dbm: DBM): 'exact' | 'ais' {
  return canEnumerate(dbm.bipartiteShape) ? 'exact' : 'ais';
}

/** One Bernoulli draw of each mean in `means` [rows, n] -> [rows, n], seeded. */
function drawn(means: Matrix, seed: number): Matrix {
  const rng = new RandomStream(seed);
  return matrix(rng.bernoulli(means.data), means.rows, means.cols);
}

/**
 * The mean-field bound L on the mean log-likelihood of `data` [examples, nVisible] under `dbm`, with log Z
 * exact, by AIS or by reverse AIS (both from a base rate over the odd layers: their mean-field means of
 * `baseData`); see the file comment for the direction of each error.
 */
export async function dbmLogLikelihood(dbm: DBM, data: Matrix, options: DbmLikelihoodOptions = {}): Promise<DbmLikelihood> {
  const { seed = 0, meanFieldSweeps: sweeps = DBM_MEAN_FIELD_SWEEPS } = options;
  const method = options.logZ ?? defaultDbmLogZMethod(dbm);
  const rbm = dbm.bipartiteRbm();
  // One draw of the odd layers' mean-field means of the evaluated data: states for the floor and reverse AIS.
  const oddStates = drawn(await dbm.oddMeans(data, sweeps), seed);
  let z: { logZ: number; logZLow: number; logZHigh: number };
  if (method === 'exact') {
    const logZ = await exactLogPartition(rbm);
    z = { logZ, logZLow: logZ, logZHigh: logZ };
  } else {
    const baseRate = baseRateBiases(await dbm.oddMeans(options.baseData ?? data, sweeps));
    const annealing = { betas: options.betas, seed, blockSize: options.blockSize, baseRate, onProgress: options.onProgress };
    if (method === 'ais') {
      z = await annealedImportanceSampling(rbm, { ...annealing, chains: options.chains });
    } else {
      const r = await reverseAnnealedImportanceSampling(rbm, oddStates, { ...annealing, examples: options.examples, chainsPerExample: options.chainsPerExample });
      z = { logZ: r.logZ, logZLow: r.logZ - 3 * r.stdErr, logZHigh: r.logZ + 3 * r.stdErr };
    }
  }
  const perExample = await dbm.variationalBound(data, z.logZ, sweeps);
  const logZFloor = await logPartitionFloor(rbm, oddStates);
  const bound = perExample.reduce((a, b) => a + b, 0) / perExample.length;
  return {
    method,
    bound,
    perExample,
    low: bound - (z.logZHigh - z.logZ),
    high: bound + (z.logZ - z.logZLow),
    meanFieldSweeps: sweeps,
    logZ: z.logZ,
    logZLow: z.logZLow,
    logZHigh: z.logZHigh,
    logZFloor,
    belowFloor: z.logZ < logZFloor,
  };
}

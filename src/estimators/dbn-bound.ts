/**
 * The variational lower bound on a DBN's log-likelihood (Hinton et al. 2006; Salakhutdinov & Murray 2008),
 * with the up-pass as the approximate posterior. For a DBN of L RBMs (see models/dbn.ts), h_0 = v, and
 *   q(h_1, ..., h_{L-1} | v) = prod_{l=0}^{L-2} q_l(h_{l+1} | h_l),  q_l = prod_mu sigmoid(c_l + W_l^T h_l)_mu,
 * Jensen's inequality gives, for every v,
 *   log p(v) >= B(v) = E_q[ sum_{l=0}^{L-2} log p(h_l | h_{l+1}) + log p_top(h_{L-1}) ] + H(q),
 *   log p_top(h) = -F_top(h) - log Z_top,   H(q) = E_q[ sum_l H(q_l(. | h_l)) ],
 * the entropies of the factorial q_l in closed form: H = sum_mu softplus(f_mu) - sigmoid(f_mu) f_mu for the
 * field f = c_l + W_l^T h_l. The gap log p(v) - B(v) is KL(q || p(h | v)); a DBN of one RBM has no hidden
 * layer to sample and B(v) = log p(v) exactly.
 *
 * The estimator: S draws h ~ q per example (one graph run each), the mean of
 *   sum_l [log p(h_l | h_{l+1}) + H(q_l(. | h_l))] - F_top(h_{L-1})
 * over the draws, minus log Z_top. With the exact log Z_top it is unbiased for B(v), so a lower bound on the
 * log-likelihood in expectation (its standard error is reported); with log Z_top from AIS, which
 * underestimates log Z in expectation, the estimate leans high (optimistic) by that error; with the log Z_top
 * that reverse AIS implies (above it in expectation), low (conservative).
 */
import { Graph, type Value } from '../graph/graph.js';
import { add, mul, neg, reduceSum, sigmoid, sub } from '../graph/ops/index.js';
import type { DBN } from '../models/dbn.js';
import { checkVisibleRows } from '../models/model.js';
import { freeEnergy, hiddenField, parameterInputs, visibleField } from '../models/rbm-graph.js';
import { RandomStream } from '../random/stream.js';
import { mapRows } from '../runtime/rows.js';
import type { Matrix } from '../tensor/matrix.js';
import { bernoulli } from '../units/bernoulli.js';
import { annealedImportanceSampling, type AisOptions } from './ais.js';
import { baseRateBiases } from './annealing.js';
import { canEnumerate, exactLogPartition } from './exact-log-partition.js';
import { logPartitionFloor } from './log-partition-floor.js';
import { reverseAnnealedImportanceSampling } from './reverse-ais.js';

export interface DbnBoundOptions {
  /** log Z of the top RBM (exact or an estimate); the caller computes it. */
  readonly topLogZ: number;
  /** Draws of h ~ q per example (default 10). */
  readonly samples?: number;
  /** Seed of the draws (default 0). */
  readonly seed?: number;
}

export interface DbnBound {
  /** The estimate of the mean bound B(v) over the rows, nats per example. */
  readonly bound: number;
  /**
   * Its standard error as an estimate of the mean bound over these rows: from the spread of the draws within
   * each example (Infinity for one draw). The spread between examples is not an error of the estimator.
   */
  readonly stdErr: number;
  /** B(v) of each row (the mean over its draws), float64. */
  readonly perExample: Float64Array;
  /** The draws per example. */
  readonly samples: number;
}

const names = { visible: 'visible', term: 'bound_term' } as const;

/** sum over units of log p(x | field) for Bernoulli units: x.f - sum softplus(f). [rows, n] -> [rows]. */
const bernoulliLogProb = (x: Value, field: Value): Value => sub(reduceSum(mul(x, field), [1]), reduceSum(bernoulli.logPartition(field), [1]));

/** The entropy of a factorial Bernoulli with fields f: sum softplus(f) - sigmoid(f) f. [rows, n] -> [rows]. */
const bernoulliEntropy = (field: Value): Value => sub(reduceSum(bernoulli.logPartition(field), [1]), reduceSum(mul(sigmoid(field), field), [1]));

/**
 * One draw h ~ q per row of visible [rows, sizes[0]] -> bound_term [rows]:
 * sum_l [log p(h_l | h_{l+1}) + H(q_l(. | h_l))] - F_top(h_{L-1}).
 */
function boundGraph(dbn: DBN, seed: number): Graph {
  const sizes = dbn.sizes;
  const below = dbn.rbms.length - 1;
  const g = new Graph(`dbn-bound-${below}`, seed);
  let x: Value = g.input(names.visible, 'float32', ['rows', sizes[0]]);
  let total: Value | undefined;
  for (let l = 0; l < below; l++) {
    const p = parameterInputs(g, sizes[l], sizes[l + 1], dbn.rbms[l], `_${l}`);
    const up = hiddenField(p, x);
    const h = p.hidden.sample(up, p.hidden.mean(up));
    const down = visibleField(p, h);
    const term = add(bernoulliLogProb(x, down), bernoulliEntropy(up));
    total = total === undefined ? term : add(total, term);
    x = h;
  }
  const top = parameterInputs(g, sizes[below], sizes[below + 1], dbn.top, `_${below}`);
  const negF = neg(freeEnergy(top, x));
  g.output(names.term, total === undefined ? negF : add(total, negF));
  return g;
}

/** The estimate of the bound B(v) on log p(v) for each row of `data` [examples, nVisible] and their mean (see the file comment). */
export async function dbnLogLikelihoodBound(dbn: DBN, data: Matrix, options: DbnBoundOptions): Promise<DbnBound> {
  const { samples = 10, seed = 0, topLogZ } = options;
  if (!(Number.isInteger(samples) && samples >= 1)) throw new RangeError(`samples must be a positive integer, got ${samples}`);
  checkVisibleRows(dbn, data);
  const rng = new RandomStream(seed);
  const sums = new Float64Array(data.rows);
  const squares = new Float64Array(data.rows);
  await dbn.engine.withProgram(boundGraph(dbn, rng.seed()), async (program) => {
    const feeds = dbn.parameterFeeds();
    for (let s = 0; s < samples; s++) {
      const out = await mapRows(dbn.engine, program, feeds, names.visible, data, [names.term]);
      out[names.term].data.forEach((t, r) => {
        sums[r] += t;
        squares[r] += t * t;
      });
    }
  });
  const perExample = Float64Array.from(sums, (t) => t / samples - topLogZ);
  const n = perExample.length;
  // The variance of the mean over examples of each example's mean of `samples` draws.
  let variance = 0;
  for (let r = 0; r < n; r++) variance += Math.max(0, squares[r] / samples - (sums[r] / samples) ** 2) * (samples / Math.max(1, samples - 1)) / samples;
  const stdErr = samples > 1 ? Math.sqrt(variance) / n : Infinity;
  return { bound: perExample.reduce((a, b) => a + b, 0) / n, stdErr, perExample, samples };
}

export interface DbnLikelihoodOptions extends Omit<AisOptions, 'baseRate'> {
  /**
   * How log Z of the top RBM is found: 'exact' (enumeration, the smaller layer at most MAX_EXACT_UNITS), 'ais'
   * (optimistic) or 'reverse-ais' (the log Z that reverse AIS on one up-pass draw of the data implies:
   * conservative). Default: exact when it can, else ais.
   */
  readonly logZ?: 'exact' | 'ais' | 'reverse-ais';
  /** Reverse AIS: examples to anneal from (default 50) and chains per example (default 10). */
  readonly examples?: number;
  readonly chainsPerExample?: number;
  /** Data whose up-pass to the top RBM's visible layer fits the AIS base rate (default: the evaluated data). */
  readonly baseData?: Matrix;
  /** Draws of h ~ q per example (default 10). */
  readonly samples?: number;
}

export interface DbnLikelihood extends DbnBound {
  readonly method: 'exact' | 'ais' | 'reverse-ais';
  /** log Z of the top RBM and its range (equal to it when exact; the annealing's -+ 3 standard errors otherwise). */
  readonly topLogZ: number;
  readonly topLogZLow: number;
  readonly topLogZHigh: number;
  /**
   * A certain lower bound on log Z of the top RBM (logPartitionFloor over one up-pass draw of the data): an
   * estimate of log Z below it is wrong, and so is the bound computed with it.
   */
  readonly topLogZFloor: number;
  /** Whether topLogZ fell below topLogZFloor: the annealing missed modes, and the bound is too high by at least the gap. */
  readonly belowFloor: boolean;
  /** The bound's range: bound -+ 3 standard errors, widened by the range of log Z. */
  readonly low: number;
  readonly high: number;
}

/** The default way to log Z of a DBN's top RBM: exact when its smaller layer has at most MAX_EXACT_UNITS units, else AIS. */
export function defaultDbnLogZMethod(dbn: DBN): 'exact' | 'ais' {
  return canEnumerate(dbn.top) ? 'exact' : 'ais';
}

/**
 * The bound B on the mean log-likelihood of `data` under `dbn` with log Z of its top RBM found exactly, by
 * AIS or by reverse AIS (both from a base rate fitted to one up-pass draw of `baseData`); see the file comment
 * for the direction of each error.
 */
export async function dbnLogLikelihood(dbn: DBN, data: Matrix, options: DbnLikelihoodOptions = {}): Promise<DbnLikelihood> {
  const top = dbn.top;
  const method = options.logZ ?? defaultDbnLogZMethod(dbn);
  const rng = new RandomStream(options.seed ?? 0);
  let z: { logZ: number; logZLow: number; logZHigh: number };
  if (method === 'exact') {
    const logZ = await exactLogPartition(top);
    z = { logZ, logZLow: logZ, logZHigh: logZ };
  } else {
    const base = dbn.rbms.length === 1 ? (options.baseData ?? data) : await dbn.sampleUp(options.baseData ?? data, dbn.rbms.length - 1, rng.seed());
    if (method === 'ais') {
      z = await annealedImportanceSampling(top, { ...options, seed: rng.seed(), baseRate: baseRateBiases(base) });
    } else {
      const states = dbn.rbms.length === 1 ? data : await dbn.sampleUp(data, dbn.rbms.length - 1, rng.seed());
      const r = await reverseAnnealedImportanceSampling(top, states, { ...options, seed: rng.seed(), baseRate: baseRateBiases(base) });
      z = { logZ: r.logZ, logZLow: r.logZ - 3 * r.stdErr, logZHigh: r.logZ + 3 * r.stdErr };
    }
  }
  const b = await dbnLogLikelihoodBound(dbn, data, { topLogZ: z.logZ, samples: options.samples, seed: rng.seed() });
  const topStates = dbn.rbms.length === 1 ? data : await dbn.sampleUp(data, dbn.rbms.length - 1, rng.seed());
  const topLogZFloor = await logPartitionFloor(top, topStates);
  return {
    ...b,
    method,
    topLogZFloor,
    belowFloor: z.logZ < topLogZFloor,
    topLogZ: z.logZ,
    topLogZLow: z.logZLow,
    topLogZHigh: z.logZHigh,
    low: b.bound - 3 * b.stdErr - (z.logZHigh - z.logZ),
    high: b.bound + 3 * b.stdErr + (z.logZ - z.logZLow),
  };
}

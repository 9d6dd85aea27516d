import type { Tensor } from 'onnxruntime-common';
import { UserError } from '../errors.js';
import { Graph, type Value } from '../graph/graph.js';
import { abs, add, concat, div, gemm, log, mul, reduceSum, relu, sigmoid, sub, unsqueeze } from '../graph/ops/index.js';
import { hiddenField, parameterInputs } from '../models/rbm-graph.js';
import type { RBM } from '../models/rbm.js';
import { RandomStream } from '../random/stream.js';
import type { Program, TensorMap } from '../runtime/engine.js';
import type { Matrix } from '../tensor/matrix.js';
import { isBinary } from '../units/index.js';

/**
 * The machinery that forward and reverse AIS share: the annealing path between a base-rate model and the
 * RBM, the temperature schedule, and a graph that moves chains along a block of temperatures per run.
 *
 * The path (Salakhutdinov & Murray 2008): for an inverse temperature beta in [0, 1], with hidden units summed
 * out,
 *   f_beta(v) = exp((1 - beta) b_A.v + beta a.v) prod_mu sum_{h_mu} exp(beta h_mu (c + W^T v)_mu),
 * where a, c, W are the RBM's visible bias, hidden bias and weights, and b_A the visible biases of the base
 * model. At beta = 0 it is the base model, Z_0 = prod_i (1 + e^{b_A,i}) 2^nHidden; at beta = 1, the RBM.
 * A transition T_beta is one block Gibbs step v -> h -> v of the joint at beta: h from p(h | v) with field
 * beta (c + W^T v), then v from p(v | h) with field (1 - beta) b_A + beta (a + W h). Its v -> v kernel is
 * reversible with respect to f_beta(v) (p(v) T(v' | v) = sum_h p(h) p(v | h) p(v' | h) is symmetric), which is
 * what the reverse direction relies on.
 */

/** Graph input names of the annealing block graph. */
export const annealNames = {
  baseBias: 'base_bias',
  chains: 'chains',
  chainsOut: 'chains_out',
  increments: 'increments',
  beta: (i: number): string => `beta_${i}`,
} as const;

/** Temperatures per graph run: measured on 784 x 500 with 100 chains (see docs/likelihood.md). */
export const DEFAULT_BLOCK_SIZE = 50;

/** The smoothing of the base-rate model: the data mean p is shrunk to (p + s) / (1 + 2 s). */
export const DEFAULT_BASE_RATE_SMOOTHING = 0.05;

/** The number of intermediate temperatures of the standard schedule (after beta = 0). */
export const STANDARD_SCHEDULE_LENGTH = 14_500;

/**
 * The standard schedule of Salakhutdinov & Murray (2008): beta from 0 to 1 in steps of 1e-3 up to 0.5, 1e-4
 * up to 0.9 and 1e-5 up to 1, that is 500 + 4000 + 10000 = 14,500 steps. `steps` other than 14,500 keeps the
 * three stretches and their shares of the steps (1/29, 8/29, 20/29), each stretch evenly spaced.
 * Returns steps + 1 values, 0 first and 1 last.
 */
export function standardSchedule(steps: number = STANDARD_SCHEDULE_LENGTH): Float64Array {
  if (!(Number.isInteger(steps) && steps >= 1)) throw new UserError(`betas: expected a positive integer number of temperatures, got ${steps}`);
  const stretches: [number, number][] = [[0.5, 500], [0.9, 4000], [1, 10000]];
  const counts = stretches.map(([, n]) => Math.floor((steps * n) / STANDARD_SCHEDULE_LENGTH));
  counts[2] = steps - counts[0] - counts[1];
  const out = new Float64Array(steps + 1);
  let k = 0;
  let from = 0;
  for (let s = 0; s < 3; s++) {
    const to = stretches[s][0];
    for (let j = 1; j <= counts[s]; j++) out[++k] = from + ((to - from) * j) / counts[s];
    if (counts[s] > 0) from = to;
  }
  out[steps] = 1;
  return out;
}

/** A schedule as a count (see `standardSchedule`) or explicit values, checked: from 0 up to 1, increasing. */
export function resolveSchedule(betas: number | ArrayLike<number> | undefined): Float64Array {
  if (betas === undefined || typeof betas === 'number') return standardSchedule(betas);
  const b = Float64Array.from(betas);
  const increasing = b.every((x, i) => i === 0 || x > b[i - 1]);
  if (b.length < 2 || b[0] !== 0 || b[b.length - 1] !== 1 || !increasing) {
    throw new UserError('betas: a schedule must increase strictly from 0 to 1');
  }
  return b;
}

/**
 * Visible biases of the base-rate model fitted to the rows of `data` [examples, nVisible]: b_A,i =
 * log(p_i / (1 - p_i)) with p_i the mean of column i shrunk toward 1/2, p = (mean + s) / (1 + 2 s). The
 * shrinkage (a symmetric form of the 5-in-100 pseudo-counts of Salakhutdinov's base_rate.m) keeps the biases
 * finite for columns that are always 0 or 1, and keeps the base model broader than the data.
 */
export function baseRateBiases(data: Matrix, smoothing = DEFAULT_BASE_RATE_SMOOTHING): Float32Array {
  if (data.rows === 0) throw new UserError('base rate: the data has no examples');
  if (!(smoothing > 0)) throw new UserError(`base rate: smoothing must be > 0, got ${smoothing}`);
  const sums = new Float64Array(data.cols);
  for (let r = 0; r < data.rows; r++) for (let i = 0; i < data.cols; i++) sums[i] += data.data[r * data.cols + i];
  return Float32Array.from(sums, (s) => {
    const p = (s / data.rows + smoothing) / (1 + 2 * smoothing);
    return Math.log(p) - Math.log1p(-p);
  });
}

/** The base-rate visible biases an option gives: fitted to a data matrix, given as biases, or zeros. */
export function resolveBaseBias(rbm: RBM, baseRate: Matrix | Float32Array | undefined): Float32Array {
  if (baseRate === undefined) return new Float32Array(rbm.nVisible);
  const bias = baseRate instanceof Float32Array ? baseRate : baseRateBiases(baseRate);
  if (bias.length !== rbm.nVisible) {
    throw new UserError(`base rate: ${bias.length} visible biases (or features) but the model has ${rbm.nVisible} visible units`);
  }
  return bias;
}

/** log Z_0 of the base model: sum_i softplus(b_A,i) + nHidden log 2 (the hidden units are free at beta = 0). */
export function baseLogPartition(baseBias: Float32Array, nHidden: number): number {
  let s = nHidden * Math.LN2;
  for (const b of baseBias) s += softplus(b);
  return s;
}

/** AIS and reverse AIS need Bernoulli units on both sides (the base model is a product of Bernoullis). */
export function checkAnnealable(rbm: RBM, what: string): void {
  if (!(isBinary(rbm.visible) && isBinary(rbm.hidden))) {
    throw new UserError(`${what}: needs Bernoulli visible and hidden units, the model has ${rbm.visible.name} and ${rbm.hidden.name}`);
  }
}

/**
 * log f_b(v) - log f_a(v) for chains v [rows, nVisible], given x = c + W^T v [rows, nHidden] (0 <= a, b):
 *   (b - a) (a_vis - b_A).v + sum_mu [softplus(b x_mu) - softplus(a x_mu)],
 * with softplus(y) = relu(y) - log sigmoid(|y|), so that the sum is
 *   (b - a) [(a_vis - b_A).v + sum_mu relu(x_mu)] + sum_mu log(sigmoid(a |x_mu|) / sigmoid(b |x_mu|)).
 * Each term is small and computed as such (no difference of two large float32 numbers), and the kernels
 * (Sigmoid, Log, Relu) are the vectorised ones of onnxruntime, several times faster than its Softplus.
 * Bernoulli hidden units only (their log-partition is softplus).
 */
function logRatio(v: Value, x: Value, biasGap: Value, a: Value, b: Value): Value {
  const absX = abs(x);
  const linear = mul(sub(b, a), add(reduceSum(mul(v, biasGap), [1]), reduceSum(relu(x), [1])));
  return add(linear, reduceSum(log(div(sigmoid(mul(a, absX)), sigmoid(mul(b, absX)))), [1]));
}

/**
 * `steps` annealing steps in one graph: chains [rows, nVisible] and inverse temperatures beta_0 .. beta_steps
 * (float32 scalars) -> increments [steps, rows] and chains_out [rows, nVisible]. Step i adds
 * log f_{beta_{i+1}}(v) - log f_{beta_i}(v) at the current chains, then moves them by T_{beta_{i+1}}.
 */
export function annealingGraph(rbm: Pick<RBM, 'nVisible' | 'nHidden' | 'visible' | 'hidden'>, steps: number, seed: number): Graph {
  const g = new Graph(`anneal-${steps}`, seed);
  const p = parameterInputs(g, rbm.nVisible, rbm.nHidden, rbm);
  const baseBias = g.input(annealNames.baseBias, 'float32', [rbm.nVisible]);
  let v = g.input(annealNames.chains, 'float32', ['rows', rbm.nVisible]);
  const betas = Array.from({ length: steps + 1 }, (_, i) => g.input(annealNames.beta(i), 'float32', []));
  const biasGap = sub(p.visibleBias, baseBias); // a - b_A: the visible field is b_A + beta (W h + a - b_A)
  const increments: Value[] = [];
  for (let i = 0; i < steps; i++) {
    const x = hiddenField(p, v);
    const bx = mul(betas[i + 1], x);
    increments.push(unsqueeze(logRatio(v, x, biasGap, betas[i], betas[i + 1]), [0]));
    const hMean = p.hidden.mean(bx);
    const h = p.hidden.sample(bx, hMean);
    const vField = add(baseBias, mul(betas[i + 1], gemm(h, p.weights, biasGap, { transB: true })));
    v = p.visible.sample(vField, p.visible.mean(vField));
  }
  g.output(annealNames.increments, increments.length === 1 ? increments[0] : concat(increments, 0));
  g.output(annealNames.chainsOut, v);
  return g;
}

/** What forward and reverse AIS are both given. */
export interface AnnealingOptions {
  /**
   * The inverse temperatures: a count of steps for `standardSchedule` (default 14,500), or the schedule
   * itself, increasing from 0 to 1.
   */
  readonly betas?: number | ArrayLike<number>;
  /**
   * The base model's visible biases b_A: a data matrix [examples, nVisible] to fit them to (`baseRateBiases`:
   * the smoothed log-odds of the training data), or the biases themselves. Default: zeros (the uniform
   * distribution), which is valid but needs more temperatures for the same accuracy.
   */
  readonly baseRate?: Matrix | Float32Array;
  /** Seed of the chains' random streams and of reverse AIS's subset (default 0): same seed, same estimate. */
  readonly seed?: number;
  /** Temperatures per graph run (default DEFAULT_BLOCK_SIZE). */
  readonly blockSize?: number;
  /** Called after each graph run with the temperature steps done and in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface AnnealOptions {
  /** Temperatures per graph run (default DEFAULT_BLOCK_SIZE). */
  readonly blockSize?: number;
  /** Seed of the graphs' random streams. */
  readonly seed: number;
  /** Called after each graph run with the steps done so far and in all (over every start matrix). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Move each of `starts` (chains [rows, nVisible]) along `path` (path[0] .. path[K]): K steps, step i adding
 * log f_{path[i+1]} - log f_{path[i]} at the chains and then applying T_{path[i+1]}. Returns, per start, the
 * chains' summed increments in float64 and their final states. Two graphs (a block of `blockSize` steps and
 * the remainder) are compiled once and run as often as the path needs.
 */
export async function annealChains(
  rbm: RBM,
  baseBias: Float32Array,
  starts: readonly Matrix[],
  path: Float64Array,
  options: AnnealOptions,
): Promise<{ logWeights: Float64Array; final: Matrix }[]> {
  const steps = path.length - 1;
  const blockSize = Math.min(options.blockSize ?? DEFAULT_BLOCK_SIZE, steps);
  if (!(Number.isInteger(blockSize) && blockSize >= 1)) throw new UserError(`anneal: blockSize must be a positive integer, got ${options.blockSize}`);
  const seeds = new RandomStream(options.seed);
  const fullSeed = seeds.seed();
  const restSeed = seeds.seed();
  const rest = steps % blockSize;
  const engine = rbm.engine;
  const fixed = { ...rbm.parameterFeeds(), [annealNames.baseBias]: engine.float32(baseBias, [rbm.nVisible]) };
  const total = steps * starts.length;
  let done = 0;

  const runAll = async (full: Program, remainder: Program | undefined) => {
    const results: { logWeights: Float64Array; final: Matrix }[] = [];
    for (const start of starts) {
      const rows = start.rows;
      const logWeights = new Float64Array(rows);
      let chains: Tensor = engine.float32(Float32Array.from(start.data), [rows, rbm.nVisible]);
      for (let s = 0; s < steps; ) {
        const n = Math.min(blockSize, steps - s);
        const program = n === blockSize ? full : remainder!;
        const feeds: TensorMap = { ...fixed, [annealNames.chains]: chains };
        for (let i = 0; i <= n; i++) feeds[annealNames.beta(i)] = engine.scalar(path[s + i]);
        const out = await program.run(feeds);
        const inc = out[annealNames.increments].data as Float32Array;
        for (let i = 0; i < n; i++) for (let r = 0; r < rows; r++) logWeights[r] += inc[i * rows + r];
        chains = out[annealNames.chainsOut];
        s += n;
        done += n;
        options.onProgress?.(done, total);
      }
      results.push({ logWeights, final: { data: chains.data as Float32Array, rows, cols: rbm.nVisible } });
    }
    return results;
  };

  return engine.withProgram(annealingGraph(rbm, blockSize, fullSeed), (full) =>
    rest === 0 ? runAll(full, undefined) : engine.withProgram(annealingGraph(rbm, rest, restSeed), (remainder) => runAll(full, remainder)),
  );
}

/** softplus(x) = log(1 + e^x), in float64 without overflow. */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** log mean exp(x) in float64. */
export function logMeanExp(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]);
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s / x.length);
}

/**
 * The estimate log mean exp(x) and its bounds log(mean -+ 3 standard errors) of the weights exp(x - max)
 * (the lower bound is -Infinity when mean - 3 se <= 0), and the delta-method standard error of the log,
 * se(w) / mean(w). One value gives no spread: its standard error is reported as Infinity.
 */
export function logMeanExpWithError(x: ArrayLike<number>): { estimate: number; low: number; high: number; stdErr: number } {
  const n = x.length;
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, x[i]);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const w = Math.exp(x[i] - m);
    s += w;
    s2 += w * w;
  }
  const mean = s / n;
  const variance = n > 1 ? Math.max(0, (s2 - n * mean * mean) / (n - 1)) : Infinity;
  const se = Math.sqrt(variance / n);
  return {
    estimate: m + Math.log(mean),
    low: mean - 3 * se > 0 ? m + Math.log(mean - 3 * se) : -Infinity,
    high: m + Math.log(mean + 3 * se),
    stdErr: se / mean,
  };
}

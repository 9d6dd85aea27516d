import { abs, add, bernoulli as draw, cast, gather, log, matmul, mul, reduceSum, relu, sigmoid, sub } from '../graph/ops/index.js';
import { clip, MEAN_RANGE } from './host-math.js';
import type { UnitType } from './unit-type.js';

/**
 * Binomial units of N trials (Teh & Hinton 2001's rate-coded units; N = 1 is a Bernoulli unit): x in
 * {0, ..., N}, a(x) = log C(N, x) + a x, so x given its field is the number of successes of N independent
 * trials of probability sigmoid(field): E[x | field] = N sigmoid(field), and log sum_x C(N, x) exp(x field) =
 * N softplus(field). A layer of them is N tied copies of a Bernoulli layer seen through their sum: the copies'
 * energy -a.X - X^T W h of X = x_1 + ... + x_N, with the C(N, X) ways of making X (the tied RBMs of DBM
 * pretraining, training/dbm-pretrain.ts).
 */
export function binomial(trials: number): UnitType {
  if (!(Number.isInteger(trials) && trials >= 2)) throw new RangeError(`binomial units need an integer number of trials N >= 2, got ${trials}`);
  const logChoose = logBinomialCoefficients(trials);
  return {
    name: `binomial:${trials}`,
    groupSize: 1,
    mean: (field) => mul(sigmoid(field), trials),
    /** The sum of N Bernoulli draws of probability sigmoid(field) = mean / N. */
    sample: (field) => {
      const p = sigmoid(field);
      let x = draw(p);
      for (let t = 1; t < trials; t++) x = add(x, draw(p));
      return x;
    },
    logPartition: (field) => mul(sub(relu(field), log(sigmoid(abs(field)))), trials),
    /** a.x + sum_i log C(N, x_i), the coefficients looked up by x (held as whole numbers). */
    biasTerm: (x, bias) => add(matmul(x, bias), reduceSum(gather(x.graph.constant(logChoose, 'float32', [trials + 1]), cast(x, 'int64')), [1])),
    support: {
      contains: (x) => Number.isInteger(x) && x >= 0 && x <= trials,
      need: (layer) => `binomial:${trials} ${layer} units need whole numbers from 0 to ${trials}`,
    },
    binarization: 'none',
    /** N sigmoid(bias) = m: the log-odds of m / N. */
    initialBias: (mean) => {
      const m = clip(mean / trials, MEAN_RANGE);
      return Math.log(m / (1 - m));
    },
    /** Each unit is reflected, x -> N - x, with probability p (for N = 1 a flip). */
    addNoise: (x, p, rng) => {
      for (let i = 0; i < x.length; i++) if (rng.uniform() < p) x[i] = trials - x[i];
    },
  };
}

/** log C(n, x) for x = 0 .. n, each from the one before: log C(n, x) = log C(n, x - 1) + log((n - x + 1) / x). */
function logBinomialCoefficients(n: number): Float32Array {
  const table = new Float64Array(n + 1);
  for (let x = 1; x <= n; x++) table[x] = table[x - 1] + Math.log((n - x + 1) / x);
  return Float32Array.from(table);
}

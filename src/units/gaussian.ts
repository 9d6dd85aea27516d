import { add, matmul, mul, randomNormalLike, reduceSum, square, sub } from '../graph/ops/index.js';
import { clip, type Range } from './host-math.js';
import type { UnitType } from './unit-type.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The range log sigma is kept in: sigma from 1e-3 to 1e3. Wide enough for data in its own units (standardised
 * data wants sigma near or below 1); the clamp stops a variance collapsing to 0 (fields v / sigma blowing up)
 * or growing without bound.
 */
export const LOG_STD_RANGE: Range = { min: Math.log(1e-3), max: Math.log(1e3) };

/**
 * Gaussian units of unit variance, x real: a(x) = a x - x^2 / 2 (= -(x - a)^2 / 2 up to a constant of x), so
 * x | field ~ N(field, 1) and log integral exp(-x^2 / 2 + x field) dx = field^2 / 2 + log sqrt(2 pi).
 * Gaussian visible units with a learned standard deviation sigma are these units in the coordinates v / sigma
 * (see rbm-graph.ts). Gaussian hidden units make the RBM a Hopfield network: summing them out gives
 * -F(v) = a(v) + sum_mu (b + W^T v)_mu^2 / 2 + const, couplings J = W W^T (Hubbard-Stratonovich).
 * Shapes: [rows, units].
 */
export const gaussian: UnitType = {
  name: 'gaussian',
  groupSize: 1,
  mean: (field) => field,
  sample: (_field, mean) => add(mean, randomNormalLike(mean)),
  logPartition: (field) => add(mul(square(field), 0.5), LOG_SQRT_2PI),
  biasTerm: (x, bias) => sub(matmul(x, bias), mul(reduceSum(square(x), [-1]), 0.5)),
  support: {
    contains: Number.isFinite,
    need: (layer) => `gaussian ${layer} units need finite values`,
  },
  binarization: 'none',
  /** The mean: E[x | field = bias] = bias = m. */
  initialBias: (mean) => mean,
  /** As the visible layer: sigma learned, starting at the data's std. */
  learnedStd: { logStdRange: LOG_STD_RANGE, initialLogStd: (std) => clip(Math.log(std), LOG_STD_RANGE) },
  /**
   * 0.001: one or two orders of magnitude below binary units' (Hinton's guide, section 13.2); PCD-1 at 0.01
   * diverged on standardised Fashion-MNIST (docs/results.md).
   */
  learningRate: 0.001,
  /** x + N(0, p^2). */
  addNoise: (x, p, rng) => {
    for (let i = 0; i < x.length; i++) x[i] += p * rng.normal();
  },
  /** x~ ~ N(x, s^2) with s = p / scale: field x~ / s^2, precision 1 / s^2. */
  noiseEvidence: (noisy, p, scale) => {
    const precision = (scale / p) ** 2;
    return { field: noisy * precision, precision };
  },
};

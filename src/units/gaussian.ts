import { add, matmul, mul, randomNormalLike, reduceSum, square, sub } from '../graph/ops/index.js';
import type { UnitType } from './unit-type.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

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
};

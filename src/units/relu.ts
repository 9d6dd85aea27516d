import { add, mul, matmul, randomNormalLike, relu as rectify, sigmoid, sqrt, square } from '../graph/ops/index.js';
import type { UnitType } from './unit-type.js';

/**
 * Noisy rectified linear units (NReLU, Nair & Hinton 2010), x >= 0: the limit of infinitely many copies of a
 * binary unit with biases shifted by -1/2, -3/2, ..., a(x) = a x. The conditional is their approximation:
 * x | field = max(0, field + N(0, sigmoid(field))) (variance sigmoid(field)), with mean taken as max(0, field).
 * The log-partition is approximated by max(0, field)^2 / 2, the integral of that mean: the large-|field| limit
 * of the stepped units' exact sum_n softplus(field - n + 1/2), up to the constant pi^2 / 6 - 1/24 for large
 * positive fields. So free energies (and likelihoods) of ReLU-hidden RBMs are approximate. Shapes: [rows, units].
 */
export const relu: UnitType = {
  name: 'relu',
  groupSize: 1,
  mean: (field) => rectify(field),
  sample: (field) => rectify(add(field, mul(randomNormalLike(field), sqrt(sigmoid(field))))),
  logPartition: (field) => mul(square(rectify(field)), 0.5),
  biasTerm: (x, bias) => matmul(x, bias),
  support: {
    contains: (x) => x >= 0,
    need: (layer) => `relu ${layer} units need values >= 0`,
  },
  binarization: 'none',
  /** 0, where a fresh RBM starts: the data's mean is not used. */
  initialBias: () => 0,
  /** max(0, x + N(0, p^2)): clipped at 0, so no noiseEvidence. */
  addNoise: (x, p, rng) => {
    for (let i = 0; i < x.length; i++) x[i] = Math.max(0, x[i] + p * rng.normal());
  },
};

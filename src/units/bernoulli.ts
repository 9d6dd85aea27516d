import { abs, bernoulli as draw, log, matmul, relu, sigmoid, sub } from '../graph/ops/index.js';
import { clip, keptLogOdds, MEAN_RANGE } from './host-math.js';
import type { UnitType } from './unit-type.js';

/**
 * Bernoulli (binary 0/1) units: a(x) = a x, so p(x = 1 | field) = sigmoid(field) and
 * log sum_{x in {0,1}} exp(x field) = softplus(field), computed as relu(field) - log sigmoid(|field|): the same
 * value without overflow, and about three times faster than onnxruntime's Softplus kernel.
 */
export const bernoulli: UnitType = {
  name: 'bernoulli',
  groupSize: 1,
  mean: (field) => sigmoid(field),
  sample: (_field, mean) => draw(mean),
  logPartition: (field) => sub(relu(field), log(sigmoid(abs(field)))),
  biasTerm: (x, bias) => matmul(x, bias),
  states: [0, 1],
  support: {
    contains: (x) => x === 0 || x === 1,
    need: (layer) => `Bernoulli ${layer} units need values 0 or 1: binarize the data with --binarize threshold or --binarize stochastic`,
  },
  binarization: 'stochastic',
  /** sigmoid(bias) = m: the log-odds log(m / (1 - m)). */
  initialBias: (mean) => {
    const m = clip(mean, MEAN_RANGE);
    return Math.log(m / (1 - m));
  },
  /** Each unit flips with probability p. */
  addNoise: (x, p, rng) => {
    for (let i = 0; i < x.length; i++) if (rng.uniform() < p) x[i] = 1 - x[i];
  },
  /** p(x~ | x) = 1 - p when x~ = x, else p: field (2 x~ - 1) log((1 - p) / p). */
  noiseEvidence: (noisy, p) => ({ field: (2 * noisy - 1) * keptLogOdds(p, 1) }),
};

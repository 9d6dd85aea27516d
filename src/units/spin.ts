import { abs, add, bernoulli, log, matmul, mul, sigmoid, sub, tanh } from '../graph/ops/index.js';
import { clip, keptLogOdds, MEAN_RANGE } from './host-math.js';
import type { UnitType } from './unit-type.js';

/**
 * Spin units, x in {-1, +1} (Ising spins, for physics data): a(x) = a x, so p(x = +1 | field) =
 * sigmoid(2 field), E[x | field] = tanh(field), and log sum_{x = +-1} exp(x field) = log(2 cosh(field)),
 * computed as |field| - log sigmoid(2 |field|) (no overflow). Shapes: [rows, units].
 */
export const spin: UnitType = {
  name: 'spin',
  groupSize: 1,
  mean: (field) => tanh(field),
  // x = 2 b - 1 with b ~ Bernoulli(p(+1)), p(+1) = (1 + mean) / 2.
  sample: (_field, mean) => sub(mul(bernoulli(mul(add(mean, 1), 0.5)), 2), 1),
  logPartition: (field) => {
    const size = abs(field);
    return sub(size, log(sigmoid(add(size, size))));
  },
  biasTerm: (x, bias) => matmul(x, bias),
  states: [-1, 1],
  support: {
    contains: (x) => x === -1 || x === 1,
    need: (layer) => `spin ${layer} units need values -1 or +1`,
  },
  binarization: 'none',
  /** tanh(bias) = m: atanh(m), with p(+1) = (1 + m) / 2 kept away from 0 and 1. */
  initialBias: (mean) => Math.atanh(2 * clip((1 + mean) / 2, MEAN_RANGE) - 1),
  /** Each spin flips with probability p. */
  addNoise: (x, p, rng) => {
    for (let i = 0; i < x.length; i++) if (rng.uniform() < p) x[i] = -x[i];
  },
  /** p(x~ | x) = 1 - p when x~ = x, else p: field x~ log((1 - p) / p) / 2. */
  noiseEvidence: (noisy, p) => ({ field: (noisy * keptLogOdds(p, 1)) / 2 }),
};

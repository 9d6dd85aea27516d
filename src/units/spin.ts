import { abs, add, bernoulli, log, matmul, mul, sigmoid, sub, tanh } from '../graph/ops/index.js';
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
};

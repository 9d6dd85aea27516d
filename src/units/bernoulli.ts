import { bernoulli as draw, matmul, sigmoid, softplus } from '../graph/ops/index.js';
import type { UnitType } from './unit-type.js';

/**
 * Bernoulli (binary 0/1) units: a(x) = a x, so p(x = 1 | field) = sigmoid(field) and
 * log sum_{x in {0,1}} exp(x field) = softplus(field).
 */
export const bernoulli: UnitType = {
  name: 'bernoulli',
  mean: (field) => sigmoid(field),
  sample: (_field, mean) => draw(mean),
  logPartition: (field) => softplus(field),
  biasTerm: (x, bias) => matmul(x, bias),
};

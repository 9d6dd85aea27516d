import type { Matrix } from '../tensor/matrix.js';
import { LOG_STD_RANGE } from '../models/machine.js';
import type { UnitType } from '../units/unit-type.js';

/** The visible parameters that initVisibleBias sets: the bias [nVisible] and, for Gaussian units, the log std [nVisible]. */
export interface VisibleParameters {
  readonly visibleBias: Float32Array;
  readonly visibleLogStd?: Float32Array;
}

/**
 * Visible biases (and stds) from the data's per-unit mean m and standard deviation, so that the visible units'
 * marginal without hidden units matches the data's (Hinton's guide, section 8): Bernoulli log(m / (1 - m)),
 * spin atanh(m), softmax groups log m_k (means clipped away from 0 and 1 as for Bernoulli units), Gaussian
 * a = m and log sigma = log std (within LOG_STD_RANGE); ReLU units keep 0. data: [examples, nVisible].
 */
export function initVisibleBias(units: UnitType, params: VisibleParameters, data: Matrix): void {
  const nVisible = params.visibleBias.length;
  const mean = new Float64Array(nVisible);
  const square = new Float64Array(nVisible);
  for (let r = 0; r < data.rows; r++) {
    for (let i = 0; i < nVisible; i++) {
      const x = data.data[r * nVisible + i];
      mean[i] += x / data.rows;
      square[i] += (x * x) / data.rows;
    }
  }
  const clipped = (p: number): number => Math.min(0.999, Math.max(0.001, p));
  const name = units.name;
  for (let i = 0; i < nVisible; i++) {
    const bias = params.visibleBias;
    if (name === 'bernoulli') bias[i] = Math.log(clipped(mean[i]) / (1 - clipped(mean[i])));
    else if (name === 'spin') bias[i] = Math.atanh(2 * clipped((1 + mean[i]) / 2) - 1);
    else if (name.startsWith('softmax:')) bias[i] = Math.log(clipped(mean[i]));
    else if (name === 'gaussian') {
      bias[i] = mean[i];
      const std = Math.sqrt(Math.max(0, square[i] - mean[i] * mean[i]));
      params.visibleLogStd![i] = Math.min(LOG_STD_RANGE.max, Math.max(LOG_STD_RANGE.min, Math.log(std)));
    }
  }
}

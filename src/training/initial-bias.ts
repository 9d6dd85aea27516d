import type { Matrix } from '../tensor/matrix.js';
import type { UnitType } from '../units/unit-type.js';

/** The visible parameters that initVisibleBias sets: the bias [nVisible] and, for units with a learned std, the log std [nVisible]. */
export interface VisibleParameters {
  readonly visibleBias: Float32Array;
  readonly visibleLogStd?: Float32Array;
}

/**
 * Visible biases (and learned stds) from the data's per-unit mean m and standard deviation, so that the visible
 * units' marginal without hidden units matches the data's (Hinton's guide, section 8), as the unit type says
 * (`initialBias`, `learnedStd.initialLogStd`): Bernoulli log(m / (1 - m)), spin atanh(m), softmax groups
 * log m_k, Gaussian a = m and log sigma = log std; ReLU units keep 0. data: [examples, nVisible].
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
  for (let i = 0; i < nVisible; i++) {
    params.visibleBias[i] = units.initialBias(mean[i]);
    if (units.learnedStd !== undefined && params.visibleLogStd !== undefined) {
      params.visibleLogStd[i] = units.learnedStd.initialLogStd(Math.sqrt(Math.max(0, square[i] - mean[i] * mean[i])));
    }
  }
}

import type { RBM } from '../models/rbm.js';
import type { Matrix } from '../tensor/matrix.js';

/**
 * The mean over the rows of v [examples, nVisible] of the squared error of the mean-field reconstruction,
 * sum_i (v_i - r_i)^2 with r = E[v | h = E[h | v]]: a training monitor, not a likelihood (a model can
 * reconstruct well and still give its samples little probability).
 */
export async function reconstructionError(rbm: RBM, v: Matrix): Promise<number> {
  const { squaredErrors } = await rbm.reconstruct(v);
  let sum = 0;
  for (const e of squaredErrors) sum += e;
  return sum / squaredErrors.length;
}

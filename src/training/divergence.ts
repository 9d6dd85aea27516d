import { columnMeans, type Matrix } from '../tensor/matrix.js';

/** Training stopped because it diverged (by default: a parameter became NaN or infinite); the model keeps its last good parameters. */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(
    readonly epoch: number,
    reason = 'a parameter became NaN or infinite',
  ) {
    super(`training diverged in epoch ${epoch} (${reason}); kept the parameters of epoch ${epoch - 1}: lower the learning rate`);
  }
}

/**
 * A finite blow-up: a reconstruction error (squared error per example) beyond this many times the training
 * data's total variance (the error of reconstructing every example by the mean; at least 1, for data of one
 * example or constant columns) means the run has diverged although every parameter is finite (seen with
 * Gaussian visible units at too high a learning rate: errors of 1e20 and biases of 1e8). Recoverable spikes
 * stay far below it.
 */
export const BLOW_UP_FACTOR = 1e6;

/** The reconstruction error over which training on `data` [examples, units] has blown up: BLOW_UP_FACTOR max(total variance, 1). */
export function blowUpThreshold(data: Matrix): number {
  const mean = columnMeans(data);
  let variance = 0;
  for (let r = 0; r < data.rows; r++) for (let j = 0; j < data.cols; j++) variance += (data.data[r * data.cols + j] - mean[j]) ** 2 / data.rows;
  return BLOW_UP_FACTOR * Math.max(variance, 1);
}

/** A DivergenceError for (0-based) `epoch` when `reconstructionError` is not under `threshold` (blowUpThreshold). */
export function checkBlowUp(reconstructionError: number, threshold: number, epoch: number): void {
  if (!(reconstructionError <= threshold)) {
    throw new DivergenceError(epoch + 1, `reconstruction error ${reconstructionError.toExponential(1)}, over ${BLOW_UP_FACTOR.toExponential(0)} times the data's variance`);
  }
}

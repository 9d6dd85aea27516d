import type { Matrix } from '../tensor/matrix.js';
import type { Dataset } from './dataset.js';

/**
 * Per-feature mean and scale [features], as used by `standardize`: `std` is the scale each feature is divided
 * by (see columnStatistics for its floor).
 */
export interface ColumnStatistics {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/**
 * The largest |x - mean| / std a training value standardises to. A feature that is nearly constant but for a few
 * examples has a tiny std, and those examples land at about sqrt(examples) standard deviations (Fashion-MNIST's
 * corner pixels: std 4e-4, |z| up to 185), which gives Gaussian units fields and variance gradients that blow up
 * training. 10 is far beyond what Gaussian-like features reach (about 4.5 in 60,000 draws), so only such sparse
 * features are rescaled; scale-free, so it suits tables whose features have different units as well as images.
 */
export const MAX_STANDARDIZED = 10;

/**
 * The mean of each feature of d and its scale: the (population) standard deviation, floored at
 * max_examples |x - mean| / MAX_STANDARDIZED so that no training value standardises beyond +-MAX_STANDARDIZED.
 * In float64.
 */
export function columnStatistics(d: Dataset): ColumnStatistics {
  const { rows, cols, data } = d.examples;
  const mean = new Float64Array(cols);
  const square = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const x = data[r * cols + j];
      mean[j] += x / rows;
      square[j] += (x * x) / rows;
    }
  }
  const maxDeviation = new Float64Array(cols);
  for (let i = 0; i < data.length; i++) {
    const j = i % cols;
    maxDeviation[j] = Math.max(maxDeviation[j], Math.abs(data[i] - mean[j]));
  }
  const std = mean.map((m, j) => Math.max(Math.sqrt(Math.max(0, square[j] - m * m)), maxDeviation[j] / MAX_STANDARDIZED));
  return { mean, std };
}

/** The scale feature j is divided by: its std, or 1 for a constant feature (std 0), which is only centred. */
const scaleOf = (stats: ColumnStatistics, j: number): number => (stats.std[j] > 0 ? stats.std[j] : 1);

/** The scale each feature is divided by [features]: data units per standardised unit. */
export const standardizationScales = (stats: ColumnStatistics): Float64Array => stats.std.map((_, j) => scaleOf(stats, j));

/**
 * d with each feature standardised, x -> (x - mean) / std, by `stats` (those of the training data, so held-out
 * data gets the same transform); a constant feature (std 0) is only centred.
 */
export function standardize(d: Dataset, stats: ColumnStatistics): Dataset {
  const { cols, data } = d.examples;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i] - stats.mean[i % cols]) / scaleOf(stats, i % cols);
  return { ...d, examples: { ...d.examples, data: out } };
}

/** The inverse of `standardize` on a matrix [rows, features]: z -> mean + std z (back to the data's own units). */
export function unstandardize(m: Matrix, stats: ColumnStatistics): Matrix {
  const out = m.data.map((z, i) => stats.mean[i % m.cols] + scaleOf(stats, i % m.cols) * z);
  return { ...m, data: out };
}

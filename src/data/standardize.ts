import type { Dataset } from './dataset.js';

/** Per-feature mean and standard deviation [features], as used by `standardize`. */
export interface ColumnStatistics {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** The mean and (population) standard deviation of each feature of d, in float64. */
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
  const std = mean.map((m, j) => Math.sqrt(Math.max(0, square[j] - m * m)));
  return { mean, std };
}

/**
 * d with each feature standardised, x -> (x - mean) / std, by `stats` (those of the training data, so held-out
 * data gets the same transform); a constant feature (std 0) is only centred.
 */
export function standardize(d: Dataset, stats: ColumnStatistics): Dataset {
  const { cols, data } = d.examples;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const j = i % cols;
    out[i] = (data[i] - stats.mean[j]) / (stats.std[j] > 0 ? stats.std[j] : 1);
  }
  return { ...d, examples: { ...d.examples, data: out } };
}

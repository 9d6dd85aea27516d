/**
 * The blow-up guard: a reconstruction error over 1e6 times the data's total variance stops training. Its
 * threshold is checked against the variance worked out by hand, and the check at and just past it.
 */
import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/tensor/matrix.js';
import { blowUpThreshold, checkBlowUp, DivergenceError } from '../../src/training/divergence.js';

describe('the blow-up threshold', () => {
  it('is 1e6 times the total variance of the data (the error of reconstructing every example by the mean)', () => {
    // Columns [0, 2, 4] and [1, 3, 8]: means 2 and 4, variances (4 + 0 + 4) / 3 and (9 + 1 + 16) / 3.
    const data = matrix(Float32Array.of(0, 1, 2, 3, 4, 8), 3, 2);
    expect(blowUpThreshold(data)).toBeCloseTo(1e6 * (8 / 3 + 26 / 3), 3);
  });

  it('is 1e6 for data of less total variance than 1 (one example, constant columns)', () => {
    expect(blowUpThreshold(matrix(Float32Array.of(5, -3), 1, 2))).toBe(1e6);
    expect(blowUpThreshold(matrix(Float32Array.of(0, 1, 0.5, 1), 2, 2))).toBe(1e6);
  });

  it('passes an error at the threshold and stops one just over it, or NaN, naming the 1-based epoch', () => {
    const threshold = 1e6 * 4;
    expect(() => checkBlowUp(threshold, threshold, 2)).not.toThrow();
    expect(() => checkBlowUp(1e5, threshold, 2)).not.toThrow();
    for (const error of [threshold * (1 + 1e-9), Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => checkBlowUp(error, threshold, 2)).toThrow(DivergenceError);
    }
    expect(() => checkBlowUp(5e6, threshold, 2)).toThrow(/^training diverged in epoch 3 \(reconstruction error 5\.0e\+6, over 1e\+6 times the data's variance\); kept the parameters of epoch 2/);
  });
});

/**
 * The visible parameters a fresh model starts from: the data's per-unit mean and standard deviation through the
 * unit type's `initialBias` and `learnedStd.initialLogStd`, checked against values worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/tensor/matrix.js';
import { initVisibleBias } from '../../src/training/initial-bias.js';
import { bernoulli } from '../../src/units/bernoulli.js';
import { gaussian, LOG_STD_RANGE } from '../../src/units/gaussian.js';

describe('initVisibleBias', () => {
  it('Gaussian units with a learned std: the bias is the mean and the log std that of the data (population std)', () => {
    // Columns [1, 3, 5, 7] (mean 4, variance 5) and [0, 0, 2, 2] (mean 1, variance 1).
    const data = matrix(Float32Array.of(1, 0, 3, 0, 5, 2, 7, 2), 4, 2);
    const params = { visibleBias: new Float32Array(2), visibleLogStd: new Float32Array(2) };
    initVisibleBias(gaussian, params, data);
    expect(Array.from(params.visibleBias)).toEqual([4, 1]);
    expect(params.visibleLogStd[0]).toBeCloseTo(Math.log(Math.sqrt(5)), 6);
    expect(params.visibleLogStd[1]).toBeCloseTo(0, 6);
  });

  it('a constant column: the std 0 is clamped to the bottom of the learned std range', () => {
    const params = { visibleBias: new Float32Array(1), visibleLogStd: new Float32Array(1) };
    initVisibleBias(gaussian, params, matrix(Float32Array.of(3, 3, 3), 3, 1));
    expect(params.visibleBias[0]).toBe(3);
    expect(params.visibleLogStd[0]).toBeCloseTo(LOG_STD_RANGE.min, 6);
  });

  it('Gaussian units of a fixed std: only the bias is set', () => {
    const params = { visibleBias: new Float32Array(1) };
    initVisibleBias(gaussian, params, matrix(Float32Array.of(1, 3), 2, 1));
    expect(params).toEqual({ visibleBias: Float32Array.of(2) });
  });

  it('Bernoulli units: the log-odds of the mean, and a log std array left as it was', () => {
    // Columns [1, 0, 0, 0] and [1, 1, 1, 0]: means 1/4 and 3/4.
    const data = matrix(Float32Array.of(1, 1, 0, 1, 0, 1, 0, 0), 4, 2);
    const params = { visibleBias: new Float32Array(2), visibleLogStd: Float32Array.of(0.5, 0.5) };
    initVisibleBias(bernoulli, params, data);
    expect(params.visibleBias[0]).toBeCloseTo(-Math.log(3), 6);
    expect(params.visibleBias[1]).toBeCloseTo(Math.log(3), 6);
    expect(Array.from(params.visibleLogStd)).toEqual([0.5, 0.5]);
  });
});

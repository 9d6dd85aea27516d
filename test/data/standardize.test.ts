import { describe, expect, it } from 'vitest';
import { columnStatistics, MAX_STANDARDIZED, standardize, unstandardize } from '../../src/data/standardize.js';
import { matrix } from '../../src/tensor/matrix.js';

describe('standardize', () => {
  const d = { name: 'd', examples: matrix(Float32Array.from([1, 5, 3, 5, 5, 5]), 3, 2) };

  it('maps each feature to mean 0 and std 1 by the given statistics; a constant feature is only centred', () => {
    const stats = columnStatistics(d);
    expect(Array.from(stats.mean)).toEqual([3, 5]);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(stats.std[1]).toBe(0);
    const s = standardize(d, stats);
    expect(Array.from(s.examples.data, (x) => Number(x.toFixed(5)))).toEqual([-1.22474, 0, 0, 0, 1.22474, 0]);
    expect(d.examples.data[0]).toBe(1);
  });

  it('applies the training statistics to other data', () => {
    const other = { name: 'o', examples: matrix(Float32Array.from([3, 6]), 1, 2) };
    expect(Array.from(standardize(other, columnStatistics(d)).examples.data)).toEqual([0, 1]);
  });

  it('floors the std of a sparse feature so that no training value standardises beyond MAX_STANDARDIZED', () => {
    // One example of 10,000 at 1, the rest 0: std about 0.01, so that example would sit at z = 100.
    const rows = 10000;
    const sparse = { name: 's', examples: matrix(Float32Array.from({ length: 2 * rows }, (_, i) => (i === 0 ? 1 : i % 2 === 1 ? (i % 4) - 2 : 0)), rows, 2) };
    const stats = columnStatistics(sparse);
    const mean = 1 / rows;
    expect(Math.sqrt(mean - mean * mean)).toBeLessThan(0.011);
    expect(stats.std[0]).toBeCloseTo((1 - mean) / MAX_STANDARDIZED, 12);
    expect(stats.std[1]).toBeCloseTo(1, 12); // +-1 values: std 1, max |z| 1, not floored
    const z = standardize(sparse, stats).examples.data;
    expect(Math.max(...Array.from(z, Math.abs))).toBeCloseTo(MAX_STANDARDIZED, 5);
  });

  it('floors the std of a sparse feature whose outlier is in a later example and column', () => {
    // Column 1: 199 zeros and a 1 in the last of 200 examples, std sqrt(p (1 - p)) ~ 0.0705 with p = 1/200,
    // below the floor (1 - p) / MAX_STANDARDIZED = 0.0995. Column 0 alternates 0, 2: std 1, not floored.
    const rows = 200;
    const sparse = { name: 's', examples: matrix(Float32Array.from({ length: 2 * rows }, (_, i) => (i % 2 === 0 ? 2 * ((i / 2) % 2) : i === 2 * rows - 1 ? 1 : 0)), rows, 2) };
    const stats = columnStatistics(sparse);
    const p = 1 / rows;
    expect(Math.sqrt(p * (1 - p))).toBeLessThan(0.071);
    expect(stats.std[1]).toBeCloseTo((1 - p) / MAX_STANDARDIZED, 12);
    expect(stats.std[0]).toBeCloseTo(1, 12);
    expect(standardize(sparse, stats).examples.data[2 * rows - 1]).toBeCloseTo(MAX_STANDARDIZED, 5);
  });

  it('unstandardize inverts standardize', () => {
    const stats = columnStatistics(d);
    const back = unstandardize(standardize(d, stats).examples, stats);
    expect(Array.from(back.data, (x) => Number(x.toFixed(5)))).toEqual([1, 5, 3, 5, 5, 5]);
  });
});

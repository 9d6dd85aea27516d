import { describe, expect, it } from 'vitest';
import { columnStatistics, standardize } from '../../src/data/standardize.js';
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
});

import type { Dataset } from './dataset.js';

/**
 * All distinct n x n bars-and-stripes patterns: every stripes pattern (each row all 0 or all 1, 2^n of them)
 * then every bars pattern (each column all 0 or all 1) except all-0 and all-1, already counted: 2^(n+1) - 2
 * patterns in all. Pattern k of each kind has row (stripes) or column (bars) j set when bit j of k is 1.
 * Shapes: examples (2^(n+1) - 2) x n^2, row-major pictures, imageShape [n, n].
 * The target distribution is uniform over these patterns; its entropy is log(2^(n+1) - 2) nats
 * (`barsAndStripesEntropy`), the best average negative log-likelihood a model can reach.
 */
export function barsAndStripes(n: number): Dataset {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`barsAndStripes: n must be a positive integer, got ${n}`);
  const kinds = 2 ** n;
  const count = 2 * kinds - 2;
  const size = n * n;
  const data = new Float32Array(count * size);
  let row = 0;
  const add = (on: (i: number, j: number) => boolean): void => {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[row * size + i * n + j] = on(i, j) ? 1 : 0;
    row++;
  };
  for (let k = 0; k < kinds; k++) add((i) => ((k >> i) & 1) === 1);
  for (let k = 1; k < kinds - 1; k++) add((_i, j) => ((k >> j) & 1) === 1);
  return { name: `bars-and-stripes:${n}`, examples: { data, rows: count, cols: size }, imageShape: [n, n] };
}

/** The entropy in nats of the uniform distribution over the n x n bars-and-stripes patterns: log(2^(n+1) - 2). */
export function barsAndStripesEntropy(n: number): number {
  return Math.log(2 ** (n + 1) - 2);
}

/**
 * Pairs of images related by a transformation (data/pairs.ts) and random-dot images (data/random-dots.ts),
 * through their data specs: each pair's second image is its first moved as its label says, checked pixel by
 * pixel against the transformation written out independently (a shift by index arithmetic, quarter turns as
 * the transposes and flips of a matrix).
 */
import { describe, expect, it } from 'vitest';
import { MAX_SHIFT, transformationPairs } from '../../src/data/pairs.js';
import { RANDOM_DOTS, randomDots } from '../../src/data/random-dots.js';
import { loadDataSpec } from '../../src/data/spec.js';
import type { Dataset } from '../../src/data/dataset.js';
import { expectUserError } from './fixtures.js';

/** Images of distinct pixel values 1 .. H W (none 0, so a pixel from outside shows), `count` of them, the n-th offset by n. */
function numbered(count: number, height: number, width: number): Dataset {
  const size = height * width;
  const data = Float32Array.from({ length: count * size }, (_, i) => 1 + (i % size) + Math.floor(i / size) * size);
  return { name: 'numbered', examples: { data, rows: count, cols: size }, imageShape: [height, width] };
}

/** Image r of a pairs data set as rows of pixels: its first (0) or second (1) half. */
function half(pairs: Dataset, r: number, which: 0 | 1, height: number, width: number): number[][] {
  const size = height * width;
  const flat = pairs.examples.data.subarray(r * 2 * size + which * size, r * 2 * size + (which + 1) * size);
  return Array.from({ length: height }, (_, i) => Array.from(flat.subarray(i * width, (i + 1) * width)));
}

describe('transformationPairs', () => {
  it('shifts each image by the (dy, dx) of its label, pixels from outside 0, the first image kept', () => {
    const [H, W] = [7, 9];
    const source = numbered(300, H, W);
    const pairs = transformationPairs(source, 'shift', 4);
    expect(pairs.imageShape).toEqual([2 * H, W]);
    expect(pairs.examples.cols).toBe(2 * H * W);
    expect(new Set(pairs.labels).size).toBe((2 * MAX_SHIFT + 1) ** 2);
    for (let r = 0; r < 300; r++) {
      const t = pairs.labels![r];
      const [dy, dx] = [Math.floor(t / 7) - 3, (t % 7) - 3];
      const x = half(pairs, r, 0, H, W);
      const y = half(pairs, r, 1, H, W);
      expect(x.flat()).toEqual(Array.from(source.examples.data.subarray(r * H * W, (r + 1) * H * W)));
      for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) expect(y[i][j], `pair ${r} (${dy}, ${dx}) pixel ${i},${j}`).toBe(x[i - dy]?.[j - dx] ?? 0);
    }
  });

  it('turns each image counter-clockwise by 30 degrees times its label: quarter turns exactly', () => {
    const n = 6;
    const pairs = transformationPairs(numbered(400, n, n), 'rotate', 1);
    expect(new Set(pairs.labels).size).toBe(12);
    const quarter = (a: number[][]): number[][] => a.map((row, i) => row.map((_, j) => a[j][n - 1 - i])); // numpy's rot90
    const seen = new Set<number>();
    for (let r = 0; r < 400; r++) {
      const t = pairs.labels![r];
      if (t % 3 !== 0) continue;
      seen.add(t);
      let expected = half(pairs, r, 0, n, n);
      for (let q = 0; q < t / 3; q++) expected = quarter(expected);
      expect(half(pairs, r, 1, n, n), `pair ${r}, ${30 * t} degrees`).toEqual(expected);
    }
    expect(seen).toEqual(new Set([0, 3, 6, 9]));
  });

  it('turns by other angles keeping the centre and leaving the corners\' source outside', () => {
    const n = 7;
    const pairs = transformationPairs(numbered(200, n, n), 'rotate', 2);
    const r = Array.from(pairs.labels!).indexOf(1);
    const y = half(pairs, r, 1, n, n);
    expect(y[3][3]).toBe(half(pairs, r, 0, n, n)[3][3]);
    expect([y[0][0], y[0][6], y[6][0], y[6][6]].filter((v) => v === 0).length).toBeGreaterThan(0);
  });

  it('is the same for the same seed and refuses data that are not images', () => {
    const source = numbered(50, 4, 4);
    expect(transformationPairs(source, 'shift', 3)).toEqual(transformationPairs(source, 'shift', 3));
    expect(transformationPairs(source, 'shift', 3).labels).not.toEqual(transformationPairs(source, 'shift', 4).labels);
    const flat = { ...source, imageShape: undefined };
    expect(expectUserError(() => transformationPairs(flat, 'rotate'))).toBe('pairs: the data numbered are not images (no image shape), so they cannot be turned');
  });
});

describe('randomDots', () => {
  it('draws binary pixels, each on with the density, seeded', () => {
    const dots = randomDots(2000, 5, 9);
    expect(dots.imageShape).toEqual([5, 5]);
    const ones = dots.examples.data.reduce((s, v) => s + v, 0);
    const n = dots.examples.data.length;
    expect(dots.examples.data.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(ones / n - RANDOM_DOTS.density)).toBeLessThan(4 * Math.sqrt((RANDOM_DOTS.density * (1 - RANDOM_DOTS.density)) / n));
    expect(randomDots(20, 5, 9)).toEqual(randomDots(20, 5, 9));
  });
});

describe('the specs of pairs and dots', () => {
  it('makes pairs of any image data, labelled by transformation', () => {
    const pairs = loadDataSpec('pairs:shift:dots:40:6');
    expect(pairs.name).toBe('pairs:shift:dots:40:6:0');
    expect([pairs.examples.rows, pairs.examples.cols]).toEqual([40, 72]);
    expect(pairs.imageShape).toEqual([12, 6]);
    expect(loadDataSpec('pairs:rotate:bars-and-stripes:3').examples.cols).toBe(18);
    expect(loadDataSpec('dots:3').examples.cols).toBe(RANDOM_DOTS.size ** 2);
    expect(loadDataSpec('dots:3:5:7')).toEqual(randomDots(3, 5, 7));
    expect(loadDataSpec('dots:3:5:7').examples.data).not.toEqual(loadDataSpec('dots:3:5').examples.data);
  });

  it('refuses bad forms with one line naming the spec', () => {
    expect(expectUserError(() => loadDataSpec('pairs:spin:mnist'))).toMatch(/^data spec 'pairs:spin:mnist': pairs takes shift or rotate, then the spec of the images; valid forms/);
    expect(expectUserError(() => loadDataSpec('pairs:shift'))).toMatch(/^data spec 'pairs:shift': pairs:shift needs the spec of the images, such as pairs:shift:mnist;/);
    expect(expectUserError(() => loadDataSpec('pairs:shift:blobs'))).toMatch(/^data spec 'blobs': unknown data source 'blobs'/);
    expect(expectUserError(() => loadDataSpec('pairs:shift:csv:/no/such.csv'))).toMatch(/no\/such\.csv/);
    for (const bad of ['dots', 'dots:0', 'dots:x', 'dots:1000001', 'dots:5:1', 'dots:5:65', 'dots:5:8:2147483648', 'dots:5:8:1:1']) expectUserError(() => loadDataSpec(bad), `'${bad}'`);
  });
});

/**
 * The transformations of pairs (data/pairs.ts) pixel by pixel at the image's edges: a shift's source pixel
 * (i - dy, j - dx) is taken only when it lies inside the H x W image, else the pixel is 0 (-1 as a source),
 * never wrapped to a neighbouring row nor read past the image; and the refusal of data without an image shape
 * names what the kind would have done (shifted or turned).
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { MAX_SHIFT, transformationPairs, transformations } from '../../src/data/pairs.js';
import { expectUserError } from './fixtures.js';

/** One H x W image of pixels 1 .. H W (none 0). */
function oneImage(height: number, width: number): Dataset {
  const data = Float32Array.from({ length: height * width }, (_, p) => p + 1);
  return { name: 'one', examples: { data, rows: 1, cols: height * width }, imageShape: [height, width] };
}

describe('transformations', () => {
  it('takes a shifted pixel from (i - dy, j - dx) when inside the image, else from outside (-1)', () => {
    const [H, W] = [4, 5];
    const maps = transformations('shift', H, W);
    expect(maps).toHaveLength((2 * MAX_SHIFT + 1) ** 2);
    let outside = 0;
    maps.forEach((from, t) => {
      const [dy, dx] = [Math.floor(t / 7) - MAX_SHIFT, (t % 7) - MAX_SHIFT];
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          const [si, sj] = [i - dy, j - dx];
          const inside = si >= 0 && si < H && sj >= 0 && sj < W;
          outside += Number(!inside);
          expect(from(i, j), `shift (${dy}, ${dx}) pixel ${i},${j}`).toBe(inside ? si * W + sj : -1);
        }
      }
    });
    expect(outside).toBeGreaterThan(0);
  });

  it('brings the corners of a turn by 30 degrees from outside, and keeps every source inside the image', () => {
    const n = 5;
    const turn = transformations('rotate', n, n)[1];
    // The corner (0, 0) turned back 30 degrees about (2, 2) lands at (-0.73, 1.27), rounded (-1, 1): outside.
    expect(turn(0, 0)).toBe(-1);
    const sources = Array.from({ length: n * n }, (_, p) => turn(Math.floor(p / n), p % n));
    expect(sources.every((s) => Number.isInteger(s) && s >= -1 && s < n * n)).toBe(true);
  });
});

describe('transformationPairs at the edges', () => {
  it('fills the pixels shifted in from outside with 0, those of the last row and column too', () => {
    const [H, W] = [3, 4];
    const size = H * W;
    const seen = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const pairs = transformationPairs(oneImage(H, W), 'shift', seed);
      const t = pairs.labels![0];
      seen.add(t);
      const [dy, dx] = [Math.floor(t / 7) - MAX_SHIFT, (t % 7) - MAX_SHIFT];
      const y = Array.from(pairs.examples.data.subarray(size, 2 * size));
      const expected = Array.from({ length: size }, (_, p) => {
        const [si, sj] = [Math.floor(p / W) - dy, (p % W) - dx];
        return si >= 0 && si < H && sj >= 0 && sj < W ? si * W + sj + 1 : 0;
      });
      expect(y, `seed ${seed}, shift (${dy}, ${dx})`).toEqual(expected);
    }
    // Shifts up and left as well as down and right were drawn.
    expect([...seen].some((t) => t < 24) && [...seen].some((t) => t > 24)).toBe(true);
  });

  it('refuses data without an image shape, saying they cannot be shifted (or turned)', () => {
    const flat: Dataset = { ...oneImage(2, 2), imageShape: undefined };
    expect(expectUserError(() => transformationPairs(flat, 'shift'))).toBe('pairs: the data one are not images (no image shape), so they cannot be shifted');
    expect(expectUserError(() => transformationPairs(flat, 'rotate'))).toBe('pairs: the data one are not images (no image shape), so they cannot be turned');
  });
});

import { RandomStream } from '../random/stream.js';
import type { Dataset } from './dataset.js';

/** The side of a random-dot image, in pixels, and the probability of each pixel being on. */
export const RANDOM_DOTS = { size: 13, density: 0.1 } as const;

/**
 * `count` random-dot images (the textureless inputs on which a gated RBM must learn a transformation from the
 * motion alone, not from shapes): size x size binary pixels, each on with probability `density`, independently,
 * drawn by a stream seeded with `seed`. Shapes: examples [count, size^2], imageShape [size, size].
 */
export function randomDots(count: number, size: number = RANDOM_DOTS.size, seed = 0, density: number = RANDOM_DOTS.density): Dataset {
  const rng = new RandomStream(seed);
  const data = Float32Array.from({ length: count * size * size }, () => Number(rng.uniform() < density));
  return { name: `dots:${count}:${size}:${seed}`, examples: { data, rows: count, cols: size * size }, imageShape: [size, size] };
}

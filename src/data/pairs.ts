/**
 * Pairs of images related by a transformation, the data of a gated RBM (Memisevic & Hinton 2010; Deep
 * Learning 20.8): each image x of a source data set becomes the row [x | T(x)], T drawn uniformly from a finite
 * set of transformations, and the row's label is T's index in that set. The sets:
 *   shift   (dy, dx) in {-3, ..., 3}^2, 49 of them, index (dy + 3) * 7 + (dx + 3): y[i][j] = x[i - dy][j - dx]
 *   rotate  the angles 30 k degrees, k = 0 .. 11 (index k), counter-clockwise about the image's centre,
 * pixels brought in from outside the image 0, the nearest pixel taken (so binary images stay binary). A pair
 * is drawn as the picture of x above T(x): imageShape [2H, W].
 */
import { UserError } from '../errors.js';
import { RandomStream } from '../random/stream.js';
import type { Dataset } from './dataset.js';

/** The kinds of transformation of `pairs:KIND:SPEC`. */
export const PAIR_TRANSFORMATIONS = ['shift', 'rotate'] as const;
export type PairTransformation = (typeof PAIR_TRANSFORMATIONS)[number];

/** The largest shift, in pixels, each way. */
export const MAX_SHIFT = 3;
/** The step between rotation angles, in degrees. */
export const ROTATION_STEP = 30;

/** Where pixel (i, j) of T(x) comes from in x, as a flat index, or -1 for a pixel from outside the image. */
type SourcePixel = (i: number, j: number) => number;

/** The transformations of `kind` on H x W images, each as its source-pixel map, in index order. */
export function transformations(kind: PairTransformation, height: number, width: number): SourcePixel[] {
  const inside = (i: number, j: number): number => (i >= 0 && i < height && j >= 0 && j < width ? i * width + j : -1);
  if (kind === 'shift') {
    const shifts = Array.from({ length: 2 * MAX_SHIFT + 1 }, (_, k) => k - MAX_SHIFT);
    return shifts.flatMap((dy) => shifts.map((dx): SourcePixel => (i, j) => inside(i - dy, j - dx)));
  }
  const ci = (height - 1) / 2;
  const cj = (width - 1) / 2;
  return Array.from({ length: 360 / ROTATION_STEP }, (_, k): SourcePixel => {
    const angle = (k * ROTATION_STEP * Math.PI) / 180;
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    // Pixel (i, j) of the image turned counter-clockwise (rows grow downwards) comes from x turned back.
    return (i, j) => inside(Math.round(ci + cos * (i - ci) + sin * (j - cj)), Math.round(cj - sin * (i - ci) + cos * (j - cj)));
  });
}

/**
 * The pairs [x | T(x)] of every image x of `source` (which must have an image shape), T drawn from the
 * transformations of `kind` by a stream seeded with `seed`; labels the transformations' indices.
 */
export function transformationPairs(source: Dataset, kind: PairTransformation, seed = 0): Dataset {
  if (source.imageShape === undefined) throw new UserError(`pairs: the data ${source.name} are not images (no image shape), so they cannot be ${kind === 'shift' ? 'shifted' : 'turned'}`);
  const [height, width] = source.imageShape;
  const size = height * width;
  const maps = transformations(kind, height, width).map((from) => Int32Array.from({ length: size }, (_, p) => from(Math.floor(p / width), p % width)));
  const rng = new RandomStream(seed);
  const { rows, data } = source.examples;
  const out = new Float32Array(rows * 2 * size);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const x = data.subarray(r * size, (r + 1) * size);
    const t = rng.int(0, maps.length - 1);
    labels[r] = t;
    out.set(x, 2 * r * size);
    const y = out.subarray((2 * r + 1) * size, (2 * r + 2) * size);
    maps[t].forEach((from, p) => (y[p] = from < 0 ? 0 : x[from]));
  }
  return { name: `pairs:${kind}:${source.name}`, examples: { data: out, rows, cols: 2 * size }, labels, imageShape: [2 * height, width] };
}

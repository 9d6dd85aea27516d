import type { RBM } from '../models/rbm.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { tileGrid, type RgbaImage } from './tile-grid.js';

/** Image shape [height, width] of a picture tile. */
export type ImageShape = readonly [number, number];

/** Upscale of small images (such as 4x4 bars) so that a picture is at least ~200 pixels across. */
function scaleFor(shape: ImageShape, columns: number): number {
  return Math.max(1, Math.floor(200 / (columns * shape[1])));
}

/**
 * The receptive fields of the first `count` hidden units of an RBM: column mu of its weights, W[:, mu], as an
 * image (see `weightsPicture`).
 */
export const filtersPicture = (rbm: RBM, shape: ImageShape, count = 100): RgbaImage =>
  weightsPicture(matrix(rbm.params.weights, rbm.nVisible, rbm.nHidden), shape, count);

/**
 * The receptive fields of the first `count` units of a layer above the visible one, from its weights W
 * [nVisible, nUnits]: column mu, W[:, mu], as an image, each tile scaled symmetrically around 0 (mid gray;
 * white excitatory, black inhibitory).
 */
export function weightsPicture(weights: Matrix, shape: ImageShape, count = 100): RgbaImage {
  const { rows: nVisible, cols: nUnits } = weights;
  const n = Math.min(count, nUnits);
  const tiles = new Float32Array(n * nVisible);
  for (let mu = 0; mu < n; mu++) {
    for (let i = 0; i < nVisible; i++) tiles[mu * nVisible + i] = weights.data[i * nUnits + mu];
  }
  const columns = Math.ceil(Math.sqrt(n));
  return tileGrid(matrix(tiles, n, nVisible), [shape[0], shape[1]], {
    normalize: 'per-tile',
    symmetric: true,
    columns,
    scale: scaleFor(shape, columns),
  });
}

/** Images with values in [0, 1] (data, sample means), `columns` per row. */
export function imagesPicture(images: Matrix, shape: ImageShape, columns = 10): RgbaImage {
  return tileGrid(images, [shape[0], shape[1]], { normalize: 'none', columns, scale: scaleFor(shape, columns) });
}

/**
 * Originals and their reconstructions in alternating rows of `columns`: row 2j holds originals
 * j*columns .. (j+1)*columns - 1, row 2j+1 their reconstructions. Both [n, nVisible] with values in [0, 1].
 */
export const reconstructionsPicture = (originals: Matrix, reconstructions: Matrix, shape: ImageShape, columns = 10): RgbaImage =>
  interleavedPicture([originals, reconstructions], shape, columns);

/**
 * Several versions of the same images (say clean, corrupted, restored: each [n, nVisible] with values in
 * [0, 1]) in interleaved rows of `columns`: with m versions, row m*j + k holds images j*columns ..
 * (j+1)*columns - 1 of version k.
 */
export function interleavedPicture(versions: readonly Matrix[], shape: ImageShape, columns = 10): RgbaImage {
  const { rows: n, cols } = versions[0];
  const m = versions.length;
  const rows = Math.ceil(n / columns);
  const tiles = new Float32Array(m * rows * columns * cols).fill(0);
  for (let r = 0; r < n; r++) {
    const row = Math.floor(r / columns);
    const col = r % columns;
    versions.forEach((version, k) => tiles.set(version.data.subarray(r * cols, (r + 1) * cols), ((m * row + k) * columns + col) * cols));
  }
  return imagesPicture(matrix(tiles, m * rows * columns, cols), shape, columns);
}

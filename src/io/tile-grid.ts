/**
 * Pictures of many small images (digits, filters, fantasy particles) as one grid of RGBA pixels: pure drawing,
 * for PNG files (`png-grid.ts`) and browser canvases alike.
 */
import type { Matrix } from '../tensor/matrix.js';

/** An 8-bit RGBA picture: pixel (x, y) is rgba[4*(y*width + x) .. +4]. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * How values become gray levels. 'none': values are intensities in [0, 1] (clamped). 'per-tile': each tile's
 * min..max maps to black..white. 'global': the same, with one min..max over all tiles.
 */
export type Normalize = 'none' | 'per-tile' | 'global';

export interface TileGridOptions {
  /** Tiles per row of the grid; default ceil(sqrt(number of images)). */
  columns?: number;
  /** Default 'none'. */
  normalize?: Normalize;
  /**
   * With 'per-tile' or 'global': map -max|x|..+max|x| instead of min..max, so 0 is mid gray (for weights).
   * Ignored with 'none'. Default false.
   */
  symmetric?: boolean;
  /** Pixels of line between neighbouring tiles (not scaled); default 1. */
  padding?: number;
  /** Integer upscaling of each image pixel (nearest neighbour); default 1. */
  scale?: number;
}

/** The colour of the lines between tiles and of empty grid cells: a blue no gray pixel can be confused with. */
export const PADDING_RGB: readonly [number, number, number] = [64, 96, 160];
/** The colour of NaN values, which no normalisation can place on the gray scale. */
export const NAN_RGB: readonly [number, number, number] = [255, 0, 0];

interface Range {
  lo: number;
  hi: number;
}

/** The range of the finite values of `values` (symmetric: -max|x|..max|x|); 0..0 when there are none. */
function rangeOf(values: Float32Array, symmetric: boolean): Range {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of values) {
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (lo > hi) return { lo: 0, hi: 0 };
  if (!symmetric) return { lo, hi };
  const m = Math.max(-lo, hi);
  return { lo: -m, hi: m };
}

/** The gray level (0..255) of `x` in `range`, clamped; a constant range gives mid gray. */
function grayLevel(x: number, { lo, hi }: Range): number {
  const t = hi > lo ? (x - lo) / (hi - lo) : 0.5;
  return Math.round(Math.min(1, Math.max(0, t)) * 255);
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`tileGrid: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Draws each row of `images` (n x h*w, one row-major h x w image per row) as a gray tile, left to right then
 * top to bottom, in a grid of `columns` tiles per row separated by `padding` pixels of PADDING_RGB.
 * The picture is columns*w*scale + (columns-1)*padding pixels wide and rows*h*scale + (rows-1)*padding high,
 * rows = ceil(n / columns).
 */
export function tileGrid(
  images: Matrix,
  imageShape: readonly [number, number],
  options: TileGridOptions = {},
): RgbaImage {
  const [h, w] = imageShape;
  const n = images.rows;
  const { normalize = 'none', symmetric = false, padding = 1, scale = 1 } = options;
  const columns = options.columns ?? Math.ceil(Math.sqrt(n));
  checkCount('the number of images', n, 1);
  checkCount('image height', h, 1);
  checkCount('image width', w, 1);
  if (images.cols !== h * w) {
    throw new RangeError(`tileGrid: images have ${images.cols} values each, not ${h} x ${w} = ${h * w}`);
  }
  checkCount('columns', columns, 1);
  checkCount('padding', padding, 0);
  checkCount('scale', scale, 1);

  const rows = Math.ceil(n / columns);
  const tileW = w * scale;
  const tileH = h * scale;
  const width = columns * tileW + (columns - 1) * padding;
  const height = rows * tileH + (rows - 1) * padding;
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < rgba.length; p += 4) {
    rgba.set(PADDING_RGB, p);
    rgba[p + 3] = 255;
  }

  const global = normalize === 'global' ? rangeOf(images.data, symmetric) : undefined;
  for (let k = 0; k < n; k++) {
    const tile = images.data.subarray(k * h * w, (k + 1) * h * w);
    const range = normalize === 'none' ? { lo: 0, hi: 1 } : (global ?? rangeOf(tile, symmetric));
    const x0 = (k % columns) * (tileW + padding);
    const y0 = Math.floor(k / columns) * (tileH + padding);
    for (let y = 0; y < tileH; y++) {
      const row = Math.floor(y / scale) * w;
      for (let x = 0; x < tileW; x++) {
        const value = tile[row + Math.floor(x / scale)];
        const p = 4 * ((y0 + y) * width + x0 + x);
        if (Number.isNaN(value)) {
          rgba.set(NAN_RGB, p);
        } else {
          const g = grayLevel(value, range);
          rgba[p] = g;
          rgba[p + 1] = g;
          rgba[p + 2] = g;
        }
      }
    }
  }
  return { width, height, rgba };
}

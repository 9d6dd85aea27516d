import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { encodeNpy } from '../data/npy.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { imagesPicture, type ImageShape } from '../io/pictures.js';
import { encodePng } from '../io/png-grid.js';
import type { Matrix } from '../tensor/matrix.js';

/** A number of nats for a readable table: `digits` decimals, or +inf / -inf. */
export const formatNumber = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : x > 0 ? '+inf' : '-inf');

/** A fraction as a percentage with 2 decimals: 0.0542 -> "5.42%". */
export const formatPercent = (x: number): string => `${(100 * x).toFixed(2)}%`;

/**
 * The warning for an estimate of log Z below its certain floor (estimators/log-partition-floor.ts): `what`
 * names whose log Z it is, `consequence` the number it makes too high (a log-likelihood, a bound).
 */
export function belowFloorWarning(what: string, logZ: number, floor: number, consequence: string): string {
  return `log Z of ${what} ${formatNumber(logZ)} is below ${formatNumber(floor)}, a certain lower bound (log sum of exp(-F) over states of the data): the annealing missed modes, and the ${consequence} is too high by at least ${formatNumber(floor - logZ)} nats`;
}

/** The image shape to draw rows of `cols` values: the data's own, else square when cols is a square, else a strip. */
export function pictureShape(cols: number, known?: ImageShape): ImageShape {
  if (known !== undefined) return known;
  const side = Math.round(Math.sqrt(cols));
  return side * side === cols ? [side, side] : [1, cols];
}

/** The file types writeMatrix writes, by extension. */
const MATRIX_TYPES = ['.npy', '.csv', '.png'];

const unknownMatrixType = (path: string, flag: string): UserError => new UserError(`${flag} ${path}: unknown file type; use a .npy, .csv or .png file name`);

/**
 * Refuses, before any work, a matrix output `path` (given by `flag`) of a type writeMatrix does not write, or
 * one that exists unless `force`: nothing is overwritten without --force.
 */
export function checkMatrixOutput(path: string | undefined, force: boolean | undefined, flag = '--out'): void {
  if (path === undefined) return;
  if (!MATRIX_TYPES.includes(extname(path).toLowerCase())) throw unknownMatrixType(path, flag);
  checkNewOutput(path, force, flag);
}

/** Refuses an output `path` (given by `flag`) that exists, unless `force`. */
export function checkNewOutput(path: string, force: boolean | undefined, flag = '--out'): void {
  if (existsSync(path) && force !== true) throw new UserError(`${flag} ${path}: exists already; use --force to replace it`);
}

/** Write m to `path` as .npy (float32), .csv (one row per line) or .png (a grid of images), by extension (see checkMatrixOutput). */
export async function writeMatrix(path: string, m: Matrix, flag: string, shape?: ImageShape): Promise<void> {
  switch (extname(path).toLowerCase()) {
    case '.npy':
      return writeFileAtomic(path, encodeNpy(m));
    case '.csv':
      return writeFileAtomic(path, csvText(m));
    case '.png':
      return writeFileAtomic(path, encodePng(imagesPicture(m, pictureShape(m.cols, shape))));
    default:
      throw unknownMatrixType(path, flag);
  }
}

function csvText(m: Matrix): string {
  const lines: string[] = [];
  for (let r = 0; r < m.rows; r++) lines.push(Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)).join(','));
  return lines.join('\n') + '\n';
}

/** Rows of m as nested arrays, for JSON output. */
export function rowsOf(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));
}

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { readDataFile } from './read-file.js';

/** Magic numbers of the IDX files used here: 0x08 = unsigned bytes, then the number of dimensions. */
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * The dimensions and unsigned-byte payload of an IDX file (big-endian header: a 4-byte magic number whose last
 * byte is the number of dimensions, one 4-byte size per dimension, then the values in row-major order).
 */
function readIdxBytes(path: string, magic: number, what: string): { dims: number[]; values: Uint8Array } {
  const bytes = readDataFile(path);
  const ndim = magic & 0xff;
  const headerLength = 4 + 4 * ndim;
  if (bytes.length >= 4 && bytes.readUInt32BE(0) !== magic) {
    throw new UserError(
      `${path}: not an IDX ${what} file (magic number ${hex(bytes.readUInt32BE(0))}, expected ${hex(magic)})`,
    );
  }
  if (bytes.length < headerLength) {
    throw new UserError(`${path}: truncated IDX file (${bytes.length} bytes, shorter than its header)`);
  }
  const dims: number[] = [];
  for (let k = 0; k < ndim; k++) dims.push(bytes.readUInt32BE(4 + 4 * k));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (actual < expected) {
    throw new UserError(
      `${path}: truncated IDX file: the header promises ${dims.join(' x ')} = ${expected} bytes of data, ` +
        `only ${actual} follow`,
    );
  }
  if (actual > expected) {
    throw new UserError(
      `${path}: ${actual - expected} unexpected bytes after the ${dims.join(' x ')} values the header promises`,
    );
  }
  return { dims, values: bytes.subarray(headerLength) };
}

/** The class labels of an IDX labels file (magic 0x00000801: n unsigned bytes), gzipped or not. */
export function loadIdxLabels(path: string): Int32Array {
  return Int32Array.from(readIdxBytes(path, LABELS_MAGIC, 'labels').values);
}

/**
 * The labels file that goes with an images file by the standard naming (`X-images-idx3-ubyte[.gz]` ->
 * `X-labels-idx1-ubyte[.gz]`, also with `.` before `idx`), gzipped or not, when it exists.
 */
export function siblingLabelsPath(imagesPath: string): string | undefined {
  const match = /^(.*)images([-.])idx3-ubyte(\.gz)?$/.exec(basename(imagesPath));
  if (match === null) return undefined;
  const stem = join(dirname(imagesPath), `${match[1]}labels${match[2]}idx1-ubyte`);
  const candidates = match[3] === undefined ? [stem, `${stem}.gz`] : [`${stem}.gz`, stem];
  return candidates.find((candidate) => existsSync(candidate));
}

/**
 * Images from an IDX file (LeCun's format, magic 0x00000803: n x rows x cols unsigned bytes), gzipped or not
 * (detected by content), scaled to [0, 1] by /255. Shapes: examples n x (rows*cols), imageShape [rows, cols],
 * labels n when a sibling labels file exists (see `siblingLabelsPath`). A file whose header does not match its
 * size, or claims images of more than 2^53 pixels (possible only with 0 images), is a UserError.
 */
export function loadIdx(path: string): Dataset {
  const { dims, values } = readIdxBytes(path, IMAGES_MAGIC, 'images');
  const [n, height, width] = dims;
  // Only a file of no images can claim images this large (its data would not fit in memory otherwise).
  if (!Number.isSafeInteger(height * width)) {
    throw new UserError(`${path}: images of ${height} x ${width} pixels are too large (more than 2^53 pixels)`);
  }
  const data = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i] / 255;
  const examples = { data, rows: n, cols: height * width };
  const labelsPath = siblingLabelsPath(path);
  if (labelsPath === undefined) return { name: path, examples, imageShape: [height, width] };
  const labels = loadIdxLabels(labelsPath);
  if (labels.length !== n) {
    throw new UserError(`${labelsPath}: has ${labels.length} labels but ${path} has ${n} images`);
  }
  return { name: path, examples, labels, imageShape: [height, width] };
}

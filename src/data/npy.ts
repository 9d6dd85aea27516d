import { UserError } from '../errors.js';
import { escaped, quoted } from '../quote.js';
import type { Matrix } from '../tensor/matrix.js';
import type { Dataset } from './dataset.js';
import { readDataFile } from './read-file.js';

const MAGIC = '\x93NUMPY';

/** The dtypes `loadNpy` reads (little-endian or single-byte), each with its size and conversion to float32. */
const DTYPES = new Map<string, { size: number; toFloat32: (raw: ArrayBuffer) => Float32Array }>([
  ['<f4', { size: 4, toFloat32: (raw) => new Float32Array(raw) }],
  ['<f8', { size: 8, toFloat32: (raw) => Float32Array.from(new Float64Array(raw)) }],
  ['|u1', { size: 1, toFloat32: (raw) => Float32Array.from(new Uint8Array(raw)) }],
  ['|b1', { size: 1, toFloat32: (raw) => Float32Array.from(new Uint8Array(raw), (b) => (b === 0 ? 0 : 1)) }],
  ['<i4', { size: 4, toFloat32: (raw) => Float32Array.from(new Int32Array(raw)) }],
  ['<i8', { size: 8, toFloat32: (raw) => Float32Array.from(new BigInt64Array(raw), (v) => Number(v)) }],
]);

/** The header dictionary of an NPY file and where its data starts. */
interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataStart: number;
}

/** Parses the magic, version and header dictionary (a Python literal) of NPY format 1.0, 2.0 or 3.0. */
function readHeader(path: string, bytes: Buffer): NpyHeader {
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== MAGIC) {
    throw new UserError(`${path}: not an NPY file (it does not start with \\x93NUMPY)`);
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw new UserError(`${path}: NPY format version ${major}.${bytes[7]} is not supported`);
  const lengthBytes = major === 1 ? 2 : 4;
  const start = 8 + lengthBytes;
  if (bytes.length < start) throw new UserError(`${path}: truncated NPY file (no header)`);
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const dataStart = start + headerLength;
  if (bytes.length < dataStart) throw new UserError(`${path}: truncated NPY file (header cut short)`);
  const text = bytes.toString(major === 3 ? 'utf8' : 'latin1', start, dataStart);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (descr === null || fortran === null || shape === null) {
    throw new UserError(`${path}: malformed NPY header ${quoted(text.trim())}`);
  }
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!dims.every((s) => /^\d+$/.test(s))) throw new UserError(`${path}: malformed NPY shape (${escaped(shape[1])})`);
  // Beyond 2^53 a dimension would be rounded (a shape such as (2^53 + 1, 0) holds no data to contradict it).
  const sizes = dims.map(Number);
  if (!sizes.every(Number.isSafeInteger)) throw new UserError(`${path}: NPY shape (${escaped(dims.join(', '))}) has a dimension beyond 2^53 - 1`);
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: sizes, dataStart };
}

/**
 * An array from an NPY file (format 1.0, 2.0 or 3.0; gzipped or not), converted to float32: 2-D n x d gives
 * examples n x d; 3-D n x h x w gives examples n x (h*w) and imageShape [h, w]. Dtypes <f4, <f8, |u1, |b1, <i4,
 * <i8, C order only, dimensions and values per example up to 2^53 - 1. Anything else is a UserError naming the
 * file, the file's text quoted with its control characters escaped.
 */
export function loadNpy(path: string): Dataset {
  const bytes = readDataFile(path);
  const { descr, fortranOrder, shape, dataStart } = readHeader(path, bytes);
  const dtype = DTYPES.get(descr);
  if (dtype === undefined) {
    throw new UserError(`${path}: dtype '${escaped(descr)}' is not supported (use one of ${[...DTYPES.keys()].join(', ')})`);
  }
  if (fortranOrder) {
    throw new UserError(`${path}: Fortran-order arrays are not supported; save np.ascontiguousarray(x) instead`);
  }
  if (shape.length !== 2 && shape.length !== 3) {
    throw new UserError(`${path}: expected a 2-D (n, d) or 3-D (n, h, w) array, got shape (${shape.join(', ')})`);
  }
  // Only an array of no examples can claim examples this large (its data would not fit in memory otherwise).
  if (!Number.isSafeInteger(shape.slice(1).reduce((a, b) => a * b, 1))) {
    throw new UserError(`${path}: shape (${shape.join(', ')}) has more than 2^53 values per example`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const actual = bytes.length - dataStart;
  if (actual !== count * dtype.size) {
    throw new UserError(
      `${path}: ${actual < count * dtype.size ? 'truncated NPY file' : 'NPY file too long'}: shape ` +
        `(${shape.join(', ')}) of ${descr} needs ${count * dtype.size} data bytes, the file has ${actual}`,
    );
  }
  // A copy starting at offset 0 of its own buffer, so that typed-array views are aligned.
  const data = dtype.toFloat32(new Uint8Array(bytes.subarray(dataStart)).buffer);
  const [n, ...rest] = shape;
  const examples = { data, rows: n, cols: rest.reduce((a, b) => a * b, 1) };
  return shape.length === 3 ? { name: path, examples, imageShape: [shape[1], shape[2]] } : { name: path, examples };
}

/**
 * The NPY format 1.0 bytes of `m` as a little-endian float32 (<f4) C-order array of `shape` (default
 * [rows, cols]; any shape with rows * cols elements, e.g. [n, 28, 28]).
 */
export function encodeNpy(m: Matrix, shape: readonly number[] = [m.rows, m.cols]): Uint8Array {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || shape.reduce((a, b) => a * b, 1) !== m.data.length) {
    throw new Error(`encodeNpy: shape [${shape.join(', ')}] does not hold ${m.rows} x ${m.cols} values`);
  }
  const shapeText = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shapeText}), }`;
  // Magic (6) + version (2) + header length (2) + dictionary, padded with spaces and ended by '\n' to 64 bytes.
  const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const out = new Uint8Array(10 + headerLength + m.data.byteLength);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerLength, true);
  out.set(Buffer.from(dict.padEnd(headerLength - 1, ' ') + '\n', 'latin1'), 10);
  out.set(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength), 10 + headerLength);
  return out;
}

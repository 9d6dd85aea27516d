/**
 * The safetensors format (https://github.com/huggingface/safetensors), without any file system access:
 *
 *   bytes 0..8        N, the header length, an unsigned 64-bit little-endian integer
 *   bytes 8..8+N      the header: UTF-8 JSON, padded with spaces so that 8+N is a multiple of 8
 *   bytes 8+N..       the data section: each tensor's raw little-endian values, row-major, without gaps
 *
 * The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (byte offsets from the
 * start of the data section), plus an optional "__metadata__" object of string values.
 */
import { UserError } from '../errors.js';
import { escaped, quoted } from '../quote.js';

/** A tensor as stored in a safetensors file: `data` holds prod(shape) values, row-major. */
export type NamedTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'F64'; shape: number[]; data: Float64Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array }
  | { dtype: 'I64'; shape: number[]; data: BigInt64Array }
  | { dtype: 'U8'; shape: number[]; data: Uint8Array };

/** The dtypes that can be written; reading also accepts F16 and BF16 (returned as F32). */
export type SafetensorsDtype = NamedTensor['dtype'];

/** The contents of a safetensors file. */
export interface SafetensorsContents {
  tensors: Record<string, NamedTensor>;
  metadata: Record<string, string>;
}

type TypedArray = NamedTensor['data'];

interface DtypeInfo {
  /** Bytes per element. */
  size: number;
  /** Position in the Rust reference's `Dtype` enum; the writer lays out tensors by descending rank, then name. */
  rank: number;
  /** A typed array over `bytes`, which must be aligned to `size` (decoding copies them into a fresh buffer). */
  view: (bytes: Uint8Array) => TypedArray;
  isData: (data: TypedArray) => boolean;
}

const DTYPES: Record<SafetensorsDtype, DtypeInfo> = {
  I64: {
    size: 8,
    rank: 13,
    view: (b) => new BigInt64Array(b.buffer, b.byteOffset, b.length / 8),
    isData: (d) => d instanceof BigInt64Array,
  },
  F64: {
    size: 8,
    rank: 12,
    view: (b) => new Float64Array(b.buffer, b.byteOffset, b.length / 8),
    isData: (d) => d instanceof Float64Array,
  },
  F32: {
    size: 4,
    rank: 11,
    view: (b) => new Float32Array(b.buffer, b.byteOffset, b.length / 4),
    isData: (d) => d instanceof Float32Array,
  },
  I32: {
    size: 4,
    rank: 9,
    view: (b) => new Int32Array(b.buffer, b.byteOffset, b.length / 4),
    isData: (d) => d instanceof Int32Array,
  },
  U8: { size: 1, rank: 1, view: (b) => b, isData: (d) => d instanceof Uint8Array },
};

/** Half-precision dtypes that are read (as F32) but not written. */
const HALF_DTYPES = ['F16', 'BF16'] as const;
type HalfDtype = (typeof HALF_DTYPES)[number];

/** The reference reader refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the byte order of each `size`-byte element of `bytes`, in place (for big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    bytes.subarray(i, i + size).reverse();
  }
}

function isDtype(s: string): s is SafetensorsDtype {
  return Object.hasOwn(DTYPES, s);
}

function isHalfDtype(s: string): s is HalfDtype {
  return (HALF_DTYPES as readonly string[]).includes(s);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Whether `x` is a count: a non-negative safe integer. */
export function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Throws Error unless `t` can be written: a known dtype, data of the matching array type, prod(shape) values. */
function checkTensor(name: string, t: NamedTensor): void {
  if (name === '__metadata__') throw new Error('safetensors: "__metadata__" is not a valid tensor name');
  const info = Object.hasOwn(DTYPES, t.dtype) ? DTYPES[t.dtype] : undefined;
  if (info === undefined) throw new Error(`safetensors: tensor "${name}" has unknown dtype "${String(t.dtype)}"`);
  if (!info.isData(t.data)) {
    throw new Error(`safetensors: tensor "${name}" is ${t.dtype} but its data is a ${t.data.constructor.name}`);
  }
  if (!t.shape.every(isCount) || product(t.shape) !== t.data.length) {
    const shape = t.shape.join(', ');
    throw new Error(`safetensors: tensor "${name}" has ${t.data.length} values, which does not fit shape [${shape}]`);
  }
}

/**
 * Serialises `tensors` (and string `metadata`) as a safetensors file, laid out as the Rust reference does:
 * tensors sorted by descending dtype alignment then by name, no gaps, header padded with spaces to a multiple
 * of 8 bytes, so every tensor starts at a multiple of its element size. Throws Error on a tensor whose data
 * does not match its dtype or shape.
 */
export function encodeSafetensors(
  tensors: Record<string, NamedTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  for (const [name, t] of Object.entries(tensors)) checkTensor(name, t);
  const entries = Object.entries(tensors).sort(([nameA, a], [nameB, b]) => {
    const byRank = DTYPES[b.dtype].rank - DTYPES[a.dtype].rank;
    return byRank !== 0 ? byRank : nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
  });

  // The JSON is assembled by hand: a JS object would move integer-like names ("0", "1") to the front.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const fields = Object.keys(metadata)
      .sort()
      .map((key) => {
        const value = metadata[key];
        if (typeof value !== 'string') throw new Error(`safetensors: metadata "${key}" is not a string`);
        return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
      });
    parts.push(`"__metadata__":{${fields.join(',')}}`);
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.data.byteLength;
    const fields = `"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]`;
    parts.push(`${JSON.stringify(name)}:{${fields}}`);
    offset = end;
  }

  const json = `{${parts.join(',')}}`;
  const jsonBytes = new TextEncoder().encode(json);
  const headerLength = Math.ceil(jsonBytes.length / 8) * 8;
  const dataStart = 8 + headerLength;
  const out = new Uint8Array(dataStart + offset);
  out.set(jsonBytes, 8);
  out.fill(0x20, 8 + jsonBytes.length, dataStart);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  let at = dataStart;
  for (const [, t] of entries) {
    const bytes = out.subarray(at, at + t.data.byteLength);
    bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    if (!LITTLE_ENDIAN) swapBytes(bytes, DTYPES[t.dtype].size);
    at += t.data.byteLength;
  }
  return out;
}

/** F16 bit pattern to its value. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** F16 or BF16 little-endian bytes to float32 values (both convert exactly). */
function decodeHalf(dtype: HalfDtype, bytes: Uint8Array): Float32Array {
  const n = bytes.length / 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
  } else {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  }
  return out;
}

interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype | HalfDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Checks one header entry against the format; `dataLength` is the size of the data section. */
function parseEntry(source: string, name: string, value: unknown, dataLength: number): TensorEntry {
  const where = `${source}: tensor ${quoted(name)}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${where}: header entry is not an object`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new UserError(`${where}: "dtype" is missing or not a string`);
  if (!isDtype(dtype) && !isHalfDtype(dtype)) {
    const known = [...Object.keys(DTYPES), ...HALF_DTYPES].join(', ');
    throw new UserError(`${where}: unsupported dtype ${quoted(dtype)} (supported: ${known})`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new UserError(`${where}: "shape" must be an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new UserError(`${where}: "data_offsets" must be [begin, end] with non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new UserError(`${where}: data_offsets [${begin}, ${end}] lie outside the ${dataLength}-byte data section`);
  }
  const size = isDtype(dtype) ? DTYPES[dtype].size : 2;
  const needed = product(shape) * size;
  if (end - begin !== needed) {
    const what = `${dtype} [${shape.join(', ')}]`;
    throw new UserError(`${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes; ${what} needs ${needed}`);
  }
  return { name, dtype, shape, begin, end };
}

function parseMetadata(source: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`${source}: "__metadata__" is not an object`);
  }
  const entries: [string, string][] = [];
  for (const [key, v] of Object.entries(value) as [string, unknown][]) {
    if (typeof v !== 'string') throw new UserError(`${source}: metadata ${quoted(key)} is not a string`);
    entries.push([key, v]);
  }
  return Object.fromEntries(entries);
}

/**
 * Parses a safetensors file held in `bytes`. Values are copied into fresh (aligned) typed arrays; F16 and BF16
 * tensors come back as F32. The reference reader's checks apply: the tensors must tile the data section exactly,
 * in offset order, without gaps, overlaps or trailing bytes. Throws UserError("<source>: ...") on any defect.
 */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsContents {
  if (bytes.length < 8) {
    throw new UserError(`${source}: ${bytes.length} bytes is too short for a safetensors file (8-byte header length)`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new UserError(
      `${source}: header length ${headerLength} exceeds the ${bytes.length}-byte file: not a safetensors file?`,
    );
  }
  const n = Number(headerLength);
  if (n > MAX_HEADER_BYTES) throw new UserError(`${source}: header of ${n} bytes is larger than 100 MB`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new UserError(`${source}: header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    // V8 quotes the offending text, control characters included: escape them.
    throw new UserError(`${source}: header is not valid JSON (${escaped((e as Error).message)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new UserError(`${source}: header is not a JSON object`);
  }

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') metadata = parseMetadata(source, value);
    else entries.push(parseEntry(source, name, value, dataLength));
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of entries) {
    if (e.begin !== covered) {
      const what = e.begin < covered ? 'overlaps the tensor before it' : `leaves a gap after byte ${covered}`;
      throw new UserError(`${source}: tensor ${quoted(e.name)} at data_offsets [${e.begin}, ${e.end}] ${what}`);
    }
    covered = e.end;
  }
  if (covered !== dataLength) {
    throw new UserError(
      `${source}: tensors cover ${covered} bytes of the ${dataLength}-byte data section (truncated or trailing bytes)`,
    );
  }

  const tensors = entries.map((e): [string, NamedTensor] => {
    // A copy in a fresh, hence aligned, buffer (Buffer#slice would return a view: use the constructor).
    const raw = new Uint8Array(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    if (isHalfDtype(e.dtype)) return [e.name, { dtype: 'F32', shape: e.shape, data: decodeHalf(e.dtype, raw) }];
    if (!LITTLE_ENDIAN) swapBytes(raw, DTYPES[e.dtype].size);
    return [e.name, { dtype: e.dtype, shape: e.shape, data: DTYPES[e.dtype].view(raw) } as NamedTensor];
  });
  return { tensors: Object.fromEntries(tensors), metadata };
}

/**
 * Seeded mutations of loader inputs, for the fuzz test of the loaders (`loaders.test.ts`): generic byte-level
 * mutations and structured ones per format (safetensors, NPY, IDX, CSV). Every mutation is a pure function of
 * its input and a `RandomStream`, so a mutant is reproduced from its seed alone. A mutation returns undefined
 * when it does not apply to its input (a structured edit of bytes that no longer parse); the caller then falls
 * back to a byte-level one.
 */
import { gzipSync } from 'node:zlib';
import { RandomStream } from '../../src/random/stream.js';

/** A mutation: `input` changed as `rng` draws, or undefined when it does not apply. */
export type Mutation = (input: Uint8Array, rng: RandomStream) => Uint8Array | undefined;

/** A named mutation, for the report of a failure. */
export interface NamedMutation {
  readonly name: string;
  readonly apply: Mutation;
}

/** One element of `items`, uniformly. */
export function pick<T>(rng: RandomStream, items: readonly T[]): T {
  return items[rng.int(0, items.length - 1)];
}

/** One element of `items`, uniformly; undefined when there is none. */
function pickAny<T>(rng: RandomStream, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : pick(rng, items);
}

/** Bytes that tend to matter to parsers: zero, all ones, the sign bits, digits, JSON and CSV punctuation. */
export const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x30, 0x31, 0x39, 0x2d, 0x2e, 0x7b, 0x7d, 0x22, 0x27, 0x0a, 0x0d, 0x2c, 0x5b, 0x5d, 0x20, 0x1b, 0x85];

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A chunk [begin, end) of `input`, 1 to `max` bytes long (empty for an empty input). */
function chunk(input: Uint8Array, rng: RandomStream, max: number): [number, number] {
  if (input.length === 0) return [0, 0];
  const begin = rng.int(0, input.length - 1);
  return [begin, Math.min(input.length, begin + rng.int(1, max))];
}

/** The generic mutations, for bytes of any format. */
export const BYTE_MUTATIONS: readonly NamedMutation[] = [
  {
    name: 'bit flips',
    apply: (input, rng) => {
      if (input.length === 0) return undefined;
      const out = input.slice();
      for (let n = rng.int(1, 4); n > 0; n--) out[rng.int(0, out.length - 1)] ^= 1 << rng.int(0, 7);
      return out;
    },
  },
  {
    name: 'interesting bytes',
    apply: (input, rng) => {
      if (input.length === 0) return undefined;
      const out = input.slice();
      for (let n = rng.int(1, 4); n > 0; n--) out[rng.int(0, out.length - 1)] = pick(rng, INTERESTING_BYTES);
      return out;
    },
  },
  { name: 'truncation', apply: (input, rng) => input.slice(0, rng.int(0, Math.max(0, input.length - 1))) },
  {
    name: 'insertion',
    apply: (input, rng) => {
      const at = rng.int(0, input.length);
      const inserted = Uint8Array.from({ length: rng.int(1, 16) }, () => (rng.uniform() < 0.5 ? pick(rng, INTERESTING_BYTES) : rng.int(0, 255)));
      return concat(input.subarray(0, at), inserted, input.subarray(at));
    },
  },
  {
    name: 'duplicated chunk',
    apply: (input, rng) => {
      const [begin, end] = chunk(input, rng, 64);
      const at = rng.int(0, input.length);
      return concat(input.subarray(0, at), input.slice(begin, end), input.subarray(at));
    },
  },
  {
    name: 'deleted chunk',
    apply: (input, rng) => {
      const [begin, end] = chunk(input, rng, 32);
      return concat(input.subarray(0, begin), input.subarray(end));
    },
  },
];

/** Numbers for header fields: zero, one, around 2^31, 2^32 and 2^53, huge, negative, fractional. */
export const INTERESTING_NUMBERS = [0, 1, 2, 3, -1, -4, 0.5, 1.5, 255, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e300];

/* ----------------------------------------------------------------------------------------------------------
 * safetensors
 * ------------------------------------------------------------------------------------------------------- */

/** Marks a JSON string as raw JSON text in `stringifyRaw` (for tokens JSON.stringify cannot write: 1e999, -0). */
const raw = (text: string): string => `@@RAW@@${text}@@`;
const stringifyRaw = (value: unknown): string => JSON.stringify(value).replace(/"@@RAW@@(.*?)@@"/g, '$1');

/** A safetensors file split into its header (parsed) and data section; undefined when it does not parse. */
function splitSafetensors(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } | undefined {
  if (bytes.length < 8) return undefined;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > bytes.length - 8) return undefined;
  try {
    const header: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
    return { header: header as Record<string, unknown>, data: bytes.subarray(8 + n) };
  } catch {
    return undefined;
  }
}

/** A safetensors file of header JSON `json` and `data`, the header padded to a multiple of 8 bytes. */
export function joinSafetensors(json: string, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(json);
  const length = Math.ceil(text.length / 8) * 8;
  const out = new Uint8Array(8 + length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(length), true);
  out.fill(0x20, 8, 8 + length);
  out.set(text, 8);
  out.set(data, 8 + length);
  return out;
}

/** Values for the shape of a tensor: huge, zero, empty, negative, fractional, strings, another rank. */
const SHAPES: readonly unknown[] = [[2 ** 32, 2 ** 32], [2 ** 53, 2 ** 53], [2 ** 31, 2], [0], [0, 4], [4, 0], [], [-1, 3], [-4], [1.5, 2], ['4', 3], [1, 1, 1], [1], [2], [3], [4], [12], [3, 4], [4, 3], [2, 6], [1, 12], [raw('1e999'), 1], [raw('-0'), 4], null, '3,4', {}, [[3], [4]]];

/** Values for dtypes: every known one, unknown ones, other types. */
const DTYPES: readonly unknown[] = ['F32', 'F64', 'F16', 'BF16', 'I32', 'I64', 'U8', 'I8', 'BOOL', 'F8_E4M3', 'f32', '', 'F32\n', '__proto__', 4, null, ['F32']];

/** Values for data_offsets. */
const OFFSETS: readonly unknown[] = [[0, 0], [0, 2 ** 53], [0, 2 ** 64], [2 ** 32, 2 ** 32 + 4], [-4, 0], [0, -4], [4, 0], [0], [0, 4, 8], [0, 4], [0, 12], [0, 48], [1, 49], [raw('1e999'), 0], [0.5, 4.5], '0,4', null, {}];

/** Tensor names: those of the models, neighbours, control characters, prototype keys. */
const TENSOR_NAMES = ['weights', 'visible_bias', 'hidden_bias', 'visible_log_std', 'weights_0', 'weights_1', 'weights_2', 'weights_9', 'visible_bias_0', 'visible_bias_1', 'hidden_bias_0', 'hidden_bias_1', 'bias_0', 'bias_1', 'bias_2', '__proto__', 'constructor', 'toString', '', 'weights\n\u001b[31m', '\u0085\u2028', 'w'.repeat(300)];

/** Values for the metadata that model files use, by key, and for any key. */
const UNIT_NAMES = ['bernoulli', 'gaussian', 'spin', 'relu', 'softmax:2', 'softmax:3', 'softmax:4', 'softmax:0', 'softmax:1', 'softmax:', 'softmax:-2', 'softmax:2.5', 'softmax:99999999999999999999', `softmax:${'9'.repeat(400)}`, 'binomial:2', 'binomial:3', 'binomial:1', 'binomial:0', 'binomial:1000', 'binomial:65537', 'binomial:100000000', `binomial:${'9'.repeat(400)}`, 'Bernoulli', ' bernoulli', 'bernoulli\n', '\u001b[2Jbernoulli', 'toString', '__proto__', 'constructor', ''];
const METADATA_VALUES: Readonly<Record<string, readonly string[]>> = {
  format: ['boltzmann/1', 'boltzmann/2', 'boltzmann/1 ', '', 'pt\u0000'],
  kind: ['rbm', 'dbn', 'dbm', 'mlp', 'RBM', 'vae', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'rbm\n'],
  visible: UNIT_NAMES,
  hidden: UNIT_NAMES,
  epochs_trained: ['0', '7', '-1', '1.5', '1e3', '0x10', ' 7', '007', '99999999999999999999', '9007199254740993', '[]', '[0]', '[1,2]', '[0,0,0]', '[-1,2]', '[1.5,2]', '[1e999,1]', '["1",2]', '[9007199254740993,1]', '{}', 'NaN', 'Infinity', ''],
  layers: ['[4,3,2]', '[4,3]', '[4,3,2,1]', '[4, 3, 2]', '[]', '[4,"3",2]', '[-4,3,2]', '[4.0,3,2]', 'null', '', '[4,3,2'],
  sizes: ['[4,3,2]', '[4,3]', '[4,3,2,1]', '[]', 'null', '', '[4,3,2'],
  activations: ['["sigmoid","linear"]', '["relu","linear"]', '["tanh","tanh"]', '["linear"]', '["sigmoid","linear","linear"]', '[]', '["softmax","linear"]', '["sigmoid",1]', 'sigmoid', 'null', '', '{}', '["__proto__","linear"]'],
  training: ['{}', '{"epochs":3}', '', '\u001b[31m', 'x'.repeat(2000)],
  seed: ['0', '-1', 'seed'],
};
const METADATA_KEYS = Object.keys(METADATA_VALUES);

/** The entries of `header` that are tensors (every key but __metadata__). */
const tensorNames = (header: Record<string, unknown>): string[] => Object.keys(header).filter((k) => k !== '__metadata__');

/** A metadata object of `header` to edit (created when absent or not an object). */
function metadataOf(header: Record<string, unknown>): Record<string, unknown> {
  const m = header.__metadata__;
  if (typeof m === 'object' && m !== null && !Array.isArray(m)) return m as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  header.__metadata__ = fresh;
  return fresh;
}

/** Edits of a parsed safetensors header (in place); false when the edit does not apply. */
const HEADER_EDITS: readonly { name: string; edit: (header: Record<string, unknown>, rng: RandomStream) => boolean }[] = [
  { name: 'header: shape', edit: (h, rng) => editEntry(h, rng, (e) => (e.shape = pick(rng, SHAPES))) },
  { name: 'header: dtype', edit: (h, rng) => editEntry(h, rng, (e) => (e.dtype = pick(rng, DTYPES))) },
  { name: 'header: data_offsets', edit: (h, rng) => editEntry(h, rng, (e) => (e.data_offsets = pick(rng, OFFSETS))) },
  {
    name: 'header: one offset',
    edit: (h, rng) =>
      editEntry(h, rng, (e) => {
        if (!Array.isArray(e.data_offsets)) return;
        e.data_offsets[rng.int(0, 1)] = pick(rng, INTERESTING_NUMBERS);
      }),
  },
  { name: 'header: field removed', edit: (h, rng) => editEntry(h, rng, (e) => delete e[pick(rng, ['shape', 'dtype', 'data_offsets'])]) },
  { name: 'header: extra field', edit: (h, rng) => editEntry(h, rng, (e) => (e[pick(rng, ['extra', '__proto__', 'shape '])] = pick(rng, SHAPES))) },
  {
    name: 'header: entry not an object',
    edit: (h, rng) => {
      const names = tensorNames(h);
      if (names.length === 0) return false;
      h[pick(rng, names)] = pick(rng, [null, 3, 'F32', [1, 2], true]);
      return true;
    },
  },
  {
    name: 'header: entry renamed',
    edit: (h, rng) => {
      const names = tensorNames(h);
      if (names.length === 0) return false;
      const from = pick(rng, names);
      const to = pick(rng, TENSOR_NAMES);
      if (to === from) return false;
      const entry = h[from];
      delete h[from];
      h[to] = entry;
      return true;
    },
  },
  {
    name: 'header: entry removed',
    edit: (h, rng) => {
      const names = tensorNames(h);
      if (names.length === 0) return false;
      delete h[pick(rng, names)];
      return true;
    },
  },
  {
    name: 'header: entry duplicated',
    edit: (h, rng) => {
      const names = tensorNames(h);
      if (names.length === 0) return false;
      h[pick(rng, TENSOR_NAMES)] = structuredClone(h[pick(rng, names)]);
      return true;
    },
  },
  {
    name: 'metadata: value',
    edit: (h, rng) => {
      const key = pick(rng, METADATA_KEYS);
      metadataOf(h)[key] = pick(rng, METADATA_VALUES[key]);
      return true;
    },
  },
  {
    name: 'metadata: value not a string',
    edit: (h, rng) => {
      metadataOf(h)[pick(rng, METADATA_KEYS)] = pick(rng, [1, null, true, {}, ['rbm'], raw('1e999')]);
      return true;
    },
  },
  {
    name: 'metadata: key removed',
    edit: (h, rng) => {
      delete metadataOf(h)[pick(rng, METADATA_KEYS)];
      return true;
    },
  },
  {
    name: 'metadata: odd key',
    edit: (h, rng) => {
      metadataOf(h)[pick(rng, ['__proto__', 'constructor', '', '\u0000', 'kind\n'])] = pick(rng, ['rbm', 'x']);
      return true;
    },
  },
  {
    name: 'metadata: not an object',
    edit: (h, rng) => {
      h.__metadata__ = pick(rng, [null, [], 'rbm', 3, [['kind', 'rbm']]]);
      return true;
    },
  },
  {
    name: 'header: not an object',
    edit: (h, rng) => {
      for (const k of Object.keys(h)) delete h[k];
      h[''] = pick(rng, [[], null, 'x']);
      return true;
    },
  },
];

/** Applies `change` to one tensor entry of `header` (an object); false when there is none. */
function editEntry(header: Record<string, unknown>, rng: RandomStream, change: (entry: Record<string, unknown>) => unknown): boolean {
  const names = tensorNames(header).filter((k) => typeof header[k] === 'object' && header[k] !== null && !Array.isArray(header[k]));
  if (names.length === 0) return false;
  change(header[pick(rng, names)] as Record<string, unknown>);
  return true;
}

/** Values of the 8-byte header length: zero, small, around the true one, beyond the file, "negative". */
function headerLengths(bytes: Uint8Array): bigint[] {
  const n = bytes.length >= 8 ? new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true) : 0n;
  return [0n, 1n, 2n, 7n, n - 1n, n + 1n, n + 8n, BigInt(bytes.length - 8), BigInt(bytes.length - 7), 100_000_001n, 2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n - 8n].filter((v) => v >= 0n);
}

/** Float bit patterns for the data section: NaN, infinities, -0, the largest and smallest floats. */
const FLOAT_PATTERNS = [NaN, Infinity, -Infinity, -0, 3.4028234663852886e38, 1.401298464324817e-45, -1e30];

/** A tensor of a safetensors file as bytes: what `relayout` writes. */
interface RawTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** The tensors of a safetensors file in header order, and its metadata; undefined when it does not parse as one. */
function rawTensors(input: Uint8Array): { tensors: RawTensor[]; metadata: unknown } | undefined {
  const parts = splitSafetensors(input);
  if (parts === undefined) return undefined;
  const tensors: RawTensor[] = [];
  for (const [name, entry] of Object.entries(parts.header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Array.isArray(shape) || !Array.isArray(offsets)) return undefined;
    const [begin, end] = offsets as number[];
    if (!(Number.isSafeInteger(begin) && Number.isSafeInteger(end) && begin >= 0 && begin <= end && end <= parts.data.length)) return undefined;
    tensors.push({ name, dtype, shape: shape as number[], bytes: parts.data.slice(begin, end) });
  }
  return { tensors, metadata: parts.header.__metadata__ };
}

/** A valid safetensors layout of `tensors` (header in their order, data in `order`, default the same) with `metadata`. */
function relayout(tensors: readonly RawTensor[], metadata: unknown, order: readonly number[] = tensors.map((_, i) => i)): Uint8Array {
  const offsets = new Map<number, [number, number]>();
  let at = 0;
  for (const i of order) {
    offsets.set(i, [at, at + tensors[i].bytes.length]);
    at += tensors[i].bytes.length;
  }
  const fields = tensors.map((t, i) => `${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: offsets.get(i) })}`);
  const json = `{${metadata === undefined ? '' : `"__metadata__":${stringifyRaw(metadata)}${fields.length > 0 ? ',' : ''}`}${fields.join(',')}}`;
  return joinSafetensors(json, concat(...order.map((i) => tensors[i].bytes)));
}

/** Float32 little-endian bytes as the values of another dtype (F64, BF16 by truncation, I32 and U8 rounded). */
function convertF32(bytes: Uint8Array, dtype: string): Uint8Array {
  const values = new Float32Array(bytes.slice(0, bytes.length - (bytes.length % 4)).buffer);
  if (dtype === 'F64') return new Uint8Array(Float64Array.from(values).buffer);
  if (dtype === 'BF16') return new Uint8Array(Uint16Array.from(new Uint32Array(values.buffer), (bits) => bits >>> 16).buffer);
  if (dtype === 'I32') return new Uint8Array(Int32Array.from(values, Math.round).buffer);
  return Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round(v))));
}

/** Edits of the tensors of a file that keep it a valid safetensors file: what the model checks must catch. */
const TENSOR_EDITS: readonly { name: string; edit: (tensors: RawTensor[], rng: RandomStream) => boolean }[] = [
  {
    name: 'tensors: reshaped',
    edit: (tensors, rng) => {
      const t = pick(rng, tensors);
      const n = t.shape.reduce((a, b) => a * b, 1);
      t.shape = pick(rng, [[n], [1, n], [n, 1], [...t.shape].reverse(), [1, ...t.shape], [...t.shape, 1], [0, ...t.shape]]);
      if (t.shape[0] === 0) t.bytes = new Uint8Array(0);
      return true;
    },
  },
  {
    name: 'tensors: converted',
    edit: (tensors, rng) => {
      const t = pickAny(rng, tensors.filter((x) => x.dtype === 'F32'));
      if (t === undefined) return false;
      t.dtype = pick(rng, ['F64', 'BF16', 'I32', 'U8']);
      t.bytes = convertF32(t.bytes, t.dtype);
      return true;
    },
  },
  {
    name: 'tensors: F16 of random bits',
    edit: (tensors, rng) => {
      const t = pickAny(rng, tensors.filter((x) => x.dtype === 'F32'));
      if (t === undefined) return false;
      t.dtype = 'F16';
      t.bytes = Uint8Array.from({ length: t.bytes.length / 2 }, () => (rng.uniform() < 0.2 ? pick(rng, [0x7c, 0xfc, 0x7e, 0x00]) : rng.int(0, 255)));
      return true;
    },
  },
  {
    name: 'tensors: resized',
    edit: (tensors, rng) => {
      const t = pickAny(rng, tensors.filter((x) => x.dtype === 'F32'));
      if (t === undefined) return false;
      const k = rng.int(0, t.shape.length - 1);
      t.shape[k] = Math.max(0, t.shape[k] + pick(rng, [-1, 1, 2]));
      const n = t.shape.reduce((a, b) => a * b, 1);
      t.bytes = new Uint8Array(Float32Array.from({ length: n }, () => rng.normal()).buffer);
      return true;
    },
  },
  {
    name: 'tensors: dropped',
    edit: (tensors, rng) => {
      if (tensors.length === 0) return false;
      tensors.splice(rng.int(0, tensors.length - 1), 1);
      return true;
    },
  },
  {
    name: 'tensors: added',
    edit: (tensors, rng) => {
      const shape = pick(rng, [[2], [3], [4], [4, 3], [3, 2], [2, 2], [4, 4], [0]]);
      const n = shape.reduce((a, b) => a * b, 1);
      const name = pick(rng, TENSOR_NAMES);
      if (tensors.some((t) => t.name === name)) return false;
      tensors.push({ name, dtype: 'F32', shape, bytes: new Uint8Array(Float32Array.from({ length: n }, () => rng.normal()).buffer) });
      return true;
    },
  },
];

/** The safetensors mutations: header length, header JSON edits, data values. */
export const SAFETENSORS_MUTATIONS: readonly NamedMutation[] = [
  {
    name: 'header length',
    apply: (input, rng) => {
      if (input.length < 8) return undefined;
      const out = input.slice();
      new DataView(out.buffer).setBigUint64(0, pick(rng, headerLengths(input)), true);
      return out;
    },
  },
  ...HEADER_EDITS.map(({ name, edit }) => ({
    name,
    apply: (input: Uint8Array, rng: RandomStream) => {
      const parts = splitSafetensors(input);
      if (parts === undefined || !edit(parts.header, rng)) return undefined;
      const json = stringifyRaw(parts.header);
      // Mostly a consistent header length, sometimes the JSON without its padding or with trailing garbage.
      const style = rng.int(0, 9);
      if (style === 0) {
        const text = new TextEncoder().encode(json);
        const out = new Uint8Array(8 + text.length + parts.data.length);
        new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
        out.set(text, 8);
        out.set(parts.data, 8 + text.length);
        return out;
      }
      if (style === 1) return joinSafetensors(`${json}${pick(rng, ['}', ']', ',', '\u0000', '{"a":1}'])}`, parts.data);
      return joinSafetensors(json, parts.data);
    },
  })),
  ...TENSOR_EDITS.map(({ name, edit }) => ({
    name,
    apply: (input: Uint8Array, rng: RandomStream) => {
      const file = rawTensors(input);
      if (file === undefined || file.tensors.length === 0 || !edit(file.tensors, rng)) return undefined;
      // The data section in header order or another (the format allows any, without gaps).
      const order = rng.uniform() < 0.7 ? undefined : Array.from(rng.permutation(file.tensors.length));
      return relayout(file.tensors, file.metadata, order);
    },
  })),
  {
    name: 'data: float value',
    apply: (input, rng) => {
      const parts = splitSafetensors(input);
      if (parts === undefined || parts.data.length < 4) return undefined;
      const out = input.slice();
      const at = out.length - parts.data.length + 4 * rng.int(0, Math.floor(parts.data.length / 4) - 1);
      new DataView(out.buffer).setFloat32(at, pick(rng, FLOAT_PATTERNS), true);
      return out;
    },
  },
  {
    name: 'data: appended or dropped bytes',
    apply: (input, rng) => {
      const parts = splitSafetensors(input);
      if (parts === undefined) return undefined;
      const n = pick(rng, [-8, -4, -1, 1, 4, 8]);
      return n < 0 ? input.slice(0, Math.max(0, input.length + n)) : concat(input, new Uint8Array(n));
    },
  },
];

/* ----------------------------------------------------------------------------------------------------------
 * NPY
 * ------------------------------------------------------------------------------------------------------- */

/** An NPY file split into its version, header text (latin1) and data; undefined when its prefix is broken. */
function splitNpy(bytes: Uint8Array): { major: number; text: string; data: Uint8Array } | undefined {
  if (bytes.length < 10) return undefined;
  const major = bytes[6];
  if (major < 1 || major > 3) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) return undefined;
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < start + length) return undefined;
  return { major, text: Buffer.from(bytes.subarray(start, start + length)).toString('latin1'), data: bytes.subarray(start + length) };
}

/** An NPY file of format `major` with header `text` (padded as NumPy does) and `data`. */
export function joinNpy(major: number, text: string, data: Uint8Array): Uint8Array {
  const start = major === 1 ? 10 : 12;
  const body = text.replace(/\s*$/, '');
  const length = Math.ceil((start + body.length + 1) / 64) * 64 - start;
  const header = Buffer.from(body.padEnd(length - 1, ' ') + '\n', 'latin1');
  const out = new Uint8Array(start + header.length + data.length);
  out.set(Buffer.from('\x93NUMPY', 'latin1'), 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, start);
  out.set(data, start + header.length);
  return out;
}

const NPY_DESCRS = ['<f4', '<f8', '|u1', '|b1', '<i4', '<i8', '>f4', '>i8', '<f2', '<u4', '|i1', 'O', '<U3', '<c8', '', 'f4', '<f4\n', '\u0085', '\u001b[31m'];
const NPY_SHAPES = ['(3, 4)', '(4, 3)', '(2, 2, 3)', '(12, 1)', '(1, 12)', '(0, 4)', '(3, 0)', '(0,)', '()', '(12,)', '(3, 4, 1, 1)', '(-3, 4)', '(3.5, 4)', '(1e3, 4)', '(0x3, 4)', '(3, 4', '(3,, 4)', '(4294967296, 4294967296)', '(99999999999999999999, 0)', '(9007199254740993, 1)', '(3\n, 4)', '(\u0085, 4)', '(3, 4L)'];

/** Edits of the header dictionary text of an NPY file. */
const NPY_TEXT_EDITS: readonly { name: string; edit: (text: string, rng: RandomStream) => string }[] = [
  { name: 'npy: descr', edit: (t, rng) => t.replace(/'descr'\s*:\s*'[^']*'/, `'descr': '${pick(rng, NPY_DESCRS)}'`) },
  { name: 'npy: shape', edit: (t, rng) => t.replace(/'shape'\s*:\s*\([^)]*\)/, `'shape': ${pick(rng, NPY_SHAPES)}`) },
  { name: 'npy: fortran_order', edit: (t, rng) => t.replace(/'fortran_order'\s*:\s*\w+/, `'fortran_order': ${pick(rng, ['True', 'False', 'false', '0', 'None'])}`) },
  { name: 'npy: key removed', edit: (t, rng) => t.replace(new RegExp(`'${pick(rng, ['descr', 'shape', 'fortran_order'])}'\\s*:`), "'gone':") },
  { name: 'npy: header text', edit: (t, rng) => pick(rng, ['', '{}', "{'descr': '<f4'}", 'not a dict', t.replace('{', ''), t + "'descr': '|u1', ", `${t}\u0000\u001b[31m\u0085`, 'x'.repeat(70_000)]) },
];

/** Random data bytes of `count` elements of NPY dtype `descr` (NaN and infinity bit patterns likely for floats). */
function npyData(descr: string, count: number, rng: RandomStream): Uint8Array {
  const size = { '<f4': 4, '<f8': 8, '|u1': 1, '|b1': 1, '<i4': 4, '<i8': 8 }[descr] ?? 1;
  const out = new Uint8Array(count * size);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform() < 0.3 ? pick(rng, [0x00, 0xff, 0x7f, 0x80]) : rng.int(0, 255);
  return out;
}

/** The NPY mutations: version byte, header length field, header dictionary edits, data consistent with a new shape. */
export const NPY_MUTATIONS: readonly NamedMutation[] = [
  {
    name: 'npy: version',
    apply: (input, rng) => {
      if (input.length < 8) return undefined;
      const out = input.slice();
      out[6] = pick(rng, [0, 1, 2, 3, 4, 255]);
      out[7] = pick(rng, [0, 1, 255]);
      return out;
    },
  },
  {
    name: 'npy: header length',
    apply: (input, rng) => {
      if (input.length < 12) return undefined;
      const out = input.slice();
      const view = new DataView(out.buffer);
      const value = pick(rng, [0, 1, 2, 63, 64, 65, 118, 0x7fff, 0x8000, 0xffff, 0x10000, 2 ** 31, 2 ** 32 - 1, input.length, input.length - 10]);
      if (out[6] === 1) view.setUint16(8, value & 0xffff, true);
      else view.setUint32(8, value >>> 0, true);
      return out;
    },
  },
  ...NPY_TEXT_EDITS.map(({ name, edit }) => ({
    name,
    apply: (input: Uint8Array, rng: RandomStream) => {
      const parts = splitNpy(input);
      if (parts === undefined) return undefined;
      const text = edit(parts.text, rng);
      const major = text.length > 65_000 || rng.uniform() < 0.2 ? pick(rng, [2, 3]) : parts.major;
      return joinNpy(major, text, parts.data);
    },
  })),
  {
    name: 'npy: consistent shape and dtype',
    apply: (input, rng) => {
      const parts = splitNpy(input);
      if (parts === undefined) return undefined;
      const descr = pick(rng, ['<f4', '<f8', '|u1', '|b1', '<i4', '<i8']);
      // Some hold no values: dimensions beyond 2^53 beside a 0 must still be refused, not rounded.
      const shape = pick(rng, [['3', '4'], ['2', '2', '3'], ['0', '4'], ['5', '0'], ['1', '1'], ['2', '3', '0'], ['7', '1', '1'], ['9007199254740993', '0'], ['0', '99999999999999999999'], ['4294967296', '4294967296', '0'], ['0', '4294967296', '4294967296']]);
      const text = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
      return joinNpy(parts.major, text, npyData(descr, shape.map(Number).reduce((a, b) => a * b, 1), rng));
    },
  },
];

/* ----------------------------------------------------------------------------------------------------------
 * IDX
 * ------------------------------------------------------------------------------------------------------- */

/** The IDX mutations: the magic number and the big-endian dimension fields. */
export const IDX_MUTATIONS: readonly NamedMutation[] = [
  {
    name: 'idx: dimension',
    apply: (input, rng) => {
      const fields = Math.floor((Math.min(input.length, 16) - 4) / 4);
      if (fields < 1) return undefined;
      const out = input.slice();
      const value = pick(rng, [0, 1, 2, 3, 4, 255, 256, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 0x01000000]);
      new DataView(out.buffer).setUint32(4 + 4 * rng.int(0, fields - 1), value >>> 0, false);
      return out;
    },
  },
  {
    name: 'idx: consistent dimensions',
    apply: (input, rng) => {
      if (input.length < 4) return undefined;
      const ndim = input[3];
      if (ndim < 1 || ndim > 3) return undefined;
      const dims = Array.from({ length: ndim }, () => pick(rng, [0, 0, 1, 2, 3, 5, 2 ** 32 - 1]));
      const size = dims.reduce((a, b) => a * b, 1);
      if (size > 4096) return undefined;
      const out = new Uint8Array(4 + 4 * ndim + size);
      out.set(input.subarray(0, 4));
      const view = new DataView(out.buffer);
      dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
      for (let i = 4 + 4 * ndim; i < out.length; i++) out[i] = rng.int(0, 255);
      return out;
    },
  },
  {
    name: 'idx: magic',
    apply: (input, rng) => {
      if (input.length < 4) return undefined;
      const out = input.slice();
      out[rng.int(0, 3)] = pick(rng, [0x00, 0x01, 0x03, 0x08, 0x09, 0x0d, 0xff, 0x1f, 0x8b]);
      return out;
    },
  },
];

/** `bytes` gzipped (what the data loaders detect by content). */
export const gzip = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));

/* ----------------------------------------------------------------------------------------------------------
 * CSV
 * ------------------------------------------------------------------------------------------------------- */

/** Values for CSV cells: non-finite, empty, non-decimal, quoted, control characters, label edge cases. */
const CELLS = ['NaN', 'nan', '-NaN', 'Infinity', '-Infinity', 'inf', '-inf', '1e999', '-1e999', '1e39', '-3.5e38', '3.4e38', '1e-999', '1e-46', '', ' ', '0x10', '1_000', '"1"', '"1,2"', '"', '"a""b"', 'abc', ' 1 ', '+.5', '.', '-', '1e', '\u0000', '\u001b[2J', '\u0085', '\u2028', '\ufeff1', 'label', '2147483647', '2147483648', '-1', '1.5', '3', '0', '-0', '9'.repeat(400)];

const splitLines = (text: string): string[] => text.split('\n');
const decode = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const encode = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

/** Edits of CSV text as lines of cells. */
const CSV_EDITS: readonly { name: string; edit: (lines: string[], rng: RandomStream) => string[] | undefined }[] = [
  {
    name: 'csv: cell',
    edit: (lines, rng) => {
      const r = rng.int(0, lines.length - 1);
      const cells = lines[r].split(',');
      cells[rng.int(0, cells.length - 1)] = pick(rng, CELLS);
      lines[r] = cells.join(',');
      return lines;
    },
  },
  {
    name: 'csv: extra column',
    edit: (lines, rng) => {
      const r = rng.int(0, lines.length - 1);
      lines[r] = `${lines[r]},${pick(rng, ['0', '1', '', 'x'])}`;
      return lines;
    },
  },
  {
    name: 'csv: missing column',
    edit: (lines, rng) => {
      const r = rng.int(0, lines.length - 1);
      lines[r] = lines[r].split(',').slice(0, -1).join(',');
      return lines;
    },
  },
  {
    name: 'csv: column added to every row',
    edit: (lines, rng) => {
      const cell = pick(rng, ['0', '1', 'NaN', '', 'x']);
      return lines.map((l) => (l === '' ? l : `${l},${cell}`));
    },
  },
  {
    name: 'csv: row duplicated, removed or blank',
    edit: (lines, rng) => {
      const r = rng.int(0, lines.length - 1);
      const choice = rng.int(0, 3);
      if (choice === 0) lines.splice(r, 0, lines[r]);
      else if (choice === 1) lines.splice(r, 1);
      else if (choice === 2) lines.splice(r, 0, pick(rng, ['', ' ', ',', ',,', '#', '""']));
      else return lines.slice(0, r + 1);
      return lines;
    },
  },
  { name: 'csv: line endings', edit: (lines, rng) => (rng.uniform() < 0.5 ? lines.map((l) => `${l}\r`) : [lines.join(pick(rng, ['\r', '\n\n', '\r\r\n']))]) },
  { name: 'csv: byte order mark', edit: (lines) => ((lines[0] = `\ufeff${lines[0]}`), lines) },
  { name: 'csv: unbalanced quote', edit: (lines, rng) => ((lines[rng.int(0, lines.length - 1)] += '"'), lines) },
  { name: 'csv: header row', edit: (lines, rng) => [pick(rng, ['a,b,c', 'a,1,c', 'NaN,x,y', 'label', 'a,b,label', '"a,b",c', 'a,a,a']), ...lines] },
];

/** The CSV mutations: cell values, columns, rows, line endings, quotes, header rows. */
export const CSV_MUTATIONS: readonly NamedMutation[] = CSV_EDITS.map(({ name, edit }) => ({
  name,
  apply: (input: Uint8Array, rng: RandomStream) => {
    const lines = edit(splitLines(decode(input)), rng);
    return lines === undefined ? undefined : encode(lines.join('\n'));
  },
}));

/* ----------------------------------------------------------------------------------------------------------
 * Mutants
 * ------------------------------------------------------------------------------------------------------- */

/** A mutated input and the names of the mutations applied to it. */
export interface Mutant {
  readonly bytes: Uint8Array;
  readonly kinds: readonly string[];
}

/**
 * Mutant number `index` of `seed` under `seed` stream `streamSeed`: one to three mutations, the structured
 * ones (`specific`) drawn three times in four, a byte-level one otherwise (and when a structured one does
 * not apply). Deterministic: the same arguments, the same mutant.
 */
export function mutant(seed: Uint8Array, specific: readonly NamedMutation[], streamSeed: number, index: number): Mutant {
  const rng = new RandomStream(streamSeed * 1_000_003 + index);
  // A copy, and a plain Uint8Array: Buffer#slice would return a view, and the mutations would edit the seed.
  let bytes: Uint8Array = Uint8Array.from(seed);
  const kinds: string[] = [];
  const count = pick(rng, [1, 1, 1, 1, 2, 3]);
  for (let m = 0; m < count; m++) {
    const structured = specific.length > 0 && rng.uniform() < 0.75 ? pick(rng, specific) : undefined;
    const out = structured?.apply(bytes, rng);
    if (structured !== undefined && out !== undefined) {
      kinds.push(structured.name);
      bytes = out;
      continue;
    }
    const generic = pick(rng, BYTE_MUTATIONS);
    bytes = generic.apply(bytes, rng) ?? bytes;
    kinds.push(generic.name);
  }
  return { bytes, kinds };
}

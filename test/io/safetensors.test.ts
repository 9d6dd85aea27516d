import { describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/errors.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../src/io/safetensors.js';

/** A file from a header string (not padded) and raw data bytes, as any writer could produce it. */
function rawFile(header: string, data: ArrayLike<number> = []): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function headerText(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + n));
}

function expectUserError(bytes: Uint8Array, pattern: RegExp): void {
  let caught: unknown;
  try {
    decodeSafetensors(bytes, 'bad.safetensors');
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UserError);
  const message = (caught as UserError).message;
  expect(message.startsWith('bad.safetensors: ')).toBe(true);
  expect(message).toMatch(pattern);
  expect(message).not.toContain('\n');
}

/** The message of the UserError that decoding `bytes` as bad.safetensors throws. */
function refusal(bytes: Uint8Array): string {
  try {
    decodeSafetensors(bytes, 'bad.safetensors');
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).message;
  }
  throw new Error('decodeSafetensors accepted the file');
}

/** A file of `n` header bytes (all zeros but the first, `first`) and no data. */
function headerOfLength(n: number, first = 0): Uint8Array {
  const out = new Uint8Array(8 + n);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out[8] = first;
  return out;
}

/**
 * The safetensors module as loaded on a big-endian host: its typed arrays are what they are here, but a
 * Uint16Array holding 1 has the bytes 00 01, as it would there.
 */
async function bigEndianSafetensors(): Promise<typeof import('../../src/io/safetensors.js')> {
  const Native = Uint16Array;
  class BigEndianUint16Array extends Native {
    constructor(...args: unknown[]) {
      if (Array.isArray(args[0])) super((args[0] as number[]).map((v) => ((v & 0xff) << 8) | (v >> 8)));
      else super(...(args as [number]));
    }
  }
  vi.resetModules();
  vi.stubGlobal('Uint16Array', BigEndianUint16Array);
  try {
    return await import('../../src/io/safetensors.js');
  } finally {
    vi.unstubAllGlobals();
    vi.resetModules();
  }
}

/** The bytes of `data`'s memory. */
const memory = (data: ArrayBufferView): number[] => [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];

describe('encodeSafetensors', () => {
  it('writes a tiny file byte for byte as worked out by hand', () => {
    const bytes = encodeSafetensors({
      a: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
      b: { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) },
    });
    // F32 sorts before U8 (larger alignment first); the 107-byte JSON is padded with 5 spaces to 112.
    const json =
      '{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}';
    expect(json.length).toBe(107);
    expect(bytes.length).toBe(8 + 112 + 11);
    expect([...bytes.subarray(0, 8)]).toEqual([112, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(bytes.subarray(8, 120))).toBe(json + '     ');
    // 1.0f = 0x3f800000 and -2.0f = 0xc0000000, little-endian; then the three bytes.
    expect([...bytes.subarray(120)]).toEqual([0, 0, 128, 63, 0, 0, 0, 192, 1, 2, 3]);
  });

  it('matches the Rust reference serialiser on its own test cases', () => {
    // An empty file: "{}" and six spaces.
    expect([...encodeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    // Metadata only: 35 bytes of JSON padded to 40.
    const meta = encodeSafetensors({}, { framework: 'pt' });
    expect(meta[0]).toBe(40);
    expect(headerText(meta)).toBe('{"__metadata__":{"framework":"pt"}}     ');
    // One F32 tensor whose 65-byte header is padded to 72, so the data starts 8-aligned at byte 80.
    const attn0: NamedTensor = { dtype: 'F32', shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) };
    const attn = encodeSafetensors({ attn0 });
    expect(attn[0]).toBe(72);
    expect(attn.length).toBe(80 + 24);
    expect([...attn.subarray(84, 88)]).toEqual([0, 0, 128, 63]);
  });

  it('lays tensors out by descending alignment then name, each at a multiple of its element size', () => {
    const bytes = encodeSafetensors({
      '0': { dtype: 'U8', shape: [1], data: new Uint8Array([7]) },
      z: { dtype: 'I32', shape: [1], data: new Int32Array([1]) },
      y: { dtype: 'F32', shape: [1], data: new Float32Array([1]) },
      x: { dtype: 'F64', shape: [1], data: new Float64Array([1]) },
      w: { dtype: 'I64', shape: [1], data: new BigInt64Array([1n]) },
      v: { dtype: 'F32', shape: [1], data: new Float32Array([2]) },
    });
    const header = JSON.parse(headerText(bytes)) as Record<string, { data_offsets: [number, number] }>;
    // Object key order is not JSON text order for "0": read the order from the text itself.
    const order = [...headerText(bytes).matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1]);
    expect(order).toEqual(['w', 'x', 'v', 'y', 'z', '0']);
    expect(order.map((name) => header[name].data_offsets)).toEqual([
      [0, 8],
      [8, 16],
      [16, 20],
      [20, 24],
      [24, 28],
      [28, 29],
    ]);
    expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0);
  });

  it('lays tensors of one dtype out in name order, whatever their order in the object', () => {
    const one = (x: number): NamedTensor => ({ dtype: 'F32', shape: [1], data: Float32Array.of(x) });
    const bytes = encodeSafetensors({ b: one(2), c: one(3), a: one(1) });
    expect([...headerText(bytes).matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1])).toEqual(['a', 'b', 'c']);
    expect([...new Float32Array(bytes.slice(bytes.length - 12).buffer)]).toEqual([1, 2, 3]);
  });

  it('writes metadata keys in sorted order, so the same contents give the same bytes', () => {
    const bytes = encodeSafetensors({}, { kind: 'rbm', format: 'boltzmann/1', epochs_trained: '3' });
    expect(headerText(bytes).trimEnd()).toBe('{"__metadata__":{"epochs_trained":"3","format":"boltzmann/1","kind":"rbm"}}');
    expect(bytes).toEqual(encodeSafetensors({}, { epochs_trained: '3', format: 'boltzmann/1', kind: 'rbm' }));
  });

  it('refuses data that does not match the dtype or the shape', () => {
    const wrongType = { dtype: 'F32', shape: [2], data: new Float64Array(2) } as unknown as NamedTensor;
    expect(() => encodeSafetensors({ t: wrongType })).toThrow(/"t" is F32 but its data is a Float64Array/);
    expect(() => encodeSafetensors({ t: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      /3 values.*\[2, 2\]/,
    );
    const half = { dtype: 'F16', shape: [1], data: new Uint16Array(1) } as unknown as NamedTensor;
    expect(() => encodeSafetensors({ h: half, u: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } })).toThrow(
      /"h" has unknown dtype "F16"/,
    );
    const numeric = { seed: 42 } as unknown as Record<string, string>;
    expect(() => encodeSafetensors({}, numeric)).toThrow(/metadata "seed" is not a string/);
    expect(() => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } })).toThrow(
      /not a valid tensor name/,
    );
  });
});

describe('decodeSafetensors', () => {
  it('round-trips every writable dtype, empty and scalar tensors, and metadata', () => {
    const tensors: Record<string, NamedTensor> = {
      weights: { dtype: 'F32', shape: [2, 3], data: new Float32Array([0.1, -2, 3.5, 1e-30, -0, 7]) },
      logZ: { dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) },
      counts: { dtype: 'I32', shape: [3], data: new Int32Array([-1, 0, 2 ** 31 - 1]) },
      seeds: { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 62n + 3n]) },
      mask: { dtype: 'U8', shape: [1, 4], data: new Uint8Array([0, 1, 255, 3]) },
      nothing: { dtype: 'F32', shape: [0, 5], data: new Float32Array(0) },
    };
    const metadata = { format: 'boltzmann/1', kind: 'rbm', note: 'ünïcode "quoted"\n' };
    const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata), 'round.safetensors');
    expect(decoded.metadata).toEqual(metadata);
    expect(Object.keys(decoded.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(decoded.tensors[name].dtype).toBe(t.dtype);
      expect(decoded.tensors[name].shape).toEqual(t.shape);
      expect(decoded.tensors[name].data).toEqual(t.data);
      expect(decoded.tensors[name].data.constructor).toBe(t.data.constructor);
    }
    expect(Object.is(decoded.tensors.weights.data[4], -0)).toBe(true);
  });

  it('reads files whose bytes start at any offset of a Buffer, copying into aligned arrays', () => {
    const encoded = encodeSafetensors({ w: { dtype: 'F64', shape: [2], data: new Float64Array([1.5, -2.25]) } });
    for (const shift of [1, 3, 5]) {
      const padded = Buffer.concat([Buffer.alloc(shift, 0xff), Buffer.from(encoded)]).subarray(shift);
      const { tensors } = decodeSafetensors(padded, 'shifted.safetensors');
      expect(tensors.w.data).toEqual(new Float64Array([1.5, -2.25]));
      expect(tensors.w.data.byteOffset % 8).toBe(0);
      padded.fill(0);
      expect(tensors.w.data).toEqual(new Float64Array([1.5, -2.25])); // a copy, not a view
    }
  });

  it('reads an unpadded header (data section not 8-aligned) with spaces in the JSON', () => {
    const header = '{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}';
    expect((8 + header.length) % 4).not.toBe(0);
    const { tensors, metadata } = decodeSafetensors(rawFile(header, [0, 0, 128, 63, 0, 0, 0, 192]), 'u.safetensors');
    expect(tensors.t.data).toEqual(new Float32Array([1, -2]));
    expect(metadata).toEqual({});
  });

  it('accepts tensors listed in any order in the header and a name like __proto__', () => {
    const u8 = (begin: number) => `{"dtype":"U8","shape":[1],"data_offsets":[${begin},${begin + 1}]}`;
    const header = `{"b":${u8(1)},"__proto__":${u8(0)}}`;
    const { tensors } = decodeSafetensors(rawFile(header, [10, 20]), 'o.safetensors');
    expect(Object.keys(tensors).sort()).toEqual(['__proto__', 'b']);
    const proto = Object.getOwnPropertyDescriptor(tensors, '__proto__')?.value as NamedTensor;
    expect(proto.data).toEqual(new Uint8Array([10]));
    expect(tensors.b.data).toEqual(new Uint8Array([20]));
  });

  it('converts F16 and BF16 to F32 exactly', () => {
    // F16: 1, -2, 2^-24 (smallest subnormal), 0.333251953125 (0x3555), +inf, -0; NaN (0x7e00).
    const f16 = [0x3c00, 0xc000, 0x0001, 0x3555, 0x7c00, 0x8000, 0x7e00];
    // BF16: 1, -3, 3.140625 (0x4049).
    const bf16 = [0x3f80, 0xc040, 0x4049];
    const data = [...f16, ...bf16].flatMap((u) => [u & 0xff, u >> 8]);
    const header =
      '{"h":{"dtype":"F16","shape":[7],"data_offsets":[0,14]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[14,20]}}';
    const { tensors } = decodeSafetensors(rawFile(header, data), 'half.safetensors');
    expect(tensors.h.dtype).toBe('F32');
    expect([...tensors.h.data]).toEqual([1, -2, 2 ** -24, 0.333251953125, Infinity, -0, NaN]);
    expect(tensors.b.dtype).toBe('F32');
    expect(tensors.b.shape).toEqual([3]);
    expect([...tensors.b.data]).toEqual([1, -3, 3.140625]);
  });

  it('accepts an empty tensor at the offset where a tensor listed before it begins (offsets sort by begin, then end)', () => {
    const header = '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,2],"data_offsets":[0,0]}}';
    const { tensors } = decodeSafetensors(rawFile(header, [1, 2, 3, 4]), 'empty.safetensors');
    expect(tensors.a.data).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(tensors.e.shape).toEqual([0, 2]);
    expect(tensors.e.data).toEqual(new Float32Array(0));
  });

  it('accepts a header of exactly 100 MB and refuses one a byte longer, as the reference reader does', () => {
    // Both headers are zeros after a first byte 0xff: past the size limit, the UTF-8 check refuses it at once.
    expect(refusal(headerOfLength(100_000_000, 0xff))).toBe('bad.safetensors: header is not valid UTF-8');
    expect(refusal(headerOfLength(100_000_001, 0xff))).toBe('bad.safetensors: header of 100000001 bytes is larger than 100 MB');
  });

  it('refuses malformed files with these exact one-line messages', () => {
    const f32 = (offsets: string) => `{"t":{"dtype":"F32","shape":[2],"data_offsets":${offsets}}}`;
    const eight = [0, 0, 128, 63, 0, 0, 0, 192];
    expect(refusal(rawFile(f32('[0,8]').replace('F32', 'Q7'), eight))).toBe(
      'bad.safetensors: tensor "t": unsupported dtype "Q7" (supported: I64, F64, F32, I32, U8, F16, BF16)',
    );
    expect(refusal(rawFile(f32('[0,"8"]'), eight))).toBe(
      'bad.safetensors: tensor "t": "data_offsets" must be [begin, end] with non-negative integers',
    );
    expect(refusal(rawFile(f32('[0.5,8]'), eight))).toBe(
      'bad.safetensors: tensor "t": "data_offsets" must be [begin, end] with non-negative integers',
    );
    const twoD =
      '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2,3],"data_offsets":[4,12]}}';
    expect(refusal(rawFile(twoD, new Array<number>(12).fill(0)))).toBe(
      'bad.safetensors: tensor "b": data_offsets [4, 12] hold 8 bytes; U8 [2, 3] needs 6',
    );
    // Exactly 8 bytes holds the header length; one that the file cannot hold is refused as such.
    expect(refusal(headerOfLength(1).subarray(0, 8))).toBe(
      'bad.safetensors: header length 1 exceeds the 8-byte file: not a safetensors file?',
    );
    for (const header of ['null', '3', '"x"', 'true', '[]']) {
      expect(refusal(rawFile(header))).toBe('bad.safetensors: header is not a JSON object');
    }
  });

  describe('rejects malformed files with a UserError naming the file', () => {
    const ok = (offsets: string, dtype = 'F32', shape = '[2]') =>
      `{"t":{"dtype":"${dtype}","shape":${shape},"data_offsets":${offsets}}}`;
    const eight = [0, 0, 128, 63, 0, 0, 0, 192];
    const notUtf8 = rawFile('{"a"}');
    notUtf8[9] = 0xff;
    const cases: [string, Uint8Array, RegExp][] = [
      ['a file shorter than 8 bytes', new Uint8Array(5), /too short/],
      ['a header length beyond the file', rawFile('{}').subarray(0, 9), /header length 2 exceeds the 9-byte file/],
      ['a huge header length (not a safetensors file)', new TextEncoder().encode('\x89PNG\r\n\x1a\n....'), /exceeds/],
      ['a header that is not UTF-8', notUtf8, /UTF-8/],
      ['a header that is not JSON', rawFile('{"t": '), /not valid JSON/],
      ['a header that is not JSON, on several lines', rawFile('{"t":\n\nxyz}'), /not valid JSON/],
      ['a header that is a JSON array', rawFile('[1, 2]'), /not a JSON object/],
      ['a tensor entry that is not an object', rawFile('{"t": 3}'), /"t": header entry is not an object/],
      ['an unknown dtype', rawFile(ok('[0,8]', 'Q7'), eight), /"t": unsupported dtype "Q7"/],
      ['a dtype that is not a string', rawFile('{"t":{"dtype":1,"shape":[],"data_offsets":[0,0]}}'), /"dtype"/],
      ['a negative dimension', rawFile(ok('[0,8]', 'F32', '[-2]'), eight), /"shape"/],
      ['a fractional dimension', rawFile(ok('[0,8]', 'F32', '[2.5]'), eight), /"shape"/],
      ['missing data_offsets', rawFile('{"t":{"dtype":"F32","shape":[2]}}', eight), /"data_offsets"/],
      ['three data_offsets', rawFile(ok('[0,4,8]'), eight), /"data_offsets"/],
      ['offsets past the data', rawFile(ok('[0,16]', 'F32', '[4]'), eight), /\[0, 16\] lie outside the 8-byte/],
      ['offsets backwards', rawFile(ok('[8,0]'), eight), /lie outside/],
      ['size not matching shape*dtype', rawFile(ok('[0,8]', 'F32', '[3]'), eight), /hold 8 bytes; F32 \[3\] needs 12/],
      ['offsets not matching F64 size', rawFile(ok('[0,8]', 'F64', '[2]'), eight), /needs 16/],
      [
        'overlapping tensors',
        rawFile(
          '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}',
          [1, 2, 3, 4, 5, 6],
        ),
        /"b" at data_offsets \[2, 6\] overlaps/,
      ],
      [
        'a gap between tensors',
        rawFile(
          '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}',
          [1, 2, 3, 4, 5, 6],
        ),
        /"b" .* leaves a gap after byte 2/,
      ],
      ['trailing bytes', rawFile(ok('[0,8]'), [...eight, 9]), /cover 8 bytes of the 9-byte data section/],
      ['metadata with a number', rawFile('{"__metadata__":{"kind":"rbm","seed":42}}'), /"seed" is not a string/],
      ['metadata that is a string', rawFile('{"__metadata__":"rbm"}'), /"__metadata__" is not an object/],
    ];
    it.each(cases)('%s', (_name, bytes, pattern) => {
      expectUserError(bytes, pattern);
    });
  });
});

describe('on a big-endian host', () => {
  it('round-trips a tensor of every dtype', async () => {
    const { encodeSafetensors: encode, decodeSafetensors: decode } = await bigEndianSafetensors();
    const tensors: Record<string, NamedTensor> = {
      d: { dtype: 'F64', shape: [2], data: Float64Array.of(1.5, -2) },
      f: { dtype: 'F32', shape: [2], data: Float32Array.of(0.25, -3) },
      i: { dtype: 'I32', shape: [2], data: Int32Array.of(7, -8) },
      l: { dtype: 'I64', shape: [2], data: BigInt64Array.of(9n, -10n) },
      u: { dtype: 'U8', shape: [2], data: Uint8Array.of(11, 12) },
    };
    const back = decode(encode(tensors), 'be.safetensors').tensors;
    for (const [name, t] of Object.entries(tensors)) expect([back[name].dtype, back[name].data], name).toEqual([t.dtype, t.data]);
  });

  it('is told apart from a little-endian one: a module loaded afresh here writes without swapping', async () => {
    vi.resetModules();
    const { encodeSafetensors: encode } = await import('../../src/io/safetensors.js');
    const bytes = encode({ f: { dtype: 'F32', shape: [1], data: Float32Array.of(1) } });
    expect([...bytes.subarray(bytes.length - 4)]).toEqual([0, 0, 0x80, 0x3f]);
  });

  it('writes each value little-endian: the bytes of every element of memory reversed', async () => {
    const { encodeSafetensors: encode } = await bigEndianSafetensors();
    // Memory as a big-endian host holds 1.0f and -2.0f, the I64 0x0102030405060708, and three bytes.
    const f = new Float32Array(Uint8Array.of(0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0).buffer);
    const i = new BigInt64Array(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8).buffer);
    const bytes = encode({
      f: { dtype: 'F32', shape: [2], data: f },
      i: { dtype: 'I64', shape: [1], data: i },
      u: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) },
    });
    // I64 first (larger alignment), then F32, then U8.
    expect([...bytes.subarray(bytes.length - 19)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 1, 2, 3]);
    expect(memory(f)).toEqual([0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0]); // the caller's tensor is left as it was
  });

  it('reads each little-endian value into memory with its bytes reversed', async () => {
    const { decodeSafetensors: decode } = await bigEndianSafetensors();
    const header =
      '{"i":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},' +
      '"u":{"dtype":"U8","shape":[2],"data_offsets":[16,18]}}';
    const data = [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 9, 10];
    const { tensors } = decode(rawFile(header, data), 'be.safetensors');
    expect(memory(tensors.i.data)).toEqual([4, 3, 2, 1, 8, 7, 6, 5]);
    expect(memory(tensors.d.data)).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    expect(memory(tensors.u.data)).toEqual([9, 10]);
  });
});

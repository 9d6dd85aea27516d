import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, loadNpy } from '../../src/data/npy.js';
import { matrix } from '../../src/tensor/matrix.js';
import { expectUserError, makeTempDir } from './fixtures.js';

const dir = makeTempDir();
let fileCount = 0;
const npy = (bytes: Uint8Array): string => {
  const path = join(dir, `a${fileCount++}.npy`);
  writeFileSync(path, bytes);
  return path;
};

/** An NPY file built by hand: magic, version, header length (2 bytes for 1.0, 4 for 2.0 and 3.0), dict, data. */
function npyBytes(dict: string, payload: Uint8Array, major = 1): Uint8Array {
  const lengthBytes = major === 1 ? 2 : 4;
  const header = Buffer.from(`${dict}\n`, major === 3 ? 'utf8' : 'latin1');
  const prefix = Buffer.alloc(8 + lengthBytes);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = major;
  if (major === 1) prefix.writeUInt16LE(header.length, 8);
  else prefix.writeUInt32LE(header.length, 8);
  return Buffer.concat([prefix, header, payload]);
}
const dict = (descr: string, shape: string, fortran = 'False'): string =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('encodeNpy', () => {
  it('writes an NPY 1.0 <f4 header padded to 64 bytes and the values little-endian', () => {
    const bytes = encodeNpy(matrix(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3));
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('\x93NUMPY\x01\x00');
    const headerLength = bytes[8] + 256 * bytes[9];
    expect((10 + headerLength) % 64).toBe(0);
    const header = Buffer.from(bytes.subarray(10, 10 + headerLength)).toString('latin1');
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    expect(header.endsWith('\n')).toBe(true);
    const view = new DataView(bytes.buffer, bytes.byteOffset + 10 + headerLength);
    expect(view.getFloat32(0, true)).toBe(1);
    expect(view.getFloat32(20, true)).toBe(6);
    expect(bytes.length).toBe(10 + headerLength + 24);
  });

  it('writes a given shape, with the one-element tuple form for 1-D', () => {
    const m = matrix(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 2, 4);
    const header = (shape: number[]): string => {
      const bytes = encodeNpy(m, shape);
      return Buffer.from(bytes.subarray(10, 10 + bytes[8] + 256 * bytes[9])).toString('latin1');
    };
    expect(header([8])).toContain("'shape': (8,)");
    expect(header([2, 2, 2])).toContain("'shape': (2, 2, 2)"); // 128 bytes with the prefix
    expect(() => encodeNpy(m, [3, 3])).toThrow(/shape/);
  });
});

describe('loadNpy', () => {
  it('round-trips encodeNpy: 2-D as n x d, 3-D as n x (h*w) with imageShape', () => {
    const values = Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1);
    const flat = loadNpy(npy(encodeNpy(matrix(values, 4, 6))));
    expect(flat.examples).toEqual({ data: values, rows: 4, cols: 6 });
    expect(flat.imageShape).toBeUndefined();
    const images = loadNpy(npy(encodeNpy(matrix(values, 4, 6), [4, 2, 3])));
    expect(images.examples).toEqual({ data: values, rows: 4, cols: 6 });
    expect(images.imageShape).toEqual([2, 3]);
    expect(images.labels).toBeUndefined();
  });

  it('converts every supported dtype to float32', () => {
    const cases: [string, Uint8Array, number[]][] = [
      ['<f8', bytesOf(Float64Array.from([0.1, -2, 1e300, 4])), [0.1, -2, Infinity, 4]],
      ['|u1', Uint8Array.from([0, 1, 128, 255]), [0, 1, 128, 255]],
      ['|b1', Uint8Array.from([0, 1, 1, 0]), [0, 1, 1, 0]],
      ['<i4', bytesOf(Int32Array.from([-5, 0, 7, 2147483647])), [-5, 0, 7, 2147483648]],
      ['<i8', bytesOf(BigInt64Array.from([-3n, 0n, 9007199254740993n, 42n])), [-3, 0, 9007199254740992, 42]],
      ['<f4', bytesOf(Float32Array.from([0.5, -0.25, 3, 1e-3])), [0.5, -0.25, 3, Math.fround(1e-3)]],
    ];
    for (const [descr, payload, expected] of cases) {
      const d = loadNpy(npy(npyBytes(dict(descr, '(2, 2)'), payload)));
      expect(Array.from(d.examples.data), descr).toEqual(expected.map(Math.fround));
    }
  });

  it('reads format versions 2.0 and 3.0 and an unaligned data offset', () => {
    const payload = bytesOf(Float32Array.from([1, 2, 3, 4, 5, 6]));
    for (const major of [2, 3]) {
      expect(Array.from(loadNpy(npy(npyBytes(dict('<f4', '(3, 2)'), payload, major))).examples.data)).toEqual([
        1, 2, 3, 4, 5, 6,
      ]);
    }
    // A header of odd length puts the data at an offset that is not a multiple of 4 or 8.
    const odd = loadNpy(npy(npyBytes(`${dict('<f8', '(1, 2)')} `, bytesOf(Float64Array.from([1.5, -1])))));
    expect(Array.from(odd.examples.data)).toEqual([1.5, -1]);
  });

  it('rejects Fortran order, other dtypes, other ranks, wrong sizes and non-NPY files, naming the path', () => {
    const four = bytesOf(Float32Array.from([1, 2, 3, 4]));
    const fortran = npy(npyBytes(dict('<f4', '(2, 2)', 'True'), four));
    expectUserError(() => loadNpy(fortran), fortran, 'Fortran');
    const bigEndian = npy(npyBytes(dict('>f4', '(2, 2)'), four));
    expectUserError(() => loadNpy(bigEndian), bigEndian, "'>f4'", '<f4, <f8, |u1, |b1, <i4, <i8');
    const oneD = npy(npyBytes(dict('<f4', '(4,)'), four));
    expectUserError(() => loadNpy(oneD), oneD, 'shape (4)');
    const fourD = npy(npyBytes(dict('<f4', '(1, 1, 2, 2)'), four));
    expectUserError(() => loadNpy(fourD), fourD, '2-D', '3-D');
    const short = npy(npyBytes(dict('<f4', '(2, 3)'), four));
    expectUserError(() => loadNpy(short), short, 'truncated', '24', '16');
    const long = npy(npyBytes(dict('<f4', '(1, 2)'), four));
    expectUserError(() => loadNpy(long), long, 'too long');
    const text = npy(Buffer.from('not an array at all'));
    expectUserError(() => loadNpy(text), text, 'not an NPY file');
    const garbled = npy(npyBytes("{'descr': '<f4'}", four));
    expectUserError(() => loadNpy(garbled), garbled, 'malformed NPY header');
    const cut = npy(npyBytes(dict('<f4', '(2, 2)'), four).subarray(0, 30));
    expectUserError(() => loadNpy(cut), cut, 'truncated');
    const missing = join(dir, 'missing.npy');
    expectUserError(() => loadNpy(missing), missing, 'no such file');
  });
});

describe('NPY headers, one fault at a time', () => {
  const four = bytesOf(Float32Array.from([1, 2, 3, 4]));

  it('says which part of the file is wrong', () => {
    for (const major of [0, 4]) {
      const path = npy(npyBytes(dict('<f4', '(2, 2)'), four, major));
      expectUserError(() => loadNpy(path), path, `NPY format version ${major}.0 is not supported`);
    }
    const nine = npy(npyBytes(dict('<f4', '(2, 2)'), four).subarray(0, 9));
    expectUserError(() => loadNpy(nine), nine, 'not an NPY file');
    const noLength = npy(npyBytes(dict('<f4', '(2, 2)'), four, 2).subarray(0, 11));
    expectUserError(() => loadNpy(noLength), noLength, 'truncated NPY file (no header)');
    // just the prefix, with an empty header: the header is what is wrong
    for (const major of [1, 2]) {
      const prefix = Buffer.from(npyBytes('', new Uint8Array(0), major).subarray(0, major === 1 ? 10 : 12));
      prefix.fill(0, 8); // header length 0
      const prefixOnly = npy(prefix);
      expectUserError(() => loadNpy(prefixOnly), prefixOnly, 'malformed NPY header ""');
    }
    const whole = npyBytes(dict('<f4', '(2, 2)'), four);
    const headerEnd = whole.length - four.length;
    const cut = npy(whole.subarray(0, headerEnd - 1));
    expectUserError(() => loadNpy(cut), cut, 'truncated NPY file (header cut short)');
    const headerOnly = npy(whole.subarray(0, headerEnd)); // the header whole, no data
    expectUserError(() => loadNpy(headerOnly), headerOnly, 'needs 16 data bytes, the file has 0');
  });

  it('needs every key, and prints the header it could not read', () => {
    const keys = ["'descr': '<f4'", "'fortran_order': False", "'shape': (2, 2)"];
    keys.forEach((_, missing) => {
      const text = `{${keys.filter((__, i) => i !== missing).join(', ')}}`;
      const path = npy(npyBytes(text, four));
      expectUserError(() => loadNpy(path), path, `malformed NPY header ${JSON.stringify(text)}`);
    });
    // the header's text as its version says: UTF-8 in 3.0, Latin-1 before
    const utf8 = npy(npyBytes("{'descr': 'é'}", four, 3));
    expectUserError(() => loadNpy(utf8), utf8, `malformed NPY header "{'descr': 'é'}"`);
    const latin1 = npy(npyBytes("{'descr': 'é'}", four, 2));
    expectUserError(() => loadNpy(latin1), latin1, `malformed NPY header "{'descr': 'é'}"`);
  });

  it('reads keys with any spacing around the colons, and a 2.0 header longer than 65,535 bytes', () => {
    const tight = npy(npyBytes("{'descr' :'<f4', 'fortran_order' :False, 'shape' :(2, 2), }", four));
    expect(Array.from(loadNpy(tight).examples.data)).toEqual([1, 2, 3, 4]);
    const long = npy(npyBytes(dict('<f4', '(2, 2)') + ' '.repeat(70000), four, 2));
    expect(Array.from(loadNpy(long).examples.data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a shape with anything but whole numbers', () => {
    for (const shape of ['(2, x)', '(2a, 2)', '(a2, 2)', '(2, -2)']) {
      const path = npy(npyBytes(dict('<f4', shape), four));
      expectUserError(() => loadNpy(path), path, `malformed NPY shape (${shape.slice(1, -1)})`);
    }
  });

  it('names the shape in the rank and size messages', () => {
    const fourD = npy(npyBytes(dict('<f4', '(1, 1, 2, 2)'), four));
    expectUserError(() => loadNpy(fourD), fourD, 'got shape (1, 1, 2, 2)');
    const short = npy(npyBytes(dict('<f4', '(2, 3)'), four));
    expectUserError(() => loadNpy(short), short, 'truncated NPY file: shape (2, 3) of <f4 needs 24 data bytes, the file has 16');
  });
});

describe('encodeNpy headers', () => {
  it('refuses shapes that are not whole numbers >= 0 holding the values', () => {
    const m = matrix(Float32Array.from([1, 2, 3, 4]), 2, 2);
    for (const shape of [[8, 0.5], [-2, -2], [4, 2]]) {
      expect(() => encodeNpy(m, shape)).toThrow(`encodeNpy: shape [${shape.join(', ')}] does not hold 2 x 2 values`);
    }
    expect(encodeNpy(matrix(new Float32Array(0), 0, 3), [0, 3]).length % 64).toBe(0);
  });

  it('pads every header with spaces and a newline to a multiple of 64 bytes, whatever its length', () => {
    const empty = matrix(new Float32Array(0), 0, 1);
    for (let ones = 0; ones < 22; ones++) {
      for (const last of [0, 10, 100]) {
        const shape = [...Array<number>(ones).fill(1), 0, last];
        const bytes = Buffer.from(encodeNpy(empty, shape));
        const headerLength = bytes.readUInt16LE(8);
        expect((10 + headerLength) % 64).toBe(0);
        const text = bytes.toString('latin1', 10, 10 + headerLength);
        expect(text).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \([0-9, ]+\), \} *\n$/);
        expect(text.endsWith('\n')).toBe(true);
      }
    }
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasNumpy)(`numpy interop${hasNumpy ? '' : ' (skipped: python3 with numpy not found)'}`, () => {
  const python = (script: string, ...args: string[]): string => {
    const result = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.stdout;
  };

  it('numpy reads what encodeNpy writes', () => {
    const path = join(dir, 'ours.npy');
    const values = Float32Array.from({ length: 12 }, (_, i) => (i - 5) / 3);
    writeFileSync(path, encodeNpy(matrix(values, 3, 4), [3, 2, 2]));
    const out = python(
      'import sys, json, numpy as np; a = np.load(sys.argv[1]); ' +
        'print(json.dumps([str(a.dtype), list(a.shape), bool(a.flags.c_contiguous), a.ravel().tolist()]))',
      path,
    );
    const [dtype, shape, contiguous, read] = JSON.parse(out) as [string, number[], boolean, number[]];
    expect(dtype).toBe('float32');
    expect(shape).toEqual([3, 2, 2]);
    expect(contiguous).toBe(true);
    expect(read).toEqual(Array.from(values));
  });

  it("we read numpy's files of every supported dtype, including format 2.0", () => {
    python(
      [
        'import sys, numpy as np',
        'd = sys.argv[1]',
        'x = np.arange(12).reshape(3, 4)',
        'for t in ["float32", "float64", "uint8", "int32", "int64"]: np.save(f"{d}/np-{t}.npy", x.astype(t))',
        'np.save(f"{d}/np-bool.npy", (x % 3 == 0))',
        'np.save(f"{d}/np-images.npy", (x / 11).astype("float64").reshape(3, 2, 2))',
        'np.lib.format.write_array(open(f"{d}/np-v2.npy", "wb"), x.astype("float32"), version=(2, 0))',
        'np.save(f"{d}/np-fortran.npy", np.asfortranarray(x.astype("float32")))',
      ].join('\n'),
      dir,
    );
    const counting = Array.from({ length: 12 }, (_, i) => i);
    for (const t of ['float32', 'float64', 'uint8', 'int32', 'int64', 'v2']) {
      const d = loadNpy(join(dir, `np-${t}.npy`));
      expect(d.examples.rows, t).toBe(3);
      expect(Array.from(d.examples.data), t).toEqual(counting);
    }
    const bools = loadNpy(join(dir, 'np-bool.npy'));
    expect(Array.from(bools.examples.data)).toEqual(counting.map((i) => (i % 3 === 0 ? 1 : 0)));
    const images = loadNpy(join(dir, 'np-images.npy'));
    expect(images.imageShape).toEqual([2, 2]);
    expect(Array.from(images.examples.data)).toEqual(counting.map((i) => Math.fround(i / 11)));
    expect(readFileSync(join(dir, 'np-v2.npy'))[6]).toBe(2);
    const fortran = join(dir, 'np-fortran.npy');
    expectUserError(() => loadNpy(fortran), fortran, 'Fortran');
  });
});

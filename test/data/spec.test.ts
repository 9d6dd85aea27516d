import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { encodeNpy } from '../../src/data/npy.js';
import { loadDataSpec } from '../../src/data/spec.js';
import { matrix } from '../../src/tensor/matrix.js';
import { expectUserError, idxBytes, makeTempDir } from './fixtures.js';

// Each split of the bundled digits is read once for the whole file: a read takes most of a second.
vi.mock('../../src/data/mnist.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/data/mnist.js')>();
  const loaded = new Map<string, ReturnType<typeof real.loadBundledDigits>>();
  const loadBundledDigits: typeof real.loadBundledDigits = (split) => {
    const d = loaded.get(split) ?? real.loadBundledDigits(split);
    loaded.set(split, d);
    return d;
  };
  return { ...real, loadBundledDigits };
});

const dir = makeTempDir();
const VALID_FORMS =
  'mnist (the bundled train split), mnist:train, mnist:test, mnist:all, idx:PATH, csv:PATH, npy:PATH, bars-and-stripes:N (N from 2 to 8), ' +
  'dots:N[:SIZE[:SEED]] (N random-dot images, SIZE from 2 to 64, default 13, SEED default 0), pairs:shift:SPEC or pairs:rotate:SPEC (each image of the data SPEC beside a shifted or turned copy)';
const VALID = ['mnist:train', 'mnist:test', 'mnist:all', 'idx:PATH', 'csv:PATH', 'npy:PATH', 'bars-and-stripes:N', 'dots:N[:SIZE[:SEED]]', 'pairs:shift:SPEC'];

describe('loadDataSpec', () => {
  it('loads the bundled digits, the train split by default', () => {
    const train = loadDataSpec('mnist');
    expect(train.name).toBe('mnist:train');
    expect(train.examples.rows).toBe(9003);
    expect(loadDataSpec('mnist:test').examples.rows).toBe(997);
  });

  it('loads mnist:train and mnist:all, named by their split', () => {
    const train = loadDataSpec('mnist:train');
    expect([train.name, train.examples.rows]).toEqual(['mnist:train', 9003]);
    const all = loadDataSpec('mnist:all');
    expect([all.name, all.examples.rows]).toEqual(['mnist:all', 10000]);
  });

  it('builds bars and stripes for N from 2 to 8', () => {
    expect(loadDataSpec('bars-and-stripes:2').examples.rows).toBe(6);
    expect(loadDataSpec('bars-and-stripes:8').examples.rows).toBe(510);
  });

  it('reads N of bars-and-stripes:N as a decimal integer, leading zeros allowed', () => {
    expect(loadDataSpec('bars-and-stripes:08').examples.rows).toBe(510);
    expect(loadDataSpec('bars-and-stripes:003').examples.rows).toBe(14);
  });

  it('loads files by scheme; the path is everything after the first colon', () => {
    const csvPath = join(dir, 'odd:name.csv');
    writeFileSync(csvPath, '1,0\n0,1\n');
    const fromCsv = loadDataSpec(`csv:${csvPath}`);
    expect(fromCsv.examples).toEqual({ data: Float32Array.from([1, 0, 0, 1]), rows: 2, cols: 2 });
    const npyPath = join(dir, 'x.npy');
    writeFileSync(npyPath, encodeNpy(matrix(Float32Array.from([1, 0, 1]), 1, 3)));
    expect(loadDataSpec(`npy:${npyPath}`).examples.cols).toBe(3);
    const idxPath = join(dir, 'x-images-idx3-ubyte');
    writeFileSync(idxPath, idxBytes([1, 2, 2], [0, 255, 255, 0]));
    expect(loadDataSpec(`idx:${idxPath}`).imageShape).toEqual([2, 2]);
    const missing = join(dir, 'missing.csv');
    expectUserError(() => loadDataSpec(`csv:${missing}`), missing, 'no such file');
  });

  it('rejects unknown schemes, splits, bad N and missing paths, listing the valid forms', () => {
    for (const bad of ['', 'mnst', 'mnist:validation', 'bars-and-stripes', 'bars-and-stripes:1', 'bars-and-stripes:9',
      'bars-and-stripes:3.0', 'bars-and-stripes:x', 'csv:', 'npy', '/data/x.csv']) {
      expectUserError(() => loadDataSpec(bad), `'${bad}'`, ...VALID);
    }
  });

  it('words each refusal exactly: the spec, why, and the valid forms', () => {
    const message = (spec: string): string => expectUserError(() => loadDataSpec(spec));
    expect(message('mnist:validation')).toBe(`data spec 'mnist:validation': unknown mnist split 'validation'; valid forms: ${VALID_FORMS}`);
    expect(message('bars-and-stripes:9')).toBe(`data spec 'bars-and-stripes:9': N must be an integer from 2 to 8; valid forms: ${VALID_FORMS}`);
    expect(message('csv:')).toBe(`data spec 'csv:': csv needs a file path; valid forms: ${VALID_FORMS}`);
    expect(message('idx')).toBe(`data spec 'idx': idx needs a file path; valid forms: ${VALID_FORMS}`);
    expect(message('blobs:3')).toBe(`data spec 'blobs:3': unknown data source 'blobs'; valid forms: ${VALID_FORMS}`);
  });

  it('takes the text before the first colon as the source, empty for a spec that starts with a colon', () => {
    expect(expectUserError(() => loadDataSpec(':mnist'))).toBe(`data spec ':mnist': unknown data source ''; valid forms: ${VALID_FORMS}`);
  });
});

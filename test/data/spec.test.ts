import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/data/npy.js';
import { loadDataSpec } from '../../src/data/spec.js';
import { matrix } from '../../src/tensor/matrix.js';
import { expectUserError, idxBytes, makeTempDir } from './fixtures.js';

const dir = makeTempDir();
const VALID = ['mnist:train', 'mnist:test', 'mnist:all', 'idx:PATH', 'csv:PATH', 'npy:PATH', 'bars-and-stripes:N'];

describe('loadDataSpec', () => {
  it('loads the bundled digits, the train split by default', () => {
    const train = loadDataSpec('mnist');
    expect(train.name).toBe('mnist:train');
    expect(train.examples.rows).toBe(9003);
    expect(loadDataSpec('mnist:test').examples.rows).toBe(997);
  });

  it('builds bars and stripes for N from 2 to 8', () => {
    expect(loadDataSpec('bars-and-stripes:2').examples.rows).toBe(6);
    expect(loadDataSpec('bars-and-stripes:8').examples.rows).toBe(510);
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
});

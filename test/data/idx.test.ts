import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadIdx, loadIdxLabels, siblingLabelsPath } from '../../src/data/idx.js';
import { expectUserError, idxBytes, makeTempDir } from './fixtures.js';

const dir = makeTempDir();
const write = (name: string, bytes: Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

// Two 2x3 images, written byte by byte: magic 0x00000803, sizes 2, 2, 3, then 12 pixels.
const IMAGES = Uint8Array.from([
  0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
  0, 51, 102, 153, 204, 255,
  255, 0, 0, 0, 0, 1,
]);
const PIXELS = [0, 0.2, 0.4, 0.6, 0.8, 1, 1, 0, 0, 0, 0, 1 / 255];
// Their labels: magic 0x00000801, size 2, then 7 and 3.
const LABELS = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]);

describe('loadIdx', () => {
  it('reads a hand-written plain IDX images file, scaled by /255, with its sibling labels', () => {
    const path = write('plain-images-idx3-ubyte', IMAGES);
    write('plain-labels-idx1-ubyte', LABELS);
    const d = loadIdx(path);
    expect(d.examples.rows).toBe(2);
    expect(d.examples.cols).toBe(6);
    expect(d.imageShape).toEqual([2, 3]);
    expect(Array.from(d.examples.data)).toEqual(PIXELS.map(Math.fround));
    expect(Array.from(d.labels ?? [])).toEqual([7, 3]);
    expect(d.name).toBe(path);
  });

  it('detects gzip by its magic bytes, not by the file name, and pairs .gz images with plain labels', () => {
    const path = write('zipped-images-idx3-ubyte.gz', gzipSync(IMAGES));
    write('zipped-labels-idx1-ubyte', LABELS);
    expect(siblingLabelsPath(path)).toBe(join(dir, 'zipped-labels-idx1-ubyte'));
    const d = loadIdx(path);
    expect(Array.from(d.examples.data)).toEqual(PIXELS.map(Math.fround));
    expect(Array.from(d.labels ?? [])).toEqual([7, 3]);

    const misnamed = write('misnamed.idx', gzipSync(IMAGES));
    expect(Array.from(loadIdx(misnamed).examples.data)).toEqual(PIXELS.map(Math.fround));
    const plainNamedGz = write('plain-named.gz', IMAGES);
    expect(loadIdx(plainNamedGz).examples.rows).toBe(2);
  });

  it('leaves labels out when no sibling labels file exists', () => {
    const d = loadIdx(write('lonely-images-idx3-ubyte', IMAGES));
    expect(d.labels).toBeUndefined();
    expect(siblingLabelsPath(join(dir, 'lonely-images-idx3-ubyte'))).toBeUndefined();
    expect(siblingLabelsPath(join(dir, 'unrelated.bin'))).toBeUndefined();
  });

  it('rejects a wrong magic number, a truncated file, trailing bytes and a missing file, naming the path', () => {
    const labelsAsImages = write('labels-as-images', LABELS);
    expectUserError(() => loadIdx(labelsAsImages), labelsAsImages, '0x00000801', '0x00000803');
    const truncated = write('truncated', IMAGES.subarray(0, IMAGES.length - 1));
    expectUserError(() => loadIdx(truncated), truncated, 'truncated', '12 bytes', '11');
    const headerOnly = write('header-cut', IMAGES.subarray(0, 10));
    expectUserError(() => loadIdx(headerOnly), headerOnly, 'truncated');
    const truncatedGz = write('truncated-gz', gzipSync(IMAGES).subarray(0, 20));
    expectUserError(() => loadIdx(truncatedGz), truncatedGz, 'gzip');
    const long = write('long', Buffer.concat([IMAGES, Buffer.from([0, 0])]));
    expectUserError(() => loadIdx(long), long, '2 unexpected bytes');
    const missing = join(dir, 'no-such-images-idx3-ubyte');
    expectUserError(() => loadIdx(missing), missing, 'no such file');
    expectUserError(() => loadIdx(dir), dir, 'directory');
  });

  it('words the refusals of a truncated file and of trailing bytes exactly, with the promised sizes', () => {
    const truncated = write('truncated-exact', IMAGES.subarray(0, IMAGES.length - 1));
    expect(expectUserError(() => loadIdx(truncated))).toBe(
      `${truncated}: truncated IDX file: the header promises 2 x 2 x 3 = 12 bytes of data, only 11 follow`,
    );
    const long = write('long-exact', Buffer.concat([IMAGES, Buffer.from([0, 0])]));
    expect(expectUserError(() => loadIdx(long))).toBe(`${long}: 2 unexpected bytes after the 2 x 2 x 3 values the header promises`);
  });

  it('rejects a sibling labels file whose count differs from the images', () => {
    const path = write('odd-images-idx3-ubyte', IMAGES);
    const labels = write('odd-labels-idx1-ubyte', idxBytes([3], [1, 2, 3]));
    expectUserError(() => loadIdx(path), labels, '3 labels', '2 images');
  });
});

describe('loadIdxLabels', () => {
  it('reads labels, gzipped or not, and rejects an images file', () => {
    expect(Array.from(loadIdxLabels(write('l1', LABELS)))).toEqual([7, 3]);
    expect(Array.from(loadIdxLabels(write('l2', gzipSync(idxBytes([4], [0, 9, 255, 1])))))).toEqual([0, 9, 255, 1]);
    const images = write('images-not-labels', IMAGES);
    expectUserError(() => loadIdxLabels(images), images, 'not an IDX labels file');
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist';
const haveFashion = existsSync(join(FASHION, 'train-images-idx3-ubyte.gz'));

describe.skipIf(!haveFashion)(`Fashion-MNIST from ${FASHION} (skipped when dataset-fashion-mnist is absent)`, () => {
  it('loads the 60,000 training images with 6,000 labels per class', () => {
    const d = loadIdx(join(FASHION, 'train-images-idx3-ubyte.gz'));
    expect(d.examples.rows).toBe(60000);
    expect(d.examples.cols).toBe(784);
    expect(d.imageShape).toEqual([28, 28]);
    const labels = d.labels ?? new Int32Array();
    expect(Array.from(labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    for (let c = 0; c < 10; c++) expect(labels.filter((l) => l === c).length).toBe(6000);
    let sum = 0;
    for (const x of d.examples.data) sum += x;
    expect(sum / d.examples.data.length).toBeCloseTo(0.286, 3); // the published Fashion-MNIST pixel mean
  });

  it('loads the 10,000 test labels', () => {
    const labels = loadIdxLabels(join(FASHION, 't10k-labels-idx1-ubyte.gz'));
    expect(labels.length).toBe(10000);
    expect(Array.from(labels.subarray(0, 5))).toEqual([9, 2, 1, 1, 6]);
  });
});

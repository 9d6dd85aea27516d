import { describe, expect, it } from 'vitest';
import { binarize, parseBinarization } from '../../src/data/binarize.js';
import type { Dataset } from '../../src/data/dataset.js';
import { expectUserError } from './fixtures.js';

const dataset = (values: number[], cols = values.length): Dataset => ({
  name: 'test-data',
  examples: { data: Float32Array.from(values), rows: values.length / cols, cols },
  labels: Int32Array.from({ length: values.length / cols }, (_, i) => i),
  imageShape: [1, cols],
});

describe('binarize', () => {
  it('threshold maps x > t to 1 (strictly: x = t gives 0), keeping labels, imageShape and name', () => {
    const d = dataset([0, 0.2, 0.5, 0.51, 1, -3, 7, 0.5], 4);
    const b = binarize(d, { kind: 'threshold', threshold: 0.5 });
    expect(Array.from(b.examples.data)).toEqual([0, 0, 0, 1, 1, 0, 1, 0]);
    expect(b.examples.rows).toBe(2);
    expect(b.labels).toBe(d.labels);
    expect(b.imageShape).toEqual([1, 4]);
    expect(b.name).toBe('test-data');
    expect(Array.from(d.examples.data)).toEqual([0, 0.2, 0.5, 0.51, 1, -3, 7, 0.5].map(Math.fround));
    const zero = binarize(d, { kind: 'threshold', threshold: 0 });
    expect(Array.from(zero.examples.data)).toEqual([0, 1, 1, 1, 1, 0, 1, 1]);
  });

  it('none returns the data set itself', () => {
    const d = dataset([0.3]);
    expect(binarize(d, { kind: 'none' })).toBe(d);
  });

  it('stochastic gives 1 with probability x, reproducibly for a seed', () => {
    const n = 100_000;
    const d = dataset(Array.from({ length: n }, (_, i) => [0, 0.3, 1][i % 3]), 3);
    const b = binarize(d, { kind: 'stochastic', seed: 7 }).examples.data;
    const sums = [0, 0, 0];
    for (let i = 0; i < n; i++) sums[i % 3] += b[i];
    const trials = Math.floor((n + 1) / 3);
    const ones = sums[1];
    expect(b.every((x) => x === 0 || x === 1)).toBe(true);
    expect(sums[0]).toBe(0);
    expect(sums[2]).toBe(Math.floor(n / 3));
    const sd = Math.sqrt((0.3 * 0.7) / trials);
    expect(Math.abs(ones / trials - 0.3)).toBeLessThan(5 * sd);
    expect(binarize(d, { kind: 'stochastic', seed: 7 }).examples.data).toEqual(b);
    expect(binarize(d, { kind: 'stochastic', seed: 8 }).examples.data).not.toEqual(b);
  });

  it('rejects NaN, and values outside [0, 1] for stochastic, naming the example and feature', () => {
    const nan = dataset([0, 1, 0.5, NaN], 2);
    const half = { kind: 'threshold', threshold: 0.5 } as const;
    expectUserError(() => binarize(nan, half), 'test-data', 'example 1, feature 1', 'NaN');
    expectUserError(() => binarize(nan, { kind: 'stochastic', seed: 0 }), 'example 1, feature 1', 'NaN');
    const big = dataset([0, 1.5], 2);
    expectUserError(() => binarize(big, { kind: 'stochastic', seed: 0 }), 'example 0, feature 1', '1.5', '[0, 1]');
  });

  it('stochastic refuses a negative value as outside [0, 1], with the exact message', () => {
    const negative = dataset([0.5, 1, 0, -0.5], 2);
    expect(expectUserError(() => binarize(negative, { kind: 'stochastic', seed: 0 }))).toBe(
      'test-data: example 1, feature 1 (0-based) is -0.5, outside [0, 1]: stochastic binarization reads values as probabilities',
    );
  });
});

describe('parseBinarization', () => {
  it('reads the command-line forms, with defaults threshold 0.5 and seed 0', () => {
    expect(parseBinarization('threshold')).toEqual({ kind: 'threshold', threshold: 0.5 });
    expect(parseBinarization('threshold:0.3')).toEqual({ kind: 'threshold', threshold: 0.3 });
    expect(parseBinarization('threshold:0')).toEqual({ kind: 'threshold', threshold: 0 });
    expect(parseBinarization('stochastic')).toEqual({ kind: 'stochastic', seed: 0 });
    expect(parseBinarization('stochastic:7')).toEqual({ kind: 'stochastic', seed: 7 });
    expect(parseBinarization('none')).toEqual({ kind: 'none' });
  });

  it('rejects other text with the flag and the valid forms', () => {
    for (const bad of ['', 'thresh', 'threshold:', 'threshold:abc', 'threshold:NaN', 'stochastic:-1', 'stochastic:1.5',
      'stochastic:2147483648', 'none:1', 'Threshold']) {
      expectUserError(() => parseBinarization(bad), '--binarize', `'${bad}'`, 'threshold:T', 'stochastic:SEED');
    }
    expectUserError(() => parseBinarization('x', '--test-binarize'), '--test-binarize');
  });

  it('reads seeds of several digits, up to 2^31 - 1', () => {
    expect(parseBinarization('stochastic:12')).toEqual({ kind: 'stochastic', seed: 12 });
    expect(parseBinarization('stochastic:2147483647')).toEqual({ kind: 'stochastic', seed: 2147483647 });
  });

  it('words each refusal exactly: the flag, the text, why, and the valid forms', () => {
    const forms = 'use threshold, threshold:T, stochastic, stochastic:SEED or none';
    const message = (text: string): string => expectUserError(() => parseBinarization(text));
    expect(message('none:1')).toBe(`--binarize 'none:1': 'none' takes no argument; ${forms}`);
    expect(message('threshold:abc')).toBe(`--binarize 'threshold:abc': 'abc' is not a number; ${forms}`);
    expect(message('stochastic:2147483648')).toBe(`--binarize 'stochastic:2147483648': seed '2147483648' is not an integer from 0 to 2^31 - 1; ${forms}`);
    expect(message('thresh')).toBe(`--binarize 'thresh': unknown binarization 'thresh'; ${forms}`);
  });

  it('takes the text before the first colon as the kind, empty for text that starts with a colon', () => {
    expect(expectUserError(() => parseBinarization(':0.5'))).toBe(
      "--binarize ':0.5': unknown binarization ''; use threshold, threshold:T, stochastic, stochastic:SEED or none",
    );
  });
});

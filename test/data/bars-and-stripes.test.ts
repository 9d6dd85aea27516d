import { describe, expect, it } from 'vitest';
import { barsAndStripes, barsAndStripesEntropy } from '../../src/data/bars-and-stripes.js';

/** Whether the n x n 0/1 picture p has every row constant, or every column constant. */
function isBarsOrStripes(p: ArrayLike<number>, n: number): boolean {
  let rowsConstant = true;
  let colsConstant = true;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (p[i * n + j] !== p[i * n]) rowsConstant = false;
      if (p[i * n + j] !== p[j]) colsConstant = false;
    }
  }
  return rowsConstant || colsConstant;
}

/** Every n x n 0/1 picture that is bars or stripes, found by brute force over all 2^(n*n) pictures. */
function bruteForce(n: number): Set<string> {
  const found = new Set<string>();
  for (let bits = 0; bits < 2 ** (n * n); bits++) {
    const p = Array.from({ length: n * n }, (_, k) => (bits >> k) & 1);
    if (isBarsOrStripes(p, n)) found.add(p.join(''));
  }
  return found;
}

const patterns = (n: number): string[] => {
  const { data, rows, cols } = barsAndStripes(n).examples;
  return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)).join(''));
};

describe('barsAndStripes', () => {
  it('gives the 30 distinct 4x4 patterns, each with constant rows or constant columns', () => {
    const d = barsAndStripes(4);
    expect(d.examples.rows).toBe(30);
    expect(d.examples.cols).toBe(16);
    expect(d.imageShape).toEqual([4, 4]);
    expect(d.name).toBe('bars-and-stripes:4');
    const list = patterns(4);
    expect(new Set(list).size).toBe(30);
    for (const p of list) expect(isBarsOrStripes(p.split('').map(Number), 4)).toBe(true);
  });

  it('matches a brute-force enumeration for n = 1 .. 4 (2^(n+1) - 2 patterns)', () => {
    for (const n of [1, 2, 3, 4]) {
      const expected = bruteForce(n);
      expect(expected.size).toBe(2 ** (n + 1) - 2);
      expect(new Set(patterns(n))).toEqual(expected);
    }
  });

  it('lists stripes first: pattern k sets row j when bit j of k is 1', () => {
    expect(patterns(2)).toEqual(['0000', '1100', '0011', '1111', '1010', '0101']);
  });

  it('has entropy log(2^(n+1) - 2) and rejects a bad n', () => {
    expect(barsAndStripesEntropy(4)).toBeCloseTo(Math.log(30), 12);
    expect(barsAndStripesEntropy(2)).toBeCloseTo(Math.log(6), 12);
    expect(() => barsAndStripes(0)).toThrow(RangeError);
    expect(() => barsAndStripes(2.5)).toThrow(RangeError);
  });

  it('names the bad n in its refusal', () => {
    expect(() => barsAndStripes(0)).toThrow('barsAndStripes: n must be a positive integer, got 0');
    expect(() => barsAndStripes(2.5)).toThrow('barsAndStripes: n must be a positive integer, got 2.5');
  });
});

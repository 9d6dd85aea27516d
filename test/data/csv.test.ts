import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import { expectUserError, makeTempDir } from './fixtures.js';

const dir = makeTempDir();
let fileCount = 0;
const csv = (text: string | Uint8Array): string => {
  const path = join(dir, `f${fileCount++}.csv`);
  writeFileSync(path, text);
  return path;
};
const f32 = (values: number[]): number[] => values.map(Math.fround);

describe('loadCsv', () => {
  it('reads numbers without a header: plain, signed, fractional and exponent forms', () => {
    const d = loadCsv(csv('1,-2.5,3e2\n.5, +4 ,1E-3\n'));
    expect(d.examples.rows).toBe(2);
    expect(d.examples.cols).toBe(3);
    expect(Array.from(d.examples.data)).toEqual(f32([1, -2.5, 300, 0.5, 4, 0.001]));
    expect(d.labels).toBeUndefined();
    expect(d.imageShape).toBeUndefined();
  });

  it('takes a first row without numbers as a header, and a label column by name or index', () => {
    const path = csv('a,b,class\n0.1,0.2,1\n0.3,0.4,0\n0.5,0.6,2\n');
    const noLabel = loadCsv(path);
    expect(noLabel.examples.rows).toBe(3);
    expect(noLabel.examples.cols).toBe(3);
    const byName = loadCsv(path, { labelColumn: 'class' });
    expect(Array.from(byName.examples.data)).toEqual(f32([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]));
    expect(Array.from(byName.labels ?? [])).toEqual([1, 0, 2]);
    expect(loadCsv(path, { labelColumn: -1 })).toEqual(byName);
    expect(loadCsv(path, { labelColumn: 2 })).toEqual(byName);
    const first = loadCsv(csv('7,0,1\n3,1,1\n'), { labelColumn: 0 });
    expect(Array.from(first.labels ?? [])).toEqual([7, 3]);
    expect(Array.from(first.examples.data)).toEqual([0, 1, 1, 1]);
  });

  it('refuses a first row mixing numbers and text, naming its text field, rather than drop it as a header', () => {
    const mixed = csv('1,abc\n2,3\n4,5\n');
    expectUserError(() => loadCsv(mixed), mixed, 'line 1, column 2', '"abc" is not a number', 'a header row holds no numbers');
    const numberedHeader = csv('id,2020\n1,2\n');
    expectUserError(() => loadCsv(numberedHeader), numberedHeader, 'line 1, column 1', '"id" is not a number');
    const gap = csv('1,,2\n3,4,5\n');
    expectUserError(() => loadCsv(gap), gap, 'line 1, column 2', 'empty field');
    const late = csv('1,2\n3,abc\n');
    expectUserError(() => loadCsv(late), late, 'line 2, column 2', '"abc" is not a number');
    expect(() => loadCsv(late)).not.toThrow(/header/);
  });

  it('takes a first row of text and empty fields as a header (an unnamed index column)', () => {
    const d = loadCsv(csv(',a,b\n0,1,2\n1,3,4\n'));
    expect([d.examples.rows, d.examples.cols]).toEqual([2, 3]);
  });

  it('escapes the file\'s text in messages: no control character reaches the terminal', () => {
    const field = csv('x,y\n1,\u001b[2J\n');
    expectUserError(() => loadCsv(field), field, 'line 2, column 2', '"\\u001b[2J" is not a number');
    const name = csv('x,\u009bz\n1,2\n');
    expectUserError(() => loadCsv(name, { labelColumn: 'q' }), name, '"\\u009bz"');
    const quote = csv('1,"2"\u0007\n');
    expectUserError(() => loadCsv(quote), quote, '\\u0007');
    for (const path of [field, name, quote]) {
      expect(() => loadCsv(path, { labelColumn: 'q' })).toThrow(/^\P{Cc}*$/u);
    }
  });

  it('reads gzipped CSV, quoted fields, a byte-order mark, CRLF and blank lines', () => {
    expect(Array.from(loadCsv(csv(gzipSync('x,y\n1,2\n'))).examples.data)).toEqual([1, 2]);
    expect(Array.from(loadCsv(csv('\ufeff"1","2"\r\n\r\n3,4\r\n')).examples.data)).toEqual([1, 2, 3, 4]);
  });

  it('rejects ragged rows, naming the file and line (blank lines counted)', () => {
    const path = csv('1,2,3\n\n4,5\n');
    expectUserError(() => loadCsv(path), path, 'line 3', '2 fields', 'expected 3');
  });

  it('rejects non-numeric, empty, NaN and infinite values, naming the file, line and column', () => {
    const word = csv('h1,h2\n1,2\n3,abc\n');
    expectUserError(() => loadCsv(word), word, 'line 3, column 2', '("h2")', '"abc" is not a number');
    const empty = csv('1,2\n3,\n');
    expectUserError(() => loadCsv(empty), empty, 'line 2, column 2', 'empty field');
    const nan = csv('1,NaN\n3,4\n');
    expectUserError(() => loadCsv(nan), nan, 'line 1, column 2', '"NaN" is not a finite number');
    const inf = csv('1,2\n-Infinity,4\n');
    expectUserError(() => loadCsv(inf), inf, 'line 2, column 1', 'not a finite number');
    const overflow = csv('1,2\n1e999,4\n');
    expectUserError(() => loadCsv(overflow), overflow, 'line 2, column 1', 'not a finite number');
    const hex = csv('1,2\n0x10,4\n');
    expectUserError(() => loadCsv(hex), hex, 'line 2, column 1', 'not a number');
  });

  it('rejects an empty file, a header without data, and malformed CSV', () => {
    const empty = csv('');
    expectUserError(() => loadCsv(empty), empty, 'empty CSV file');
    const blank = csv('\n\n');
    expectUserError(() => loadCsv(blank), blank, 'empty CSV file');
    const headerOnly = csv('a,b\n');
    expectUserError(() => loadCsv(headerOnly), headerOnly, 'no data rows');
    const quote = csv('1,"2\n3,4\n');
    expectUserError(() => loadCsv(quote), quote);
    const missing = join(dir, 'missing.csv');
    expectUserError(() => loadCsv(missing), missing, 'no such file');
  });

  it('rejects bad label columns and labels that are not class numbers', () => {
    const noHeader = csv('1,2\n3,4\n');
    expectUserError(() => loadCsv(noHeader, { labelColumn: 'y' }), noHeader, '"y"', 'no header');
    expectUserError(() => loadCsv(noHeader, { labelColumn: 2 }), noHeader, 'label column 2', '2 columns');
    expectUserError(() => loadCsv(noHeader, { labelColumn: -3 }), noHeader, 'label column -3');
    const oneColumn = csv('1\n2\n');
    expectUserError(() => loadCsv(oneColumn, { labelColumn: 0 }), oneColumn, 'no feature columns');
    const named = csv('x,y\n1,2\n');
    expectUserError(() => loadCsv(named, { labelColumn: 'z' }), named, 'no column named "z"', '"x", "y"');
    const fraction = csv('x,y\n1,2\n3,0.5\n');
    expectUserError(() => loadCsv(fraction, { labelColumn: 'y' }), fraction, 'line 3, column 2', '"0.5"');
    const negative = csv('1,-1\n');
    expectUserError(() => loadCsv(negative, { labelColumn: 1 }), negative, 'line 1, column 2', '"-1"');
  });

  it('takes the first column as the label column by its header name, or by the index -width', () => {
    const path = csv('class,x,y\n2,0.5,1\n0,1.5,2\n');
    const byName = loadCsv(path, { labelColumn: 'class' });
    expect(Array.from(byName.labels ?? [])).toEqual([2, 0]);
    expect(Array.from(byName.examples.data)).toEqual([0.5, 1, 1.5, 2]);
    expect(loadCsv(path, { labelColumn: -3 })).toEqual(byName);
    expect(expectUserError(() => loadCsv(path, { labelColumn: -4 }))).toBe(`${path}: label column -4 does not exist (the file has 3 columns)`);
  });

  it('takes labels up to 2^31 - 1 and refuses 2^31 with its line and column', () => {
    const largest = loadCsv(csv('1,2147483647\n'), { labelColumn: 1 });
    expect(Array.from(largest.labels ?? [])).toEqual([2147483647]);
    const beyond = csv('1,0\n2,2147483648\n');
    expect(expectUserError(() => loadCsv(beyond, { labelColumn: 1 }))).toBe(
      `${beyond}: line 2, column 2: label "2147483648" is not a class number (0, 1, 2, ...)`,
    );
  });

  it('words a field error of a file without a header exactly: no column name after the column number', () => {
    const path = csv('1,2\n3,\n');
    expect(expectUserError(() => loadCsv(path))).toBe(`${path}: line 2, column 2: empty field (missing value)`);
  });

  it("passes a missing file's refusal on as it is, not wrapped as a CSV error", () => {
    const missing = join(dir, 'absent.csv');
    expect(expectUserError(() => loadCsv(missing))).toBe(`${missing}: no such file`);
  });
});

import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/data/parse-number.js';

describe('parseDecimal', () => {
  it('reads plain decimal numbers', () => {
    const cases: [string, number][] = [['0', 0], ['-3', -3], ['+4', 4], ['2.', 2], ['.5', 0.5], ['1e-3', 0.001],
      ['-2.5E+2', -250]];
    for (const [text, value] of cases) expect(parseDecimal(text), text).toBe(value);
    expect(parseDecimal('1e999')).toBe(Infinity);
  });

  it('gives NaN for anything else, including forms Number() accepts', () => {
    for (const text of ['', ' ', '.', 'e3', '1e', '0x10', '0b1', 'Infinity', 'NaN', '1,5', '1 2', '--1']) {
      expect(parseDecimal(text), JSON.stringify(text)).toBeNaN();
    }
  });
});

/** Text from files in messages (src/quote.ts): control characters escaped, long text cut. */
import { describe, expect, it } from 'vitest';
import { escaped, quoted } from '../src/quote.js';

const CONTROLS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

describe('quoted', () => {
  it('puts text in double quotes, escaping quotes, backslashes and every control character', () => {
    expect(quoted('weights')).toBe('"weights"');
    expect(quoted('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoted('\u001b[2J\n\t\u007f\u009b\u2028\u202e\u2066')).toBe('"\\u001b[2J\\u000a\\u0009\\u007f\\u009b\\u2028\\u202e\\u2066"');
    expect(quoted('a\u200bb\ufeff\u{e0041}\ud800')).toBe('"a\\u200bb\\ufeff\\u{e0041}\\ud800"');
    const all = Array.from({ length: 0xa0 }, (_, c) => String.fromCharCode(c)).join('');
    expect(quoted(all.slice(0, 60))).not.toMatch(CONTROLS);
    expect(quoted(all.slice(60))).not.toMatch(CONTROLS);
  });

  it('keeps 60 characters of a longer text, the cut marked after the closing quote', () => {
    expect(quoted('x'.repeat(60))).toBe(`"${'x'.repeat(60)}"`);
    expect(quoted('x'.repeat(61))).toBe(`"${'x'.repeat(60)}"...`);
    expect(quoted('\n'.repeat(1000))).toBe(`"${'\\u000a'.repeat(60)}"...`);
  });
});

describe('escaped', () => {
  it('escapes control characters without quoting, and cuts past 200 characters', () => {
    expect(escaped('Unexpected token \'\u001b\', "{\u001b}" is not valid JSON')).toBe('Unexpected token \'\\u001b\', "{\\u001b}" is not valid JSON');
    expect(escaped('y'.repeat(200))).toBe('y'.repeat(200));
    expect(escaped('y'.repeat(201))).toBe(`${'y'.repeat(200)}...`);
  });
});

/**
 * The rule that keeps unit knowledge in src/units: no code outside it tests a unit's name. What a unit type
 * is and can do is a member of its UnitType (states, support, learnedStd, ...; isBinary), so a new unit type is
 * one file in src/units and a line in its registry. Names may still travel as values (defaults, metadata).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const UNIT = String.raw`(?:bernoulli|spin|gaussian|relu|softmax(?::\d*)?|binomial(?::\d*)?)`;
const QUOTED = String.raw`['"\`]${UNIT}['"\`:]`;

/** The ways code tests a unit's name, each with what it is called in the failure message. */
const PATTERNS: readonly (readonly [string, RegExp])[] = [
  ['a name compared with a literal', new RegExp(String.raw`\.name\s*[!=]==?\s*['"\`]|['"\`]\s*[!=]==?\s*[\w.]*\.name\b`)],
  ['a unit name compared', new RegExp(String.raw`[!=]==?\s*${QUOTED}|${QUOTED}\s*[!=]==?`)],
  ['a case of a unit name', new RegExp(String.raw`\bcase\s+${QUOTED}`)],
  ['a unit name matched', new RegExp(String.raw`\.(?:startsWith|endsWith|includes|match|test)\(\s*${QUOTED}`)],
  ['a switch on a name', /\bswitch\s*\([^)]*\bname\)/],
  ['a lookup by a unit\'s name', /\[\s*(?:[\w.]*\.)?(?:visible|hidden|units?|u)\.name\s*\]/],
];

/** Words that are not unit types where they are tested: src/nn's activations share the name relu. */
const allowed = (file: string, line: string): boolean => file.startsWith('src/nn/') && /\bactivation\b|case 'relu'/.test(line);

/** Every test of a unit name in the .ts files under `dir` outside src/units, as "file:line: what: code". */
function nameTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/');
    if (file.startsWith('src/units/')) continue;
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
        const what = PATTERNS.find(([, pattern]) => pattern.test(code))?.[0];
        if (what !== undefined && !allowed(file, code)) found.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
      });
  }
  return found;
}

describe('unit knowledge stays in src/units', () => {
  it('no code outside src/units tests a unit\'s name', () => {
    expect(nameTests(join(ROOT, 'src'))).toEqual([]);
  });

  it('the scan catches each way of testing a name', () => {
    const caught = (line: string, file = 'src/x.ts'): boolean => PATTERNS.some(([, p]) => p.test(line)) && !allowed(file, line);
    for (const line of [
      "if (units.name === 'bernoulli') f();",
      "if ('gaussian' !== rbm.visible.name) f();",
      "return visibleUnits === 'gaussian' ? 0.001 : 0.05;",
      "case 'spin':",
      "else if (name.startsWith('softmax:')) f();",
      'switch (units.name) {',
      'const middle = BINARY_MIDDLE[rbm.visible.name];',
      'return MIDDLE[u.name];',
      "if ((metadata[side] ?? 'bernoulli') !== 'bernoulli') throw e;",
    ]) {
      expect(caught(line), line).toBe(true);
    }
    for (const line of ["const units = config.visible ?? 'bernoulli';", "visible: 'bernoulli',", 'if (isBinary(rbm.visible)) f();', "if (name === '__metadata__') f();"]) {
      expect(caught(line), line).toBe(false);
    }
    expect(caught("activation === 'relu' ? a : b", 'src/nn/mlp.ts')).toBe(false);
    expect(caught("if (r.hidden.name !== 'bernoulli') throw e;", 'src/nn/mlp.ts')).toBe(true);
  });
});

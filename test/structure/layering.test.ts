import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering of src/: each folder imports only from folders of a lower rank, and no module imports itself
 * through a circle of imports. Models import no trainer; the CLI is the top.
 */
const RANK: Readonly<Record<string, number>> = {
  'errors.ts': 0,
  'quote.ts': 0,
  tensor: 0,
  random: 0,
  graph: 0,
  runtime: 1,
  autodiff: 1,
  units: 1,
  models: 2,
  samplers: 3,
  data: 3,
  io: 3,
  estimators: 4,
  nn: 4,
  training: 5,
  cli: 6,
  'index.ts': 6,
};

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The src files that `file` imports (relative imports only, type-only imports included), as absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** The folder (or top-level file) of src that `file` belongs to. */
const area = (file: string): string => relative(SRC, file).split('/')[0];

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('src layering', () => {
  it('names a rank for every folder of src', () => {
    const unranked = [...new Set(files.map(area))].filter((a) => RANK[a] === undefined);
    expect(unranked).toEqual([]);
  });

  it('imports only from folders of a lower rank (or its own)', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        const [from, to] = [area(file), area(target)];
        if (from !== to && !(RANK[to] < RANK[from])) violations.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no circle of imports between modules', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      path.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === 'open') circles.push([...path.slice(path.indexOf(target)), target].map((f) => relative(SRC, f)).join(' -> '));
        else if (state.get(target) === undefined && graph.has(target)) visit(target);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (state.get(file) === undefined) visit(file);
    expect(circles).toEqual([]);
  });
});

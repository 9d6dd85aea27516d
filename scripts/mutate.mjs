#!/usr/bin/env node
// Mutation testing of the math and safety code (StrykerJS, stryker.config.mjs): plants small bugs one at a
// time in the source files and counts those that make a test fail.
//   npm run mutate                     the scoped files changed since HEAD~1 (the last commit and any work
//                                      not yet committed)
//   npm run mutate -- --base main~5    ... changed since another commit
//   npm run mutate -- src/units        a folder or files (within the scope)
//   npm run mutate -- --all            every scoped file (hours on 2 cores)
// The report: reports/mutation/mutation.json, and the score per file on the terminal.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The folders whose code is mutated: the math and the safety code. */
const SCOPE = ['src/units', 'src/samplers', 'src/training', 'src/estimators', 'src/autodiff', 'src/io', 'src/data'];

const inScope = (file) => SCOPE.some((dir) => file.startsWith(`${dir}/`)) && file.endsWith('.ts') && !file.endsWith('.d.ts');

function filesUnder(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true }).map((name) => join(path, String(name))).filter((file) => statSync(file).isFile());
}

function changedSince(base) {
  const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
  return [...git('diff', '--name-only', base), ...git('ls-files', '--others', '--exclude-standard')];
}

const args = process.argv.slice(2);
const baseAt = args.indexOf('--base');
const base = baseAt >= 0 ? args[baseAt + 1] : 'HEAD~1';
const paths = args.filter((a, i) => !a.startsWith('--') && !(baseAt >= 0 && i === baseAt + 1));
const chosen = args.includes('--all') ? SCOPE.flatMap(filesUnder) : paths.length > 0 ? paths.flatMap(filesUnder) : changedSince(base);
const files = [...new Set(chosen)].filter((file) => inScope(file) && existsSync(file)).sort();
if (files.length === 0) {
  console.log(`mutate: no file of ${SCOPE.join(', ')} to mutate${paths.length === 0 && !args.includes('--all') ? ` (none changed since ${base})` : ''}`);
  process.exit(0);
}
console.log(`mutate: ${files.length} file(s): ${files.join(' ')}`);
const run = spawnSync('npx', ['stryker', 'run', '--mutate', files.join(',')], { stdio: 'inherit' });
process.exit(run.status ?? 1);

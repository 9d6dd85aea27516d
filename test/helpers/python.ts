/**
 * A Python interpreter with numpy, for the tests that exchange files with Python: $BOLTZMANN_PYTHON if set,
 * else the first of python3 on PATH and /usr/bin/python3 (where Debian's python3-numpy lands) that imports
 * numpy; undefined when none does, and those tests are skipped.
 */
import { spawnSync } from 'node:child_process';

const candidates = process.env.BOLTZMANN_PYTHON ? [process.env.BOLTZMANN_PYTHON] : ['python3', '/usr/bin/python3'];

export const numpyPython: string | undefined = candidates.find(
  (exe) => spawnSync(exe, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
);

/** A note for a test title when the Python tests are skipped. */
export const pythonSkipNote = numpyPython === undefined ? ' (SKIPPED: no python3 with numpy)' : '';

/** Run `script` with `args` in numpyPython and return its stdout; throws with Python's stderr on failure. */
export function python(script: string, ...args: string[]): string {
  if (numpyPython === undefined) throw new Error('no python3 with numpy');
  const result = spawnSync(numpyPython, ['-c', script, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${numpyPython} failed: ${result.stderr}`);
  return result.stdout;
}

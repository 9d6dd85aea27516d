/**
 * writeFileAtomic's failures that a test cannot provoke for real on every machine (root writes in a read-only
 * folder; no disk fills on demand): node:fs/promises is wrapped to fail one call with a given system error.
 * The message names the target and says why in words; the system error is the cause; no temp file stays and
 * the target keeps its old content.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

/** The call to fail (opening the temp file, writing into it, renaming it over the target) and its error code. */
const fault: { at?: 'open' | 'write' | 'rename'; code?: string } = vi.hoisted(() => ({}));

const failure = (syscall: string, path: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${fault.code}: injected, ${syscall} '${path}'`), { code: fault.code, syscall, path });

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    open: async (path: string, flags: string) => {
      if (fault.at === 'open') throw failure('open', path);
      const handle = await fs.open(path, flags);
      if (fault.at !== 'write') return handle;
      return {
        writeFile: () => Promise.reject(failure('write', path)),
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
    rename: (from: string, to: string) => (fault.at === 'rename' ? Promise.reject(failure('rename', from)) : fs.rename(from, to)),
  };
});

const dir = await mkdtemp(join(tmpdir(), 'boltzmann-atomic-faults-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  delete fault.at;
  delete fault.code;
});

describe('writeFileAtomic: system errors', () => {
  it.each([
    ['EACCES', 'open', `no permission to write in ${dir}`],
    ['EPERM', 'rename', `no permission to write in ${dir}`],
    ['ENOSPC', 'write', 'no space left on the device'],
  ] as const)('%s at %s: says why in words, keeps the error as cause, leaves no temp file and the old content', async (code, at, why) => {
    const path = join(dir, 'model.safetensors');
    await writeFile(path, 'old');
    Object.assign(fault, { at, code });
    const error = await writeFileAtomic(path, 'new').then(() => expect.unreachable('the write succeeded'), (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(`cannot write ${path}: ${why}`);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe(code);
    expect(await readdir(dir)).toEqual(['model.safetensors']);
    expect(await readFile(path, 'utf8')).toBe('old');
  });
});

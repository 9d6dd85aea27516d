/**
 * The lock against what other processes do between two of its file-system calls (take the lock, release it,
 * remove a stale one first) and against a lock it cannot write: races no test can time, so node:fs/promises is
 * wrapped and a test plays the other process inside one call.
 */
import { linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/errors.js';
import { deadPid } from '../helpers/processes.js';
import { LOCK_FILE, lockFolder } from '../../src/io/folder-lock.js';

/** Stand-ins for calls of node:fs/promises: a test sets one, and it runs in place of the real call. */
const faults: {
  link?: (from: string, to: string) => void;
  rename?: (from: string, to: string) => void;
  writeFile?: (path: string) => void;
} = vi.hoisted(() => ({}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    link: async (from: string, to: string) => (faults.link ? faults.link(from, to) : fs.link(from, to)),
    rename: async (from: string, to: string) => (faults.rename ? faults.rename(from, to) : fs.rename(from, to)),
    writeFile: async (path: string, data: string, options: { flag: string }) =>
      faults.writeFile ? faults.writeFile(path) : fs.writeFile(path, data, options),
  };
});

const root = mkdtempSync(join(tmpdir(), 'boltzmann-lock-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  delete faults.link;
  delete faults.rename;
  delete faults.writeFile;
  vi.restoreAllMocks();
});

const errno = (code: string, call: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: injected, ${call}`), { code });


const T1 = '2026-01-01T00:00:00.000Z';
const T2 = '2026-01-02T00:00:00.000Z';
const lockOf = (pid: number, since: string): string => JSON.stringify({ pid, host: hostname(), since }) + '\n';

let folders = 0;
/** A fresh folder, with `.lock` holding `lock` if given. */
function folder(lock?: string): { dir: string; path: string } {
  const dir = join(root, `run-${++folders}`);
  mkdirSync(dir);
  const path = join(dir, LOCK_FILE);
  if (lock !== undefined) writeFileSync(path, lock);
  return { dir, path };
}

describe('lockFolder against other processes', () => {
  it('takes the lock when the one in the way is released before it can be read', async () => {
    const { dir, path } = folder();
    let tries = 0;
    faults.link = (from, to) => {
      if (++tries === 1) throw errno('EEXIST', 'link');
      linkSync(from, to);
    };
    const lock = await lockFolder(dir, '--out');
    expect(tries).toBe(2);
    expect(lock.replacedStale).toBeUndefined();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('gives up after three tries when each time the lock is there to link and gone to read', async () => {
    const { dir, path } = folder();
    let tries = 0;
    faults.link = (from, to) => {
      if (++tries <= 3) throw errno('EEXIST', 'link');
      linkSync(from, to); // a fourth try would get it
    };
    await expect(lockFolder(dir, '--out')).rejects.toThrow(`--out ${dir}: cannot take its lock ${path}: other processes keep taking it`);
    expect(tries).toBe(3);
  });

  it('does not report a stale lock that another process removed first', async () => {
    const { dir } = folder(lockOf(deadPid(), T1));
    faults.rename = (from) => {
      delete faults.rename;
      rmSync(from);
      throw errno('ENOENT', 'rename');
    };
    const lock = await lockFolder(dir, '--out');
    expect(lock.replacedStale).toBeUndefined();
    await lock.release();
  });

  // Between reading the stale lock and moving it aside, another process replaced it with its own lock: the lock
  // moved aside is that one, and goes back. Its owner differs by pid, or (a pid used again) by start time.
  it.each([
    ['another pid', T1],
    ['the same pid, a later start', T2],
  ])('puts back a lock that another process took meanwhile (%s) and refuses it', async (_, since) => {
    const other = process.ppid;
    const { dir, path } = folder(lockOf(since === T1 ? deadPid() : other, T1));
    // The stale owner was gone when checked (its pid then went to the other process).
    const kill = vi.spyOn(process, 'kill').mockImplementationOnce(() => {
      throw errno('ESRCH', 'kill');
    });
    faults.rename = (from, to) => {
      delete faults.rename;
      writeFileSync(from, lockOf(other, since));
      renameSync(from, to);
    };
    await expect(lockFolder(dir, '--out')).rejects.toThrow(`--out ${dir}: another run (pid ${other}, since ${since}) is writing in it`);
    expect(readFileSync(path, 'utf8')).toBe(lockOf(other, since));
    expect(kill).toHaveBeenCalled();
  });

  it('does not report a stale lock when the lock it put back is released before it retries', async () => {
    const { dir } = folder(lockOf(deadPid(), T1));
    faults.rename = (from, to) => {
      delete faults.rename;
      writeFileSync(from, lockOf(process.ppid, T2));
      renameSync(from, to);
    };
    faults.link = (from, to) => {
      linkSync(from, to);
      if (from.endsWith('.stale')) rmSync(to); // put back, then released by its owner
    };
    const lock = await lockFolder(dir, '--out');
    expect(lock.replacedStale).toBeUndefined();
    await lock.release();
  });
});

describe('lockFolder: a lock it cannot write', () => {
  it('is a UserError naming the lock (not the file written aside), and leaves nothing behind', async () => {
    const { dir, path } = folder();
    faults.writeFile = (aside) => {
      throw errno('EACCES', `open '${aside}'`);
    };
    const taking = lockFolder(dir, '--out');
    await expect(taking).rejects.toThrow(UserError);
    await expect(taking).rejects.toThrow(new UserError(`--out: cannot write the lock ${path}: EACCES: injected, open '${path}'`));
    expect(readdirSync(dir)).toEqual([]);
  });
});

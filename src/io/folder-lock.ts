/**
 * One writer per folder: an exclusive lock, the file `.lock` in the folder, that holds its owner's pid and host
 * and goes stale when that process is gone. The file appears whole or not at all (written aside, then hard-linked
 * into place, which fails when a lock is there), so a kill never leaves a half-written lock.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/** The lock file's name within its folder. */
export const LOCK_FILE = '.lock';

/** Who holds a lock: what `.lock` says. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
}

/** A held lock; `release` removes it (and the folder, when the lock made it and it is still empty). */
export interface FolderLock {
  /** The owner of a stale lock this one replaced, if any. */
  readonly replacedStale?: LockOwner;
  release(): Promise<void>;
}

/** Whether process `pid` of this host is running (a process of another user counts; pids below 1 never). */
export function processAlive(pid: number): boolean {
  if (!(pid >= 1)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of `dir` (made if absent), for `what` (the flag that named it, for messages). A lock held by a
 * running process, or by another host, is a UserError naming its owner; a stale one (its process gone) is
 * replaced, and reported in `replacedStale`.
 */
export async function lockFolder(dir: string, what: string): Promise<FolderLock> {
  const created = await makeFolder(dir, what);
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  let replacedStale: LockOwner | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await placeLock(path, me, what)) {
      return {
        ...(replacedStale && { replacedStale }),
        release: async () => {
          await rm(path, { force: true });
          if (created) await rmdir(dir).catch(() => undefined);
        },
      };
    }
    const owner = await readOwner(path).catch((error: unknown) => {
      throw new UserError(`${what} ${dir}: cannot read its lock ${path} (${(error as Error).message}); if no run is writing in it, delete it`);
    });
    if (owner === undefined) continue; // released meanwhile
    if (owner.host !== me.host || processAlive(owner.pid)) {
      const where = owner.host === me.host ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`;
      throw new UserError(`${what} ${dir}: another run (${where}, since ${owner.since}) is writing in it; wait for it to end or stop it (if none is, delete ${path})`);
    }
    if (await removeStale(path, owner)) replacedStale = owner;
  }
  throw new UserError(`${what} ${dir}: cannot take its lock ${path}: other processes keep taking it`);
}

/** Makes `dir` (and its parents); whether it was made. A UserError when a file is in the way. */
async function makeFolder(dir: string, what: string): Promise<boolean> {
  try {
    return (await mkdir(dir, { recursive: true })) !== undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new UserError(`${what} ${dir}: a file is in the way; give a folder`);
    throw new UserError(`${what} ${dir}: cannot make the folder: ${(error as Error).message}`);
  }
}

/** Puts `owner`'s lock file at `path`: written aside, then linked into place; false when a lock is there. */
async function placeLock(path: string, owner: LockOwner, what: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(aside, JSON.stringify(owner) + '\n', { flag: 'wx' });
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UserError(`${what}: cannot write the lock ${path}: ${(error as Error).message.replaceAll(aside, path)}`);
  } finally {
    await rm(aside, { force: true });
  }
}

/**
 * The owner a lock file names; undefined when it is gone (another error of the read is thrown). A lock whose text
 * names no owner is owned by nobody alive (pid 0).
 */
async function readOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isInteger(owner.pid) && typeof owner.host === 'string' && typeof owner.since === 'string') return owner as LockOwner;
  } catch {
    // not JSON: handled below
  }
  return { pid: 0, host: hostname(), since: 'unknown' };
}

/**
 * Removes the stale lock of `owner` at `path`: moved aside, then checked; a lock taken meanwhile by another
 * process (moved aside by mistake) is linked back. Whether the stale lock was the one removed.
 */
async function removeStale(path: string, owner: LockOwner): Promise<boolean> {
  const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return false; // another process removed it first
  }
  try {
    const moved = await readOwner(aside);
    if (moved !== undefined && (moved.pid !== owner.pid || moved.since !== owner.since)) {
      await link(aside, path).catch(() => undefined);
      return false;
    }
    return true;
  } finally {
    await rm(aside, { force: true });
  }
}

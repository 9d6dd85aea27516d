/** Atomic file replacement: readers see the old file or the new one, never a partial write. */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { processAlive } from './folder-lock.js';

/**
 * Writes `contents` (bytes, or a string as UTF-8) to `path` atomically: into a temp file in the same directory
 * (`.<name>.<pid>.<random>.tmp`), flushed to disk with fsync, then renamed over `path`, then the directory is
 * fsynced so the rename itself survives a crash (best effort: not all platforms can sync a directory).
 * On failure the temp file is removed and a UserError naming `path` (not the temp file) is thrown; `path` keeps
 * its old content or stays absent.
 * A process killed mid-write can leave the temp file behind, never a truncated `path`.
 */
export async function writeFileAtomic(path: string, contents: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(contents);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    // The original error matters more than a failure to clean up after it.
    await rm(temp, { force: true }).catch(() => undefined);
    throw new UserError(`cannot write ${path}: ${reason(error, dir).replaceAll(temp, path)}`, { cause: error });
  }
  await syncDirectory(dir);
}

/** The name pattern of writeFileAtomic's temp files: `.<name>.<pid>.<random>.tmp`. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temp files that writes of processes no longer running left in `dir` (a kill mid-write leaves
 * one); returns their names. Temp files of running processes are writes in progress and stay.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const stale = (await readdir(dir)).filter((name) => {
    const pid = TEMP_NAME.exec(name)?.[1];
    return pid !== undefined && !processAlive(Number(pid));
  });
  await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
  return stale;
}

/** Why a write failed, in words, for the common system errors. */
function reason(error: unknown, dir: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `the folder ${dir} does not exist`;
  if (code === 'EACCES' || code === 'EPERM') return `no permission to write in ${dir}`;
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EISDIR') return 'it is a folder';
  return error instanceof Error ? error.message : String(error);
}

/** fsync a directory, so that a rename in it is durable; skipped where directories cannot be opened (Windows). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the rename has happened; only its durability across a power cut is not guaranteed.
  }
}

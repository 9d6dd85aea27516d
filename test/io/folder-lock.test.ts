/** The run folder's lock: one holder at a time, stale when its process is gone, never half-written. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { removeStaleTempFiles } from '../../src/io/atomic-write.js';
import { LOCK_FILE, lockFolder, processAlive } from '../../src/io/folder-lock.js';

const root = mkdtempSync(join(tmpdir(), 'boltzmann-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has ended. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid;

const lockOf = (pid: number, host = hostname()) => JSON.stringify({ pid, host, since: '2026-01-01T00:00:00.000Z' });

describe('lockFolder', () => {
  it('makes the folder, holds it against a second taker, and on release removes the lock and the folder it made', async () => {
    const dir = join(root, 'a', 'run');
    const lock = await lockFolder(dir, '--out');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const second = lockFolder(dir, '--out');
    await expect(second).rejects.toThrow(UserError);
    await expect(second).rejects.toThrow(`--out ${dir}: another run (pid ${process.pid}, since `);
    await lock.release();
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps a folder it made once something is written in it, and one that was there', async () => {
    const made = join(root, 'made');
    const lock = await lockFolder(made, '--out');
    writeFileSync(join(made, 'model.safetensors'), 'x');
    await lock.release();
    expect(readdirSync(made)).toEqual(['model.safetensors']);
    const again = await lockFolder(made, '--out');
    rmSync(join(made, 'model.safetensors'));
    await again.release();
    expect(existsSync(made)).toBe(true);
  });

  it('replaces a stale lock (its process gone) and says whose it was', async () => {
    const dir = join(root, 'stale');
    const pid = deadPid();
    expect(processAlive(pid)).toBe(false);
    mkdirSync(dir);
    writeFileSync(join(dir, LOCK_FILE), lockOf(pid));
    const lock = await lockFolder(dir, '--out');
    expect(lock.replacedStale?.pid).toBe(pid);
    await lock.release();
  });

  it('replaces an unreadable lock; refuses a live owner and an owner on another host', async () => {
    const dir = join(root, 'owners');
    mkdirSync(dir);
    writeFileSync(join(dir, LOCK_FILE), '{"pid": 12');
    const lock = await lockFolder(dir, '--out');
    expect(lock.replacedStale?.pid).toBe(0);
    await lock.release();
    writeFileSync(join(dir, LOCK_FILE), lockOf(process.ppid));
    await expect(lockFolder(dir, '--out')).rejects.toThrow(`another run (pid ${process.ppid}, since 2026-01-01T00:00:00.000Z) is writing in it`);
    writeFileSync(join(dir, LOCK_FILE), lockOf(deadPid(), 'elsewhere'));
    await expect(lockFolder(dir, '--out')).rejects.toThrow(/another run \(pid \d+ on elsewhere, since/);
  });

  it('of many takers at once, one wins; with a stale lock in place too', async () => {
    for (const stale of [false, true]) {
      const dir = join(root, `race-${stale}`);
      mkdirSync(dir);
      if (stale) writeFileSync(join(dir, LOCK_FILE), lockOf(deadPid()));
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockFolder(dir, '--out')));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof UserError)).toBe(true);
      await won[0].value.release();
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('refuses a file in the way, naming it', async () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    await expect(lockFolder(file, '--out')).rejects.toThrow(`--out ${file}: a file is in the way; give a folder`);
    await expect(lockFolder(join(file, 'below'), '--out')).rejects.toThrow(UserError);
  });
});

describe('removeStaleTempFiles', () => {
  it('removes the temp files of writers that are gone and keeps those of running ones and every other file', async () => {
    const dir = join(root, 'temps');
    mkdirSync(dir);
    const dead = `.model.safetensors.${deadPid()}.0123456789ab.tmp`;
    const live = `.log.jsonl.${process.pid}.0123456789ab.tmp`;
    for (const name of [dead, live, 'model.safetensors', '.notes.tmp', 'x.123.0123456789ab.tmp']) writeFileSync(join(dir, name), '');
    expect(await removeStaleTempFiles(dir)).toEqual([dead]);
    expect(readdirSync(dir).sort()).toEqual([live, '.notes.tmp', 'model.safetensors', 'x.123.0123456789ab.tmp'].sort());
  });
});

/** The run folder's lock: one holder at a time, stale when its process is gone, never half-written. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/errors.js';
import { removeStaleTempFiles } from '../../src/io/atomic-write.js';
import { deadPid } from '../helpers/processes.js';
import { LOCK_FILE, lockFolder, processAlive } from '../../src/io/folder-lock.js';

const root = mkdtempSync(join(tmpdir(), 'boltzmann-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));


const lockOf = (pid: number, host = hostname()) => JSON.stringify({ pid, host, since: '2026-01-01T00:00:00.000Z' });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('processAlive', () => {
  it('counts pid 1 (init, always running) as running and pids below 1 never', () => {
    expect(processAlive(1)).toBe(true);
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-1)).toBe(false);
    expect(processAlive(Number.NaN)).toBe(false);
  });

  it("counts a process it may not signal (EPERM: another user's) as running, and one that is gone (ESRCH) not", () => {
    const kill = vi.spyOn(process, 'kill');
    kill.mockImplementationOnce(() => {
      throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    });
    expect(processAlive(4242)).toBe(true);
    kill.mockImplementationOnce(() => {
      throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    });
    expect(processAlive(4242)).toBe(false);
    expect(kill).toHaveBeenCalledWith(4242, 0);
  });
});

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

  it("holds its owner's pid, host and start time in .lock, one JSON line", async () => {
    const dir = join(root, 'content');
    const before = Date.now();
    const lock = await lockFolder(dir, '--out');
    const text = readFileSync(join(dir, LOCK_FILE), 'utf8');
    const owner = JSON.parse(text) as { pid: number; host: string; since: string };
    expect(text).toBe(JSON.stringify(owner) + '\n');
    expect(owner).toEqual({ pid: process.pid, host: hostname(), since: expect.any(String) as string });
    expect(Date.parse(owner.since)).toBeGreaterThanOrEqual(before - 1);
    await lock.release();
  });

  it('releases without an error when its lock file is already gone (deleted by hand)', async () => {
    const dir = join(root, 'deleted');
    mkdirSync(dir);
    const lock = await lockFolder(dir, '--out');
    rmSync(join(dir, LOCK_FILE));
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
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

  it.each([
    ['not JSON', '{"pid": 12'],
    ['null', 'null'],
    ['empty', '{}'],
    ['no pid', JSON.stringify({ host: hostname(), since: 'x' })],
    ['a pid that is not an integer', JSON.stringify({ pid: 1.5, host: hostname(), since: 'x' })],
    ['a pid that is a string', JSON.stringify({ pid: 'x', host: hostname(), since: 'x' })],
    ['no host', JSON.stringify({ pid: 1, since: 'x' })],
    ['no time', JSON.stringify({ pid: deadPid(), host: hostname() })],
  ])('replaces an unreadable lock (%s) as owned by nobody alive: pid 0, since unknown', async (_, text) => {
    const dir = join(root, `unreadable-${text.length}-${text.replace(/\W/g, '')}`);
    mkdirSync(dir);
    writeFileSync(join(dir, LOCK_FILE), text);
    const lock = await lockFolder(dir, '--out');
    expect(lock.replacedStale).toEqual({ pid: 0, host: hostname(), since: 'unknown' });
    await lock.release();
  });

  it('gives up on a lock it cannot read (a folder named .lock), naming it', async () => {
    const dir = join(root, 'lock-folder');
    mkdirSync(join(dir, LOCK_FILE), { recursive: true });
    const taking = lockFolder(dir, '--out');
    await expect(taking).rejects.toThrow(UserError);
    const lock = join(dir, LOCK_FILE);
    await expect(taking).rejects.toThrow(`--out ${dir}: cannot read its lock ${lock} (EISDIR: illegal operation on a directory, read); if no run is writing in it, delete it`);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
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
    await expect(lockFolder(join(file, 'below'), '--out')).rejects.toThrow(`--out ${join(file, 'below')}: a file is in the way; give a folder`);
  });

  it('says why it cannot make the folder otherwise', async () => {
    const dir = join(root, 'n'.repeat(300), 'run');
    const taking = lockFolder(dir, '--out');
    await expect(taking).rejects.toThrow(UserError);
    await expect(taking).rejects.toThrow(`--out ${dir}: cannot make the folder: ENAMETOOLONG: name too long, mkdir `);
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

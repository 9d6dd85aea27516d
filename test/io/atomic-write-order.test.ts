/**
 * The order of writeFileAtomic's file-system calls, which no timing test can show: the temp file is written
 * and fsynced before the rename makes it the target (so a crash or a reader never meets a partial file), and
 * the folder is fsynced after (so the rename survives a power cut). node:fs/promises is wrapped to log them.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

const calls: string[] = [];

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const name = (path: unknown): string => (String(path).endsWith('.tmp') ? 'temp' : basename(String(path)));
  return {
    ...fs,
    open: async (path: string, flags: string) => {
      const handle = await fs.open(path, flags);
      const file = name(path);
      calls.push(`open ${file}`);
      return {
        writeFile: async (data: Uint8Array | string) => {
          await handle.writeFile(data);
          calls.push(`write ${file}`);
        },
        sync: async () => {
          await handle.sync();
          calls.push(`sync ${file}`);
        },
        close: async () => {
          await handle.close();
          calls.push(`close ${file}`);
        },
      };
    },
    rename: async (from: string, to: string) => {
      // What the target will hold the moment the rename makes it visible.
      calls.push(`rename ${name(from)} -> ${name(to)} holding ${readFileSync(from, 'utf8')}`);
      await fs.rename(from, to);
    },
  };
});

const dir = await mkdtemp(join(tmpdir(), 'boltzmann-atomic-order-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeFileAtomic: the order of its file-system calls', () => {
  it('writes and fsyncs the temp file, closes it, renames it holding every byte, then fsyncs the folder', async () => {
    const path = join(dir, 'log.jsonl');
    await writeFileAtomic(path, 'all of it');
    expect(calls).toEqual([
      'open temp',
      'write temp',
      'sync temp',
      'close temp',
      'rename temp -> log.jsonl holding all of it',
      `open ${basename(dir)}`,
      `sync ${basename(dir)}`,
      `close ${basename(dir)}`,
    ]);
    expect(await readFile(path, 'utf8')).toBe('all of it');
    expect(await readdir(dir)).toEqual(['log.jsonl']);
  });
});

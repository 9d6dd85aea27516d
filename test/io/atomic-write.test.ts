import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

/** What writeFileAtomic(path, 'x') rejects with. */
const failureOf = (path: string): Promise<unknown> => writeFileAtomic(path, 'x').then(() => expect.unreachable('the write succeeded'), (error: unknown) => error);

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boltzmann-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a file with exactly the bytes given and leaves no temp file', async () => {
    const path = join(dir, 'model.safetensors');
    await writeFileAtomic(path, new Uint8Array([0, 1, 2, 255]));
    expect([...(await readFile(path))]).toEqual([0, 1, 2, 255]);
    expect(await readdir(dir)).toEqual(['model.safetensors']);
  });

  it('writes strings as UTF-8 and replaces an existing file', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, 'old content, longer than the new one');
    await writeFileAtomic(path, 'né');
    expect([...(await readFile(path))]).toEqual([0x6e, 0xc3, 0xa9]);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('writes only the viewed bytes of a subarray', async () => {
    const path = join(dir, 'part.bin');
    await writeFileAtomic(path, new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 3));
    expect([...(await readFile(path))]).toEqual([8, 7]);
  });

  it('fails into a directory that does not exist and creates nothing, keeping the system error as the cause', async () => {
    const path = join(dir, 'missing', 'model.safetensors');
    const error = await failureOf(path);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(`cannot write ${path}: the folder ${join(dir, 'missing')} does not exist`);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes its temp file when the rename fails (the target is a folder), says so, and leaves the target as it was', async () => {
    const path = join(dir, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'keep me');
    const error = await failureOf(path);
    expect((error as Error).message).toBe(`cannot write ${path}: it is a folder`);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('EISDIR');
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('keep me');
  });

  it("passes on the system's words for other errors (a name too long), naming the file, not its temp file", async () => {
    const path = join(dir, 'n'.repeat(300));
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow(new UserError(`cannot write ${path}: ENAMETOOLONG: name too long, open '${path}'`));
    expect(await readdir(dir)).toEqual([]);
  });

  // Root writes in a read-only folder all the same: atomic-write-faults.test.ts injects the error instead.
  it.skipIf(process.getuid?.() === 0)('fails in a read-only folder: no permission, and no temp file left', async () => {
    const path = join(dir, 'model.safetensors');
    await writeFile(path, 'old');
    await chmod(dir, 0o500);
    try {
      await expect(writeFileAtomic(path, 'new')).rejects.toThrow(`cannot write ${path}: no permission to write in ${dir}`);
    } finally {
      await chmod(dir, 0o700);
    }
    expect(await readdir(dir)).toEqual(['model.safetensors']);
    expect(await readFile(path, 'utf8')).toBe('old');
  });

  it('lets concurrent readers see the old content or the new, never a mixture', async () => {
    const path = join(dir, 'big.bin');
    const contents = [Buffer.alloc(4 << 20, 1), Buffer.alloc(4 << 20, 2)];
    await writeFile(path, contents[0]);
    let reads = 0;
    for (let round = 1; round <= 6; round++) {
      let done = false;
      const writing = writeFileAtomic(path, contents[round % 2]).finally(() => {
        done = true;
      });
      while (!done) {
        const bytes = await readFile(path);
        expect(bytes.equals(contents[0]) || bytes.equals(contents[1])).toBe(true);
        reads++;
      }
      await writing;
      expect((await readFile(path)).equals(contents[round % 2])).toBe(true);
    }
    expect(reads).toBeGreaterThan(0); // the reader did run while writes were under way
    expect(await readdir(dir)).toEqual(['big.bin']);
  });
});

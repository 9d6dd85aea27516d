import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

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

  it('fails into a directory that does not exist and creates nothing', async () => {
    const path = join(dir, 'missing', 'model.safetensors');
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow(`cannot write ${path}: the folder ${join(dir, 'missing')} does not exist`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes its temp file when the rename fails and leaves the target as it was', async () => {
    const path = join(dir, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'keep me');
    await expect(writeFileAtomic(path, 'new')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('keep me');
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

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_GUNZIPPED_BYTES, readDataFile } from '../../src/data/read-file.js';
import { expectUserError, makeTempDir } from './fixtures.js';

const dir = makeTempDir();
const write = (name: string, bytes: Uint8Array | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

describe('readDataFile', () => {
  it('returns plain bytes as they are, whatever the name', () => {
    expect(readDataFile(write('plain.gz', 'hello')).toString()).toBe('hello');
    expect(readDataFile(write('empty', '')).length).toBe(0);
    expect(Array.from(readDataFile(write('one', Uint8Array.from([0x1f]))))).toEqual([0x1f]);
  });

  it('returns bytes that start with 1f but not 8b as they are: only both magic bytes mean gzip', () => {
    expect(Array.from(readDataFile(write('half-magic', Uint8Array.from([0x1f, 0x41, 0x42]))))).toEqual([0x1f, 0x41, 0x42]);
  });

  it('gunzips content that starts with 1f 8b, whatever the name', () => {
    const zipped = gzipSync('hello, gzip');
    expect(Array.from(zipped.subarray(0, 2))).toEqual([0x1f, 0x8b]);
    expect(readDataFile(write('zipped.txt', zipped)).toString()).toBe('hello, gzip');
  });

  it('names the path of a missing file, a folder or corrupt gzip data', () => {
    const missing = join(dir, 'nope');
    expectUserError(() => readDataFile(missing), missing, 'no such file');
    expectUserError(() => readDataFile(dir), dir, 'is a directory');
    const corrupt = write('corrupt', gzipSync('x'.repeat(1000)).subarray(0, 12));
    expectUserError(() => readDataFile(corrupt), corrupt, 'gzip');
  });

  it("words the refusals of a missing file and of a folder exactly: '<path>: no such file', '<path>: is a directory, not a data file'", () => {
    const missing = join(dir, 'absent.csv');
    expect(expectUserError(() => readDataFile(missing))).toBe(`${missing}: no such file`);
    expect(expectUserError(() => readDataFile(dir))).toBe(`${dir}: is a directory, not a data file`);
  });

  it("refuses a path it cannot read for another reason with '<path>: cannot read the file (<the system's reason>)'", () => {
    const under = join(write('a-file', 'x'), 'child');
    const message = expectUserError(() => readDataFile(under));
    expect(message.startsWith(`${under}: cannot read the file (ENOTDIR: not a directory`)).toBe(true);
    expect(message.endsWith(')')).toBe(true);
  });

  it('stops a gzip bomb at its limit, before it fills memory, and reads data of exactly the limit', () => {
    const bomb = write('bomb.gz', gzipSync(Buffer.alloc(100_000)));
    expectUserError(() => readDataFile(bomb, 99_999), bomb, 'decompresses to more than 99999 bytes');
    expect(readDataFile(bomb, 100_000).length).toBe(100_000);
    expect(MAX_GUNZIPPED_BYTES).toBe(2 ** 30);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { UserError } from '../../src/errors.js';

/** A fresh temporary folder, removed after the tests of the calling file or describe block. */
export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'boltzmann-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Asserts that f throws a UserError whose one-line message contains every one of `parts`; returns the message. */
export function expectUserError(f: () => unknown, ...parts: string[]): string {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UserError);
  const message = (caught as UserError).message;
  expect(message).not.toContain('\n');
  for (const part of parts) expect(message).toContain(part);
  return message;
}

/** The bytes of an IDX file of unsigned bytes: magic 0x0000080N (N = dims.length), big-endian sizes, values. */
export function idxBytes(dims: number[], values: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, Buffer.from(Uint8Array.from(values))]);
}

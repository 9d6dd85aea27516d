import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors.js';

/** The most bytes a gzipped data file may decompress to (1 GiB): a gzip bomb stops there, before it fills memory. */
export const MAX_GUNZIPPED_BYTES = 2 ** 30;

/**
 * The bytes of the file at `path`, gunzipped when the file starts with the gzip magic bytes 1f 8b (whatever
 * its name), up to `maxGunzipped` bytes. A missing, unreadable or corrupt file, or one that decompresses to
 * more, is a UserError naming the path.
 */
export function readDataFile(path: string, maxGunzipped = MAX_GUNZIPPED_BYTES): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: no such file`);
    if (code === 'EISDIR') throw new UserError(`${path}: is a directory, not a data file`);
    throw new UserError(`${path}: cannot read the file (${(e as Error).message})`);
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxGunzipped });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new UserError(`${path}: decompresses to more than ${maxGunzipped} bytes, the limit of a gzipped data file`);
    throw new UserError(`${path}: corrupt or truncated gzip data (${(e as Error).message})`);
  }
}

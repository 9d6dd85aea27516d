/** Model files on disk: the bytes of `rbm-codec.ts`, read from and written (atomically) to a path. */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { RBM } from '../models/rbm.js';
import type { Engine } from '../runtime/engine.js';
import { writeFileAtomic } from './atomic-write.js';
import { decodeRbm, encodeRbm, type ModelMetadata } from './rbm-codec.js';

/** Write `rbm` to `path` atomically (a temp file renamed over it: never a half-written model). */
export async function saveRbm(path: string, rbm: RBM, extra: ModelMetadata = {}): Promise<void> {
  await writeFileAtomic(path, encodeRbm(rbm, extra));
}

/** Read the RBM at `path`. */
export async function loadRbm(engine: Engine, path: string): Promise<{ rbm: RBM; metadata: ModelMetadata }> {
  return decodeRbm(engine, await readModelFile(path), path);
}

/** The bytes of the model file at `path`; a file that cannot be read is a UserError naming it. */
export async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new UserError(`${path}: cannot read the model file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

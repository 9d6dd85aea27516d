/**
 * What every model codec shares: the `format` of the model-file contract (DESIGN.md, "Model files"), its
 * string metadata, and reading float tensors with one-line errors naming the file. Bytes only: no file system.
 */
import { UserError } from '../errors.js';
import { decodeSafetensors, type NamedTensor, type SafetensorsContents } from './safetensors.js';

/** The `format` metadata value of the model-file contract. */
export const MODEL_FORMAT = 'boltzmann/1';

/** What a model file says besides the tensors: the training configuration and anything else, as strings. */
export type ModelMetadata = Record<string, string>;

/** The tensors and metadata of model-file `bytes` read from `source`; a UserError when its format is not MODEL_FORMAT. */
export function decodeModelFile(bytes: Uint8Array, source: string): SafetensorsContents {
  const contents = decodeSafetensors(bytes, source);
  const format = contents.metadata.format;
  if (format !== undefined && format !== MODEL_FORMAT) throw new UserError(`${source}: model format "${format}" is not ${MODEL_FORMAT}`);
  return contents;
}

/** Tensor `name` as float32 (F64 converted); a UserError naming `source` when it is missing (`expected` says what the file should hold) or not a float. */
export function floatTensor(tensors: Readonly<Record<string, NamedTensor>>, name: string, source: string, expected: string): Float32Array {
  const t = tensors[name];
  if (t === undefined) throw new UserError(`${source}: no tensor "${name}" (${expected})`);
  if (t.dtype === 'F32') return t.data;
  if (t.dtype === 'F64') return Float32Array.from(t.data);
  throw new UserError(`${source}: tensor "${name}" is ${t.dtype}, expected F32 or F64`);
}

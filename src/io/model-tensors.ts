/**
 * What every model codec shares: the `format` of the model-file contract (DESIGN.md, "Model files"), its
 * string metadata, and the checks of a model file before use (its kind, unit metadata, `epochs_trained`, the
 * names, shapes and values of its tensors), each a one-line UserError naming the file, with the file's text
 * quoted. Bytes only: no file system.
 */
import { UserError } from '../errors.js';
import { escaped, quoted } from '../quote.js';
import { isBinary, unitType, UNIT_NAMES, type UnitType } from '../units/index.js';
import { decodeSafetensors, isCount, type NamedTensor, type SafetensorsContents } from './safetensors.js';

/** The `format` metadata value of the model-file contract. */
export const MODEL_FORMAT = 'boltzmann/1';

/** What a model file says besides the tensors: the training configuration and anything else, as strings. */
export type ModelMetadata = Record<string, string>;

/** A decoded model file and `source`, its name in messages. */
export interface ModelFileContents extends SafetensorsContents {
  readonly source: string;
}

/** The unit metadata of the contract: the unit type of the visible layer and that of the hidden layers. */
export type UnitKey = 'visible' | 'hidden';

/** The tensors and metadata of model-file `bytes` read from `source`; a UserError when its format is not MODEL_FORMAT. */
export function decodeModelFile(bytes: Uint8Array, source: string): ModelFileContents {
  const contents = decodeSafetensors(bytes, source);
  const format = contents.metadata.format;
  if (format !== undefined && format !== MODEL_FORMAT) throw new UserError(`${source}: model format ${quoted(format)} is not ${MODEL_FORMAT}`);
  return { ...contents, source };
}

/** Checks that `file` holds a model of `kind` (metadata `kind`, absent: "rbm"); `model` names it in the message ("an RBM"). */
export function checkKind(file: ModelFileContents, kind: string, model: string): void {
  const found = file.metadata.kind ?? 'rbm';
  if (found !== kind) throw new UserError(`${file.source}: a ${quoted(found)} model, not ${model}`);
}

/** A UserError naming the file and the metadata `key`, quoting its value, saying `problem`. */
function badMetadata(file: ModelFileContents, key: string, problem: string): UserError {
  return new UserError(`${file.source}: metadata "${key}" is ${quoted(file.metadata[key])}: ${problem}`);
}

/**
 * The unit type named by metadata `key`, parsed by the unit registry (its message, escaped, when it is not one).
 * Required: a file without it would be read with units other than those it was written with (and tensors
 * such as `visible_log_std` lost).
 */
export function unitsOf(file: ModelFileContents, key: UnitKey): UnitType {
  const name = file.metadata[key];
  if (name === undefined) throw new UserError(`${file.source}: no metadata "${key}" (the ${key} units' type: ${UNIT_NAMES})`);
  try {
    return unitType(name);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    throw new UserError(`${file.source}: metadata "${key}": ${escaped(e.message)}`);
  }
}

/** Checks that both unit metadata name binary units, as the layers of `model` ("a DBN", "a DBM") are. */
export function checkBinaryUnits(file: ModelFileContents, model: string): void {
  for (const key of ['visible', 'hidden'] as const) {
    if (!isBinary(unitsOf(file, key))) throw badMetadata(file, key, `${model} has Bernoulli units`);
  }
}

/** Metadata `epochs_trained` as a count of epochs, written in decimal digits; 0 when absent. */
export function epochsTrainedOf(file: ModelFileContents): number {
  const text = file.metadata.epochs_trained;
  if (text === undefined) return 0;
  const epochs = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!isCount(epochs)) throw badMetadata(file, 'epochs_trained', 'not a count of epochs (0, 1, 2, ...)');
  return epochs;
}

/** Metadata `epochs_trained` as a JSON list of `count` counts (one per RBM of a stack); zeros when absent. */
export function epochListOf(file: ModelFileContents, count: number): number[] {
  const text = file.metadata.epochs_trained;
  if (text === undefined) return new Array<number>(count).fill(0);
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = undefined;
  }
  if (!(Array.isArray(list) && list.length === count && list.every(isCount))) throw badMetadata(file, 'epochs_trained', `not a JSON list of counts, one per RBM (${count})`);
  return list;
}

/** Checks metadata `key` (a JSON list of units per layer, such as `layers`), where present, against the `sizes` of the tensors. */
export function checkSizesMetadata(file: ModelFileContents, key: string, sizes: readonly number[]): void {
  const text = file.metadata[key];
  if (text !== undefined && text !== JSON.stringify(sizes)) throw badMetadata(file, key, `the tensors' layers are ${JSON.stringify(sizes)}`);
}

/** Checks that every tensor of `file` is one of `names`, those of its model; `has` says what the file should hold. */
export function checkNoOtherTensors(file: ModelFileContents, names: readonly string[], has: string): void {
  const other = Object.keys(file.tensors).find((name) => !names.includes(name));
  if (other !== undefined) throw new UserError(`${file.source}: unknown tensor ${quoted(other)} (${has})`);
}

/** The rows and columns of the 2-D tensor `name`, the sizes of the two layers it couples: each at least 1. */
export function layerSizes(file: ModelFileContents, name: string, has: string): [number, number] {
  const shape = tensorOf(file, name, has).shape;
  const shown = `${file.source}: tensor ${quoted(name)} is [${shape.join(', ')}]`;
  if (shape.length !== 2) throw new UserError(`${shown}, expected 2-D (the sizes of the layers it couples)`);
  if (shape[0] < 1 || shape[1] < 1) throw new UserError(`${shown}: every layer needs at least 1 unit`);
  return [shape[0], shape[1]];
}

/**
 * The units per layer (visible first) of a chain of couplings `weights(0)`, `weights(1)`, ... (as many as the
 * file holds without a gap; none: []): each 2-D, its rows the columns of the one before, every layer at least 1 unit.
 */
export function chainSizes(file: ModelFileContents, weights: (l: number) => string, has: string): number[] {
  const sizes: number[] = [];
  for (let l = 0; file.tensors[weights(l)] !== undefined; l++) {
    const [rows, cols] = layerSizes(file, weights(l), has);
    if (l === 0) sizes.push(rows);
    else if (rows !== sizes[l]) throw new UserError(`${file.source}: tensor ${quoted(weights(l))} has ${rows} rows but layer ${l} has ${sizes[l]} units`);
    sizes.push(cols);
  }
  return sizes;
}

/** Tensor `name` as float32 (F64 converted): present, a float, of `shape`, every value finite. */
export function floatTensor(file: ModelFileContents, name: string, shape: readonly number[], has: string): Float32Array {
  const t = tensorOf(file, name, has);
  const where = `${file.source}: tensor ${quoted(name)}`;
  if (t.dtype !== 'F32' && t.dtype !== 'F64') throw new UserError(`${where} is ${t.dtype}, expected F32 or F64`);
  if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) throw new UserError(`${where} is [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  const values = t.dtype === 'F32' ? t.data : Float32Array.from(t.data);
  if (!values.every(Number.isFinite)) throw new UserError(`${where} holds NaN or infinite values`);
  return values;
}

/** Tensor `name` of `file`; a UserError when it is missing (`has` says what the file should hold). */
function tensorOf(file: ModelFileContents, name: string, has: string): NamedTensor {
  const t = file.tensors[name];
  if (t === undefined) throw new UserError(`${file.source}: no tensor ${quoted(name)} (${has})`);
  return t;
}

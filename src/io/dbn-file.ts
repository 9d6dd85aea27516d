/**
 * DBN model files (the contract of DESIGN.md, "Model files"): per RBM l (0 at the bottom) the tensors
 * `weights_l` [n_l, n_{l+1}], `visible_bias_l` [n_l], `hidden_bias_l` [n_{l+1}], float32 row-major; metadata
 * format "boltzmann/1", kind "dbn", `layers` (JSON, units per layer, visible first), `visible` and `hidden`
 * ("bernoulli"), `epochs_trained` (JSON, one per RBM) and what the caller adds (`training`, `seed`).
 * In Python: `safetensors.numpy.load_file(path)["weights_0"]`.
 */
import { UserError } from '../errors.js';
import { DBM, dbmNames } from '../models/dbm.js';
import { DBN, layerParameterName } from '../models/dbn.js';
import { parameterKeys } from '../models/rbm-graph.js';
import { RBM, type RbmParameters } from '../models/rbm.js';
import type { Engine } from '../runtime/engine.js';
import { bernoulli, isBinary, isUnitName, unitType } from '../units/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { readModelFile } from './model-file.js';
import { decodeRbm, MODEL_FORMAT, type ModelMetadata } from './rbm-codec.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';

/** A DBN as safetensors bytes (see the file comment). */
export function encodeDbn(dbn: DBN, extra: ModelMetadata = {}): Uint8Array {
  const tensors: Record<string, NamedTensor> = {};
  dbn.rbms.forEach((r, l) => {
    const shape = { weights: [r.nVisible, r.nHidden], visibleBias: [r.nVisible], hiddenBias: [r.nHidden] };
    for (const key of parameterKeys) tensors[layerParameterName(key, l)] = { dtype: 'F32', shape: shape[key], data: r.params[key] };
  });
  return encodeSafetensors(tensors, {
    ...extra,
    format: MODEL_FORMAT,
    kind: 'dbn',
    layers: JSON.stringify(dbn.sizes),
    visible: bernoulli.name,
    hidden: bernoulli.name,
    epochs_trained: JSON.stringify(dbn.rbms.map((r) => r.epochsTrained)),
  });
}

/** The DBN in safetensors `bytes` read from `source` (for messages), and its metadata. */
export function decodeDbn(engine: Engine, bytes: Uint8Array, source: string): { dbn: DBN; metadata: ModelMetadata } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata.format !== undefined && metadata.format !== MODEL_FORMAT) throw new UserError(`${source}: model format "${metadata.format}" is not ${MODEL_FORMAT}`);
  if (metadata.kind !== 'dbn') throw new UserError(`${source}: a "${metadata.kind ?? 'rbm'}" model, not a DBN`);
  for (const side of ['visible', 'hidden'] as const) {
    const name = metadata[side] ?? bernoulli.name;
    if (!(isUnitName(name) && isBinary(unitType(name)))) throw new UserError(`${source}: a DBN has Bernoulli units, the file says ${side} "${metadata[side]}"`);
  }
  const count = Object.keys(tensors).filter((name) => /^weights_\d+$/.test(name)).length;
  if (count === 0) throw new UserError(`${source}: no tensor "weights_0" (a DBN file has weights_l, visible_bias_l, hidden_bias_l per layer)`);
  const epochs = parseEpochs(metadata.epochs_trained, count);
  const rbms: RBM[] = [];
  for (let l = 0; l < count; l++) {
    const values = {} as RbmParameters;
    for (const key of parameterKeys) values[key] = floatTensor(tensors, layerParameterName(key, l), source);
    const w = tensors[layerParameterName('weights', l)];
    if (w.shape.length !== 2) throw new UserError(`${source}: weights_${l} must be 2-D, got [${w.shape.join(', ')}]`);
    const [nVisible, nHidden] = w.shape;
    if (values.visibleBias.length !== nVisible || values.hiddenBias.length !== nHidden) {
      throw new UserError(`${source}: visible_bias_${l} has ${values.visibleBias.length} and hidden_bias_${l} ${values.hiddenBias.length} values, but weights_${l} is ${nVisible} x ${nHidden}`);
    }
    if (l > 0 && rbms[l - 1].nHidden !== nVisible) throw new UserError(`${source}: weights_${l} has ${nVisible} rows but layer ${l} has ${rbms[l - 1].nHidden} units`);
    for (const key of parameterKeys) {
      if (!values[key].every(Number.isFinite)) throw new UserError(`${source}: ${layerParameterName(key, l)} holds NaN or infinite values`);
    }
    const rbm = new RBM(engine, { nVisible, nHidden }, values);
    rbm.epochsTrained = epochs[l];
    rbms.push(rbm);
  }
  return { dbn: new DBN(engine, rbms), metadata };
}

/** Write `dbn` to `path` atomically. */
export async function saveDbn(path: string, dbn: DBN, extra: ModelMetadata = {}): Promise<void> {
  await writeFileAtomic(path, encodeDbn(dbn, extra));
}

/** Read the DBN at `path`. */
export async function loadDbn(engine: Engine, path: string): Promise<{ dbn: DBN; metadata: ModelMetadata }> {
  return decodeDbn(engine, await readModelFile(path), path);
}

/**
 * A DBM as safetensors bytes: `weights_l` [n_l, n_{l+1}], `visible_bias_0` [n_0] and `hidden_bias_l`
 * [n_{l+1}] (the bias of layer l + 1), float32; metadata kind "dbm", `layers` (JSON, visible first),
 * `epochs_trained` (of joint training) and `extra`.
 */
export function encodeDbm(dbm: DBM, extra: ModelMetadata = {}): Uint8Array {
  const tensors: Record<string, NamedTensor> = {};
  dbm.params.weights.forEach((w, l) => (tensors[dbmNames.weights(l)] = { dtype: 'F32', shape: [dbm.sizes[l], dbm.sizes[l + 1]], data: w }));
  dbm.params.biases.forEach((b, l) => (tensors[dbmNames.bias(l)] = { dtype: 'F32', shape: [dbm.sizes[l]], data: b }));
  return encodeSafetensors(tensors, {
    ...extra,
    format: MODEL_FORMAT,
    kind: 'dbm',
    layers: JSON.stringify(dbm.sizes),
    visible: bernoulli.name,
    hidden: bernoulli.name,
    epochs_trained: String(dbm.epochsTrained),
  });
}

/** The DBM in safetensors `bytes` read from `source`, and its metadata. */
export function decodeDbm(engine: Engine, bytes: Uint8Array, source: string): { dbm: DBM; metadata: ModelMetadata } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata.format !== undefined && metadata.format !== MODEL_FORMAT) throw new UserError(`${source}: model format "${metadata.format}" is not ${MODEL_FORMAT}`);
  if (metadata.kind !== 'dbm') throw new UserError(`${source}: a "${metadata.kind ?? 'rbm'}" model, not a DBM`);
  const count = Object.keys(tensors).filter((name) => /^weights_\d+$/.test(name)).length;
  if (count < 2) throw new UserError(`${source}: a DBM file has weights_0, weights_1, ... (2 or more), found ${count}`);
  const weights: Float32Array[] = [];
  const sizes: number[] = [];
  for (let l = 0; l < count; l++) {
    const name = dbmNames.weights(l);
    const w = tensors[name];
    if (w === undefined || w.shape.length !== 2) throw new UserError(`${source}: no 2-D tensor "${name}"`);
    if (l === 0) sizes.push(w.shape[0]);
    else if (w.shape[0] !== sizes[l]) throw new UserError(`${source}: ${name} has ${w.shape[0]} rows but layer ${l} has ${sizes[l]} units`);
    sizes.push(w.shape[1]);
    weights.push(floatTensor(tensors, name, source));
  }
  const biases = sizes.map((n, l) => {
    const b = floatTensor(tensors, dbmNames.bias(l), source);
    if (b.length !== n) throw new UserError(`${source}: ${dbmNames.bias(l)} has ${b.length} values but layer ${l} has ${n} units`);
    return b;
  });
  if (![...weights, ...biases].every((x) => x.every(Number.isFinite))) throw new UserError(`${source}: the parameters hold NaN or infinite values`);
  const dbm = new DBM(engine, sizes, { weights, biases });
  dbm.epochsTrained = Number(metadata.epochs_trained ?? 0) || 0;
  return { dbm, metadata };
}

/** Write `dbm` to `path` atomically. */
export async function saveDbm(path: string, dbm: DBM, extra: ModelMetadata = {}): Promise<void> {
  await writeFileAtomic(path, encodeDbm(dbm, extra));
}

/** Read the DBM at `path`. */
export async function loadDbm(engine: Engine, path: string): Promise<{ dbm: DBM; metadata: ModelMetadata }> {
  return decodeDbm(engine, await readModelFile(path), path);
}

/** A model file of any kind this library reads. */
export type AnyModel =
  | { kind: 'rbm'; rbm: RBM; metadata: ModelMetadata }
  | { kind: 'dbn'; dbn: DBN; metadata: ModelMetadata }
  | { kind: 'dbm'; dbm: DBM; metadata: ModelMetadata };

/** Read the model at `path`, an RBM, a DBN or a DBM by its `kind` metadata (absent: an RBM). */
export async function loadAnyModel(engine: Engine, path: string): Promise<AnyModel> {
  const bytes = await readModelFile(path);
  const kind = decodeSafetensors(bytes, path).metadata.kind ?? 'rbm';
  if (kind === 'dbn') return { kind, ...decodeDbn(engine, bytes, path) };
  if (kind === 'dbm') return { kind, ...decodeDbm(engine, bytes, path) };
  if (kind === 'rbm') return { kind, ...decodeRbm(engine, bytes, path) };
  throw new UserError(`${path}: a "${kind}" model; this command reads RBM, DBN and DBM files`);
}

/**
 * The RBMs of the model at `path`, bottom first: one for an RBM file, the stack of a DBN file; for a DBM, its
 * weights with the bias of the layer above as RBMs (the up-pass of its mean-field without the top-down input).
 */
export async function loadRbmStack(engine: Engine, path: string): Promise<RBM[]> {
  const model = await loadAnyModel(engine, path);
  if (model.kind === 'rbm') return [model.rbm];
  if (model.kind === 'dbn') return [...model.dbn.rbms];
  const { sizes, params } = model.dbm;
  return params.weights.map((w, l) => new RBM(engine, { nVisible: sizes[l], nHidden: sizes[l + 1] }, { weights: w, visibleBias: params.biases[l], hiddenBias: params.biases[l + 1] }));
}

function parseEpochs(text: string | undefined, count: number): number[] {
  try {
    const e = JSON.parse(text ?? '[]') as unknown;
    if (Array.isArray(e) && e.length === count && e.every((x) => Number.isInteger(x) && (x as number) >= 0)) return e as number[];
  } catch {
    // absent or malformed: untrained
  }
  return new Array<number>(count).fill(0);
}

function floatTensor(tensors: Record<string, NamedTensor>, name: string, source: string): Float32Array {
  const t = tensors[name];
  if (t === undefined) throw new UserError(`${source}: no tensor "${name}" (a DBN file has weights_l, visible_bias_l, hidden_bias_l per layer)`);
  if (t.dtype === 'F32') return t.data;
  if (t.dtype === 'F64') return Float32Array.from(t.data);
  throw new UserError(`${source}: tensor "${name}" is ${t.dtype}, expected F32 or F64`);
}

/**
 * DBM model files (the contract of DESIGN.md, "Model files"): `weights_l` [n_l, n_{l+1}], `visible_bias_0`
 * [n_0] and `hidden_bias_l` [n_{l+1}] (the bias of layer l + 1), float32 row-major; metadata format
 * "boltzmann/1", kind "dbm", `layers` (JSON, visible first), `visible` and `hidden` ("bernoulli", required),
 * `epochs_trained` (of joint training) and what the caller adds. Bytes only: no file system.
 */
import { UserError } from '../errors.js';
import { DBM, dbmNames } from '../models/dbm.js';
import type { Engine } from '../runtime/engine.js';
import { bernoulli } from '../units/bernoulli.js';
import {
  chainSizes,
  checkBinaryUnits,
  checkKind,
  checkNoOtherTensors,
  checkSizesMetadata,
  decodeModelFile,
  epochsTrainedOf,
  floatTensor,
  MODEL_FORMAT,
  type ModelFileContents,
  type ModelMetadata,
} from './model-tensors.js';
import { encodeSafetensors, type NamedTensor } from './safetensors.js';

/** A DBM's tensors: `weights_l` [n_l, n_{l+1}], `visible_bias_0` [n_0] and `hidden_bias_l` [n_{l+1}], float32. */
export function dbmTensors(dbm: DBM): Record<string, NamedTensor> {
  const tensors: Record<string, NamedTensor> = {};
  dbm.params.weights.forEach((w, l) => (tensors[dbmNames.weights(l)] = { dtype: 'F32', shape: [dbm.sizes[l], dbm.sizes[l + 1]], data: w }));
  dbm.params.biases.forEach((b, l) => (tensors[dbmNames.bias(l)] = { dtype: 'F32', shape: [dbm.sizes[l]], data: b }));
  return tensors;
}

/** A DBM's metadata: its `kind`, `layers` (JSON, visible first), Bernoulli units, `epochs_trained`, after `extra`. */
export function dbmMetadata(dbm: DBM, kind: string, extra: ModelMetadata): ModelMetadata {
  return { ...extra, format: MODEL_FORMAT, kind, layers: JSON.stringify(dbm.sizes), visible: bernoulli.name, hidden: bernoulli.name, epochs_trained: String(dbm.epochsTrained) };
}

/**
 * A DBM as safetensors bytes: `dbmTensors`; metadata kind "dbm", `layers` (JSON, visible first),
 * `epochs_trained` (of joint training) and `extra`.
 */
export function encodeDbm(dbm: DBM, extra: ModelMetadata = {}): Uint8Array {
  return encodeSafetensors(dbmTensors(dbm), dbmMetadata(dbm, 'dbm', extra));
}

/**
 * The DBM in safetensors `bytes` read from `source`, and its metadata. The file is checked completely: kind
 * "dbm", Bernoulli unit types named, exactly the tensors of its layers (weights_0, weights_1, ... without
 * gaps), of shapes that chain with at least 1 unit per layer, finite values, `epochs_trained` a count.
 */
export function decodeDbm(engine: Engine, bytes: Uint8Array, source: string): { dbm: DBM; metadata: ModelMetadata } {
  const file = decodeModelFile(bytes, source);
  checkKind(file, 'dbm', 'a DBM');
  return { dbm: dbmOfFile(engine, file), metadata: file.metadata };
}

/**
 * The DBM whose tensors `file` holds (kind checked by the caller), checked as `decodeDbm` says; `others`: the
 * names of the other tensors a file of `others.model` holds besides the DBM's.
 */
export function dbmOfFile(engine: Engine, file: ModelFileContents, others: { readonly names: readonly string[]; readonly model: string } = { names: [], model: 'a DBM' }): DBM {
  const { source } = file;
  checkBinaryUnits(file, others.model);
  const has = `${others.model} file has weights_l, visible_bias_0 and hidden_bias_l for l = 0, 1, ...${others.names.length === 0 ? '' : ` and ${others.names.join(', ')}`}`;
  const sizes = chainSizes(file, dbmNames.weights, has);
  if (sizes.length < 3) throw new UserError(`${source}: ${others.model} file has weights_0, weights_1, ... (2 or more), found ${Math.max(0, sizes.length - 1)}`);
  checkNoOtherTensors(file, [...sizes.slice(1).map((_, l) => dbmNames.weights(l)), ...sizes.map((_, l) => dbmNames.bias(l)), ...others.names], has);
  checkSizesMetadata(file, 'layers', sizes);
  const weights = sizes.slice(1).map((n, l) => floatTensor(file, dbmNames.weights(l), [sizes[l], n], has));
  const biases = sizes.map((n, l) => floatTensor(file, dbmNames.bias(l), [n], has));
  const dbm = new DBM(engine, sizes, { weights, biases });
  dbm.epochsTrained = epochsTrainedOf(file);
  return dbm;
}

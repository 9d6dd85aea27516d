/**
 * DBM model files (the contract of DESIGN.md, "Model files"): `weights_l` [n_l, n_{l+1}], `visible_bias_0`
 * [n_0] and `hidden_bias_l` [n_{l+1}] (the bias of layer l + 1), float32 row-major; metadata format
 * "boltzmann/1", kind "dbm", `layers` (JSON, visible first), `visible` and `hidden` ("bernoulli"),
 * `epochs_trained` (of joint training) and what the caller adds. Bytes only: no file system.
 */
import { UserError } from '../errors.js';
import { DBM, dbmNames } from '../models/dbm.js';
import type { Engine } from '../runtime/engine.js';
import { bernoulli } from '../units/bernoulli.js';
import { decodeModelFile, floatTensor, MODEL_FORMAT, type ModelMetadata } from './model-tensors.js';
import { encodeSafetensors, type NamedTensor } from './safetensors.js';

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
  const { tensors, metadata } = decodeModelFile(bytes, source);
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
    weights.push(floatTensor(tensors, name, source, 'a DBM file has weights_l, visible_bias_0 and hidden_bias_l'));
  }
  const biases = sizes.map((n, l) => {
    const b = floatTensor(tensors, dbmNames.bias(l), source, 'a DBM file has weights_l, visible_bias_0 and hidden_bias_l');
    if (b.length !== n) throw new UserError(`${source}: ${dbmNames.bias(l)} has ${b.length} values but layer ${l} has ${n} units`);
    return b;
  });
  if (![...weights, ...biases].every((x) => x.every(Number.isFinite))) throw new UserError(`${source}: the parameters hold NaN or infinite values`);
  const dbm = new DBM(engine, sizes, { weights, biases });
  dbm.epochsTrained = Number(metadata.epochs_trained ?? 0) || 0;
  return { dbm, metadata };
}


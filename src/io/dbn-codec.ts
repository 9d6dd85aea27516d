/**
 * DBN model files (the contract of DESIGN.md, "Model files"): per RBM l (0 at the bottom) the tensors
 * `weights_l` [n_l, n_{l+1}], `visible_bias_l` [n_l], `hidden_bias_l` [n_{l+1}], float32 row-major; metadata
 * format "boltzmann/1", kind "dbn", `layers` (JSON, units per layer, visible first), `visible` and `hidden`
 * ("bernoulli"), `epochs_trained` (JSON, one per RBM) and what the caller adds (`training`, `seed`).
 * In Python: `safetensors.numpy.load_file(path)["weights_0"]`.
 */
import { UserError } from '../errors.js';
import { DBN, layerParameterName } from '../models/dbn.js';
import { parameterKeys } from '../models/rbm-graph.js';
import { RBM, type RbmParameters } from '../models/rbm.js';
import type { Engine } from '../runtime/engine.js';
import { bernoulli, isBinary, isUnitName, unitType } from '../units/index.js';
import { decodeModelFile, floatTensor, MODEL_FORMAT, type ModelMetadata } from './model-tensors.js';
import { encodeSafetensors, type NamedTensor } from './safetensors.js';

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
  const { tensors, metadata } = decodeModelFile(bytes, source);
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
    for (const key of parameterKeys) values[key] = floatTensor(tensors, layerParameterName(key, l), source, 'a DBN file has weights_l, visible_bias_l, hidden_bias_l per layer');
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

function parseEpochs(text: string | undefined, count: number): number[] {
  try {
    const e = JSON.parse(text ?? '[]') as unknown;
    if (Array.isArray(e) && e.length === count && e.every((x) => Number.isInteger(x) && (x as number) >= 0)) return e as number[];
  } catch {
    // absent or malformed: untrained
  }
  return new Array<number>(count).fill(0);
}


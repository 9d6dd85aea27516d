/**
 * DBN model files (the contract of DESIGN.md, "Model files"): per RBM l (0 at the bottom) the tensors
 * `weights_l` [n_l, n_{l+1}], `visible_bias_l` [n_l], `hidden_bias_l` [n_{l+1}], float32 row-major; metadata
 * format "boltzmann/1", kind "dbn", `layers` (JSON, units per layer, visible first), `visible` and `hidden`
 * ("bernoulli", required), `epochs_trained` (JSON, one per RBM) and what the caller adds (`training`, `seed`).
 * In Python: `safetensors.numpy.load_file(path)["weights_0"]`.
 */
import { UserError } from '../errors.js';
import { DBN, layerParameterName } from '../models/dbn.js';
import { parameterKeys } from '../models/rbm-graph.js';
import { RBM } from '../models/rbm.js';
import type { Engine } from '../runtime/engine.js';
import { bernoulli } from '../units/index.js';
import {
  chainSizes,
  checkBinaryUnits,
  checkKind,
  checkNoOtherTensors,
  checkSizesMetadata,
  decodeModelFile,
  epochListOf,
  MODEL_FORMAT,
  type ModelMetadata,
} from './model-tensors.js';
import { rbmParameters } from './rbm-codec.js';
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

/**
 * The DBN in safetensors `bytes` read from `source` (for messages), and its metadata. The file is checked
 * completely: kind "dbn", Bernoulli unit types named, exactly the tensors of its RBMs (weights_0, weights_1,
 * ... without gaps), of shapes that chain with at least 1 unit per layer, finite values, `epochs_trained` a
 * list of one count per RBM.
 */
export function decodeDbn(engine: Engine, bytes: Uint8Array, source: string): { dbn: DBN; metadata: ModelMetadata } {
  const file = decodeModelFile(bytes, source);
  checkKind(file, 'dbn', 'a DBN');
  checkBinaryUnits(file, 'a DBN');
  const has = 'a DBN file has weights_l, visible_bias_l, hidden_bias_l per RBM l = 0, 1, ...';
  const sizes = chainSizes(file, (l) => layerParameterName('weights', l), has);
  if (sizes.length === 0) throw new UserError(`${source}: no tensor "weights_0" (${has})`);
  checkNoOtherTensors(file, sizes.slice(1).flatMap((_, l) => parameterKeys.map((key) => layerParameterName(key, l))), has);
  checkSizesMetadata(file, 'layers', sizes);
  const epochs = epochListOf(file, sizes.length - 1);
  const rbms = sizes.slice(1).map((nHidden, l) => {
    const nVisible = sizes[l];
    const rbm = new RBM(engine, { nVisible, nHidden }, rbmParameters(file, nVisible, nHidden, (key) => layerParameterName(key, l), has));
    rbm.epochsTrained = epochs[l];
    return rbm;
  });
  return { dbn: new DBN(engine, rbms), metadata: file.metadata };
}

/** The model-file contract (DESIGN.md, "Model files") for RBMs, as bytes: no file system access (the browser reads it). */
import { UserError } from '../errors.js';
import { parameterKeys, parameterNames, VISIBLE_LOG_STD, type ParameterKey } from '../models/rbm-graph.js';
import { RBM, type RbmParameters } from '../models/rbm.js';
import type { Engine } from '../runtime/engine.js';
import {
  checkKind,
  checkNoOtherTensors,
  decodeModelFile,
  epochsTrainedOf,
  floatTensor,
  layerSizes,
  MODEL_FORMAT,
  unitsOf,
  type ModelFileContents,
  type ModelMetadata,
} from './model-tensors.js';
import { encodeSafetensors, type NamedTensor } from './safetensors.js';

/**
 * An RBM as safetensors bytes: `weights` [nVisible, nHidden], `visible_bias` [nVisible], `hidden_bias`
 * [nHidden], and for visible units with a learned std (Gaussian units) `visible_log_std` [nVisible] (log sigma),
 * float32, with metadata format, kind "rbm", visible and hidden unit types, epochs_trained, and `extra` (for
 * example `training`: the training options as JSON, and `seed`).
 */
export function encodeRbm(rbm: RBM, extra: ModelMetadata = {}): Uint8Array {
  return encodeSafetensors(rbmTensors(rbm), { ...extra, ...rbmMetadata(rbm, 'rbm') });
}

/** An RBM's tensors by file name (see encodeRbm), for its file and the files of models built on it. */
export function rbmTensors(rbm: RBM): Record<string, NamedTensor> {
  const shape = { weights: [rbm.nVisible, rbm.nHidden], visibleBias: [rbm.nVisible], hiddenBias: [rbm.nHidden] };
  const tensors: Record<string, NamedTensor> = {};
  for (const key of parameterKeys) tensors[parameterNames[key]] = { dtype: 'F32', shape: shape[key], data: rbm.params[key] };
  if (rbm.params.visibleLogStd !== undefined) tensors[VISIBLE_LOG_STD] = { dtype: 'F32', shape: [rbm.nVisible], data: rbm.params.visibleLogStd };
  return tensors;
}

/** The metadata of a model file of `kind` built on `rbm`: format, kind, unit types and epochs trained. */
export const rbmMetadata = (rbm: RBM, kind: string): ModelMetadata => ({ format: MODEL_FORMAT, kind, visible: rbm.visible.name, hidden: rbm.hidden.name, epochs_trained: String(rbm.epochsTrained) });

/**
 * The RBM in safetensors `bytes` read from `source` (for messages), and its metadata. The file is checked
 * completely: kind "rbm" (or none), both unit types named, exactly the tensors of those units, of matching
 * shapes with at least 1 unit per layer, finite values, whole groups of grouped units, `epochs_trained` a count.
 */
export function decodeRbm(engine: Engine, bytes: Uint8Array, source: string): { rbm: RBM; metadata: ModelMetadata } {
  const file = decodeModelFile(bytes, source);
  checkKind(file, 'rbm', 'an RBM');
  return { rbm: rbmOfFile(engine, file), metadata: file.metadata };
}

/**
 * The RBM of `file` (checked as decodeRbm says, but for its kind), whose only other tensors may be `others`
 * (those of a model built on the RBM, which `others` names in messages: "an RBM file ... has ...").
 */
export function rbmOfFile(engine: Engine, file: ModelFileContents, others: { readonly names: readonly string[]; readonly model: string } = { names: [], model: 'an RBM' }): RBM {
  const { source } = file;
  const visible = unitsOf(file, 'visible');
  const hidden = unitsOf(file, 'hidden');
  const names = [...parameterKeys.map((key) => parameterNames[key]), ...(visible.learnedStd === undefined ? [] : [VISIBLE_LOG_STD]), ...others.names];
  const has = `${others.model} file of ${visible.name} visible units has ${names.join(', ')}`;
  checkNoOtherTensors(file, names, has);
  const [nVisible, nHidden] = layerSizes(file, parameterNames.weights, has);
  const values = rbmParameters(file, nVisible, nHidden, (key) => parameterNames[key], has);
  if (visible.learnedStd !== undefined) {
    if (file.tensors[VISIBLE_LOG_STD] === undefined) throw new UserError(`${source}: ${visible.name} visible units need a tensor "${VISIBLE_LOG_STD}" [${nVisible}] (log standard deviations)`);
    values.visibleLogStd = floatTensor(file, VISIBLE_LOG_STD, [nVisible], has);
  }
  for (const [layer, units, size] of [['visible', visible, nVisible], ['hidden', hidden, nHidden]] as const) {
    const k = units.groupSize;
    if (size % k !== 0) throw new UserError(`${source}: ${size} ${layer} units are not groups of ${k} (${units.name})`);
  }
  const rbm = new RBM(engine, { nVisible, nHidden, visible, hidden }, values);
  rbm.epochsTrained = epochsTrainedOf(file);
  return rbm;
}

/** The parameters of an RBM of `nVisible` x `nHidden` units in `file`, tensor `name(key)` for each: checked by `floatTensor`. */
export function rbmParameters(file: ModelFileContents, nVisible: number, nHidden: number, name: (key: ParameterKey) => string, has: string): RbmParameters {
  const shape = { weights: [nVisible, nHidden], visibleBias: [nVisible], hiddenBias: [nHidden] };
  const values = {} as RbmParameters;
  for (const key of parameterKeys) values[key] = floatTensor(file, name(key), shape[key], has);
  return values;
}

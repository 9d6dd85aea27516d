/** The model-file contract (DESIGN.md, "Model files") for RBMs, as bytes: no file system access (the browser reads it). */
import { UserError } from '../errors.js';
import { parameterKeys, parameterNames, VISIBLE_LOG_STD } from '../models/rbm-graph.js';
import { RBM, type RbmParameters } from '../models/rbm.js';
import type { Engine } from '../runtime/engine.js';
import { unitType, type UnitType } from '../units/index.js';
import { decodeModelFile, floatTensor, MODEL_FORMAT, type ModelMetadata } from './model-tensors.js';
import { encodeSafetensors, type NamedTensor } from './safetensors.js';

/**
 * An RBM as safetensors bytes: `weights` [nVisible, nHidden], `visible_bias` [nVisible], `hidden_bias`
 * [nHidden], and for visible units with a learned std (Gaussian units) `visible_log_std` [nVisible] (log sigma),
 * float32, with metadata format, kind "rbm", visible and hidden unit types, epochs_trained, and `extra` (for
 * example `training`: the training options as JSON, and `seed`).
 */
export function encodeRbm(rbm: RBM, extra: ModelMetadata = {}): Uint8Array {
  const shape = { weights: [rbm.nVisible, rbm.nHidden], visibleBias: [rbm.nVisible], hiddenBias: [rbm.nHidden] };
  const tensors: Record<string, NamedTensor> = {};
  for (const key of parameterKeys) tensors[parameterNames[key]] = { dtype: 'F32', shape: shape[key], data: rbm.params[key] };
  if (rbm.params.visibleLogStd !== undefined) tensors[VISIBLE_LOG_STD] = { dtype: 'F32', shape: [rbm.nVisible], data: rbm.params.visibleLogStd };
  return encodeSafetensors(tensors, {
    ...extra,
    format: MODEL_FORMAT,
    kind: 'rbm',
    visible: rbm.visible.name,
    hidden: rbm.hidden.name,
    epochs_trained: String(rbm.epochsTrained),
  });
}

/** The RBM in safetensors `bytes` read from `source` (for messages), and its metadata. */
export function decodeRbm(engine: Engine, bytes: Uint8Array, source: string): { rbm: RBM; metadata: ModelMetadata } {
  const { tensors, metadata } = decodeModelFile(bytes, source);
  if ((metadata.kind ?? 'rbm') !== 'rbm') throw new UserError(`${source}: a "${metadata.kind}" model, not an RBM`);
  const values = {} as RbmParameters;
  for (const key of parameterKeys) values[key] = floatTensor(tensors, parameterNames[key], source, 'an RBM file has weights, visible_bias, hidden_bias');
  const weights = tensors[parameterNames.weights];
  if (weights.shape.length !== 2) throw new UserError(`${source}: weights must be 2-D [nVisible, nHidden], got [${weights.shape.join(', ')}]`);
  const [nVisible, nHidden] = weights.shape;
  if (values.visibleBias.length !== nVisible || values.hiddenBias.length !== nHidden) {
    throw new UserError(`${source}: visible_bias has ${values.visibleBias.length} and hidden_bias ${values.hiddenBias.length} values, but weights are ${nVisible} x ${nHidden}`);
  }
  for (const key of parameterKeys) {
    if (!values[key].every(Number.isFinite)) throw new UserError(`${source}: ${parameterNames[key]} holds NaN or infinite values`);
  }
  const visible = unitTypeOf(metadata.visible, source);
  if (visible.learnedStd !== undefined) {
    if (tensors[VISIBLE_LOG_STD] === undefined) throw new UserError(`${source}: ${visible.name} visible units need a tensor "${VISIBLE_LOG_STD}" [${nVisible}] (log standard deviations)`);
    values.visibleLogStd = floatTensor(tensors, VISIBLE_LOG_STD, source, 'log standard deviations');
    if (values.visibleLogStd.length !== nVisible) throw new UserError(`${source}: ${VISIBLE_LOG_STD} has ${values.visibleLogStd.length} values, but there are ${nVisible} visible units`);
    if (!values.visibleLogStd.every(Number.isFinite)) throw new UserError(`${source}: ${VISIBLE_LOG_STD} holds NaN or infinite values`);
  }
  const hidden = unitTypeOf(metadata.hidden, source);
  for (const [layer, units, size] of [['visible', visible, nVisible], ['hidden', hidden, nHidden]] as const) {
    const k = units.groupSize;
    if (size % k !== 0) throw new UserError(`${source}: ${size} ${layer} units are not groups of ${k} (${units.name})`);
  }
  const rbm = new RBM(engine, { nVisible, nHidden, visible, hidden }, values);
  rbm.epochsTrained = Number(metadata.epochs_trained ?? 0) || 0;
  return { rbm, metadata };
}

/** The unit type named in metadata (absent: Bernoulli). */
function unitTypeOf(name: string | undefined, source: string): UnitType {
  try {
    return unitType(name ?? 'bernoulli');
  } catch (e) {
    throw new UserError(`${source}: ${(e as Error).message}`);
  }
}

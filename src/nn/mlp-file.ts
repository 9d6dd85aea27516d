import { UserError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readModelFile } from '../io/model-file.js';
import { MODEL_FORMAT, type ModelMetadata } from '../io/model-tensors.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../io/safetensors.js';
import type { Engine } from '../runtime/engine.js';
import { ACTIVATIONS, type Activation } from './layers.js';
import { layerNames, Mlp, type DenseLayer } from './mlp.js';

/**
 * An MLP as safetensors bytes: per layer i `weights_i` [nIn, nOut] and `bias_i` [nOut], float32, with metadata
 * format, kind "mlp", `activations` (a JSON list, one per layer: "sigmoid", "tanh", "relu" or "linear"),
 * `sizes` (JSON, input first) and `extra` (for example `training`: the options as JSON, and `seed`).
 */
export function encodeMlp(mlp: Mlp, extra: ModelMetadata = {}): Uint8Array {
  const tensors: Record<string, NamedTensor> = {};
  mlp.layers.forEach((l, i) => {
    tensors[layerNames(i).weights] = { dtype: 'F32', shape: [l.nIn, l.nOut], data: l.weights };
    tensors[layerNames(i).bias] = { dtype: 'F32', shape: [l.nOut], data: l.bias };
  });
  return encodeSafetensors(tensors, {
    ...extra,
    format: MODEL_FORMAT,
    kind: 'mlp',
    activations: JSON.stringify(mlp.layers.map((l) => l.activation)),
    sizes: JSON.stringify(mlp.sizes),
  });
}

/** The MLP in safetensors `bytes` read from `source` (for messages), and its metadata. */
export function decodeMlp(engine: Engine, bytes: Uint8Array, source: string): { mlp: Mlp; metadata: ModelMetadata } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata.format !== undefined && metadata.format !== MODEL_FORMAT) throw new UserError(`${source}: model format "${metadata.format}" is not ${MODEL_FORMAT}`);
  if (metadata.kind !== 'mlp') throw new UserError(`${source}: a "${metadata.kind ?? 'unknown'}" model, not an MLP`);
  let activations: unknown;
  try {
    activations = JSON.parse(metadata.activations ?? 'null');
  } catch {
    activations = null;
  }
  if (!Array.isArray(activations) || !activations.every((a) => ACTIVATIONS.includes(a as Activation))) {
    throw new UserError(`${source}: metadata "activations" must be a JSON list of ${ACTIVATIONS.join(', ')}`);
  }
  const layers: DenseLayer[] = (activations as Activation[]).map((activation, i) => {
    const names = layerNames(i);
    const w = tensors[names.weights];
    const b = tensors[names.bias];
    if (w === undefined || b === undefined) throw new UserError(`${source}: no tensors ${names.weights} and ${names.bias} for layer ${i}`);
    if (w.dtype !== 'F32' || b.dtype !== 'F32') throw new UserError(`${source}: layer ${i} tensors must be F32`);
    if (w.shape.length !== 2 || b.shape.length !== 1 || b.shape[0] !== w.shape[1]) {
      throw new UserError(`${source}: ${names.weights} [${w.shape.join(', ')}] and ${names.bias} [${b.shape.join(', ')}] do not fit together`);
    }
    if (!w.data.every(Number.isFinite) || !b.data.every(Number.isFinite)) throw new UserError(`${source}: layer ${i} holds NaN or infinite values`);
    return { nIn: w.shape[0], nOut: w.shape[1], activation, weights: w.data, bias: b.data };
  });
  try {
    return { mlp: new Mlp(engine, layers), metadata };
  } catch (e) {
    throw new UserError(`${source}: ${(e as Error).message}`);
  }
}

/** Write `mlp` to `path` atomically. */
export async function saveMlp(path: string, mlp: Mlp, extra: ModelMetadata = {}): Promise<void> {
  await writeFileAtomic(path, encodeMlp(mlp, extra));
}

/** Read the MLP at `path`. */
export async function loadMlp(engine: Engine, path: string): Promise<{ mlp: Mlp; metadata: ModelMetadata }> {
  return decodeMlp(engine, await readModelFile(path), path);
}

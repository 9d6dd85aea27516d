import { UserError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readModelFile } from '../io/model-file.js';
import { checkKind, checkNoOtherTensors, checkSizesMetadata, decodeModelFile, floatTensor, layerSizes, MODEL_FORMAT, type ModelMetadata } from '../io/model-tensors.js';
import { encodeSafetensors, type NamedTensor } from '../io/safetensors.js';
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

/**
 * The MLP in safetensors `bytes` read from `source` (for messages), and its metadata. The file is checked
 * completely: kind "mlp", its activations, exactly the tensors of their layers, each layer at least 1 unit,
 * the bias of each layer's width, finite values, layers that chain, metadata `sizes` (where present) theirs.
 */
export function decodeMlp(engine: Engine, bytes: Uint8Array, source: string): { mlp: Mlp; metadata: ModelMetadata } {
  const file = decodeModelFile(bytes, source);
  checkKind(file, 'mlp', 'an MLP');
  const activations = activationsOf(file.metadata.activations, source);
  const has = `an MLP file has weights_i and bias_i per layer of its activations (${activations.length})`;
  checkNoOtherTensors(file, activations.flatMap((_, i) => [layerNames(i).weights, layerNames(i).bias]), has);
  const layers = activations.map((activation, i): DenseLayer => {
    const names = layerNames(i);
    const [nIn, nOut] = layerSizes(file, names.weights, has);
    return { nIn, nOut, activation, weights: floatTensor(file, names.weights, [nIn, nOut], has), bias: floatTensor(file, names.bias, [nOut], has) };
  });
  let mlp: Mlp;
  try {
    mlp = new Mlp(engine, layers);
  } catch (e) {
    throw new UserError(`${source}: ${(e as Error).message}`);
  }
  checkSizesMetadata(file, 'sizes', mlp.sizes);
  return { mlp, metadata: file.metadata };
}

/** Metadata `activations`: a JSON list of activations, one per layer. */
function activationsOf(text: string | undefined, source: string): Activation[] {
  let activations: unknown;
  try {
    activations = JSON.parse(text ?? 'null');
  } catch {
    activations = null;
  }
  if (!Array.isArray(activations) || !activations.every((a) => ACTIVATIONS.includes(a as Activation))) {
    throw new UserError(`${source}: metadata "activations" must be a JSON list of ${ACTIVATIONS.join(', ')}`);
  }
  return activations as Activation[];
}

/** Write `mlp` to `path` atomically. */
export async function saveMlp(path: string, mlp: Mlp, extra: ModelMetadata = {}): Promise<void> {
  await writeFileAtomic(path, encodeMlp(mlp, extra));
}

/** Read the MLP at `path`. */
export async function loadMlp(engine: Engine, path: string): Promise<{ mlp: Mlp; metadata: ModelMetadata }> {
  return decodeMlp(engine, await readModelFile(path), path);
}

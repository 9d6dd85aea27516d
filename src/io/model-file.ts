/** Model files on disk: the bytes of `model-codec.ts`, read from and written (atomically) to a path. */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { RBM } from '../models/rbm.js';
import type { Engine } from '../runtime/engine.js';
import { writeFileAtomic } from './atomic-write.js';
import type { ModelKind } from '../models/model.js';
import { decodeModel, decodeModelOf, encodeModel, type AnyModel, type ModelFile } from './model-codec.js';
import type { ModelMetadata } from './model-tensors.js';

/** Write `model` (of any kind) to `path` atomically (a temp file renamed over it: never a half-written model). */
export async function saveModel(path: string, model: AnyModel, extra: ModelMetadata = {}): Promise<void> {
  await writeFileAtomic(path, encodeModel(model, extra));
}

/** Read the model at `path`, of the kind its metadata names. */
export async function loadModel(engine: Engine, path: string): Promise<ModelFile> {
  return decodeModel(engine, await readModelFile(path), path);
}

/** Read the model of kind `kind` at `path` (a UserError when the file holds another kind). */
export async function loadModelOf<K extends ModelKind>(engine: Engine, path: string, kind: K): Promise<ModelFile<K>> {
  return decodeModelOf(engine, await readModelFile(path), path, kind);
}

/** Read the RBM at `path` (a UserError when the file holds another kind). */
export async function loadRbm(engine: Engine, path: string): Promise<{ rbm: RBM; metadata: ModelMetadata }> {
  const { model, metadata } = await loadModelOf(engine, path, 'rbm');
  return { rbm: model, metadata };
}

/** The bytes of the model file at `path`; a file that cannot be read is a UserError naming it. */
export async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new UserError(`${path}: cannot read the model file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/**
 * The RBMs of the model at `path`, bottom first: one for an RBM file (for a classification RBM, its RBM of x
 * and h), the stack of a DBN file, none for a gated RBM (a UserError); for a DBM (and a multi-prediction DBM's), its weights with the bias of the layer above as RBMs (the up-pass
 * of its mean-field without the top-down input).
 */
export async function loadRbmStack(engine: Engine, path: string): Promise<RBM[]> {
  const { model } = await loadModel(engine, path);
  if (model.kind === 'rbm') return [model];
  if (model.kind === 'dbn') return [...model.rbms];
  if (model.kind === 'class-rbm') return [model.rbm];
  if (model.kind === 'gated-rbm') throw new UserError(`${path}: a gated RBM, whose weights depend on its input: no RBMs to start a network from`);
  const { sizes, params } = model.kind === 'mp-dbm' ? model.dbm : model;
  return params.weights.map((w, l) => new RBM(engine, { nVisible: sizes[l], nHidden: sizes[l + 1] }, { weights: w, visibleBias: params.biases[l], hiddenBias: params.biases[l + 1] }));
}

import { UserError } from '../errors.js';
import type { ModelFile } from '../io/model-codec.js';
import { hasClasses, type GenerativeModel } from '../models/model.js';
import { loadModel, loadRbm } from '../io/model-file.js';
import type { RBM } from '../models/rbm.js';
import { createNodeEngine } from '../runtime/node.js';

/** Load the RBM of --model on a Node engine with `threads` threads (default all cores). */
export async function openModel(path: string, threads?: number): Promise<{ rbm: RBM; metadata: Record<string, string> }> {
  return loadRbm(createNodeEngine({ threads }), path);
}

/** Load the model of --model, of any kind, on a Node engine with `threads` threads. */
export async function openAnyModel(path: string, threads?: number): Promise<ModelFile> {
  return loadModel(createNodeEngine({ threads }), path);
}

/** `model` (read from `path`), or with --class `label` its model given that class; a UserError for a model without a label layer. */
export function givenClassFlag(model: GenerativeModel, label: number | undefined, path: string): GenerativeModel {
  if (label === undefined) return model;
  if (!hasClasses(model)) throw new UserError(`--class ${label}: ${path} holds a model of kind ${model.kind}, without a label layer (--class needs a class-rbm or mp-dbm file)`);
  return model.givenClass(label);
}

import { loadAnyModel, type AnyModel } from '../io/dbn-file.js';
import { loadRbm } from '../io/model-file.js';
import type { RBM } from '../models/rbm.js';
import { createNodeEngine } from '../runtime/node.js';

/** Load the model of --model on a Node engine with `threads` threads (default all cores). */
export async function openModel(path: string, threads?: number): Promise<{ rbm: RBM; metadata: Record<string, string> }> {
  return loadRbm(createNodeEngine({ threads }), path);
}

/** Load the model of --model, an RBM or a DBN file by its kind, on a Node engine with `threads` threads. */
export async function openAnyModel(path: string, threads?: number): Promise<AnyModel> {
  return loadAnyModel(createNodeEngine({ threads }), path);
}

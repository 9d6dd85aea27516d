import type { ModelFile } from '../io/model-codec.js';
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

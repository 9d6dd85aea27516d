import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { Engine } from './engine.js';

export interface NodeEngineOptions {
  /** Threads per graph run (default: every core, `os.availableParallelism()`). */
  readonly threads?: number;
}

/** An engine on onnxruntime-node's CPU provider. */
export function createNodeEngine(options: NodeEngineOptions = {}): Engine {
  return new Engine(ort, { threads: options.threads ?? availableParallelism() });
}

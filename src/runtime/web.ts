import * as ort from 'onnxruntime-web';
import { Engine } from './engine.js';

/** Where onnxruntime-web runs a graph: its WebAssembly CPU kernels, or the GPU through WebGPU. */
export type WebBackend = 'wasm' | 'webgpu';

export interface WebEngineOptions {
  /**
   * WebAssembly threads (default 1). More than one needs a cross-origin isolated page (COOP/COEP headers),
   * where SharedArrayBuffer exists; onnxruntime-web falls back to one thread otherwise.
   */
  readonly threads?: number;
  /** The execution provider tried first (default 'wasm'); 'webgpu' falls back to 'wasm' for unsupported ops. */
  readonly backend?: WebBackend;
  /** The URL prefix that onnxruntime-web loads its .wasm and .mjs files from (default: beside its bundle). */
  readonly wasmPaths?: string;
}

/**
 * An engine on onnxruntime-web, for the browser. onnxruntime-web's WebAssembly settings are global: they are
 * set here, and hold for every session created after (the first session fixes the thread count).
 * onnxruntime-web does not write outputs into pre-allocated tensors, so the engine copies them there. On
 * WebGPU, the engine's sessions run one at a time (onnxruntime-web 1.30 fails a run that overlaps another).
 */
export function createWebEngine(options: WebEngineOptions = {}): Engine {
  const { threads = 1, backend = 'wasm', wasmPaths } = options;
  ort.env.wasm.numThreads = threads;
  if (wasmPaths !== undefined) ort.env.wasm.wasmPaths = wasmPaths;
  const executionProviders = backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
  return new Engine(ort, { threads, executionProviders, fillsFetches: false, oneRunAtATime: backend === 'webgpu' });
}

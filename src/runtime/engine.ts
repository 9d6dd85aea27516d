import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { Graph } from '../graph/graph.js';

/** Tensors by graph input or output name. */
export type TensorMap = Record<string, Tensor>;

/** The parts of an onnxruntime binding (onnxruntime-node or onnxruntime-web) that the engine uses. */
export interface OrtBinding {
  readonly InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  readonly Tensor: typeof Tensor;
}

export interface EngineOptions {
  /** Threads one graph run may use (onnxruntime's intra-op pool). */
  readonly threads: number;
  /** The execution providers to try, in order (default: CPU). */
  readonly executionProviders?: readonly string[];
  /**
   * Whether the binding writes outputs into the tensors passed as fetches (onnxruntime-node does;
   * onnxruntime-web 1.30 ignores them). When false, `Program.run` copies the returned outputs into them.
   */
  readonly fillsFetches?: boolean;
  /**
   * Whether the engine's sessions must run one at a time: each run (and release) waits for the one before to
   * finish. onnxruntime-web 1.30's WebGPU backend needs this: a run started while another session's run is in
   * flight fails ("Session already started").
   */
  readonly oneRunAtATime?: boolean;
}

/** Runs tasks either as they come or one after another (each waits for the previous one to settle). */
type Runner = <T>(task: () => Promise<T>) => Promise<T>;

const immediately: Runner = (task) => task();

function inTurn(): Runner {
  let last: Promise<unknown> = Promise.resolve();
  return (task) => {
    const result = last.then(task, task);
    last = result.catch(() => undefined);
    return result;
  };
}

/** A compiled graph: one onnxruntime session. */
export class Program {
  constructor(
    private readonly session: InferenceSession,
    readonly key: string,
    private readonly fillsFetches = true,
    private readonly runner: Runner = immediately,
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /**
   * Run the graph on `feeds`. Outputs named in `into` are written into those pre-allocated tensors and
   * returned as they are; the others are returned newly allocated.
   */
  run(feeds: TensorMap, into?: TensorMap): Promise<TensorMap> {
    return this.runner(() => this.runNow(feeds, into));
  }

  private async runNow(feeds: TensorMap, into?: TensorMap): Promise<TensorMap> {
    if (into === undefined) return (await this.session.run(feeds));
    const unknown = Object.keys(into).find((name) => !this.session.outputNames.includes(name));
    if (unknown !== undefined) throw new Error(`${this.key}: no output ${unknown}`);
    if (this.fillsFetches) return { ...(await this.session.run(feeds, this.fetches(into))), ...into };
    const results = await this.session.run(feeds);
    for (const [name, tensor] of Object.entries(into)) {
      const result = results[name];
      (tensor.data as Float32Array).set(result.data as Float32Array);
      result.dispose();
    }
    return { ...results, ...into };
  }

  dispose(): Promise<void> {
    return this.runner(() => this.session.release());
  }

  private fetches(into: TensorMap): Record<string, Tensor | null> {
    const fetches: Record<string, Tensor | null> = {};
    for (const name of this.session.outputNames) fetches[name] = into[name] ?? null;
    return fetches;
  }
}

/**
 * Compiles graphs into Programs and caches them: a graph with the same serialised bytes (ops, shapes, seeds)
 * compiles once. Holds the binding explicitly; nothing is registered at import time.
 */
export class Engine {
  private readonly cache = new Map<string, { readonly bytes: Uint8Array; readonly program: Promise<Program> }>();
  private readonly runner: Runner;

  constructor(
    readonly ort: OrtBinding,
    readonly options: EngineOptions,
  ) {
    this.runner = options.oneRunAtATime === true ? inTurn() : immediately;
  }

  /**
   * Compile `graph` and hand its Program to `use`. A deterministic graph compiles once and stays cached; a
   * graph with random nodes gets a fresh session each time, released after `use`, so that the same seed
   * always gives the same draws (a session's random streams advance with every run).
   */
  async withProgram<T>(graph: Graph, use: (program: Program) => Promise<T>): Promise<T> {
    if (!graph.isRandom) return use(await this.compile(graph));
    const session = await this.ort.InferenceSession.create(graph.toOnnx(), this.sessionOptions(true));
    const program = new Program(session, graph.name, this.options.fillsFetches, this.runner);
    try {
      return await use(program);
    } finally {
      await program.dispose();
    }
  }

  /** The Program for a deterministic `graph`, compiled on first request and cached. */
  compile(graph: Graph): Promise<Program> {
    if (graph.isRandom) throw new Error(`graph ${graph.name} has random nodes: run it through withProgram`);
    const bytes = graph.toOnnx();
    const key = `${graph.name}:${bytes.length}:${fnv1a(bytes)}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && sameBytes(cached.bytes, bytes)) return cached.program;
    const program = this.ort.InferenceSession.create(bytes, this.sessionOptions(false)).then((s) => new Program(s, key, this.options.fillsFetches, this.runner));
    this.cache.set(key, { bytes, program });
    return program;
  }

  /** A float32 tensor over `data` (no copy) with dims `dims`. */
  float32(data: Float32Array, dims: readonly number[]): Tensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  /** A float32 scalar tensor. */
  scalar(x: number): Tensor {
    return new this.ort.Tensor('float32', Float32Array.of(x), []);
  }

  /** Release every compiled program. */
  async dispose(): Promise<void> {
    const programs = await Promise.all([...this.cache.values()].map((entry) => entry.program));
    this.cache.clear();
    await Promise.all(programs.map((p) => p.dispose()));
  }

  private sessionOptions(spinning: boolean): InferenceSession.SessionOptions {
    return {
      intraOpNumThreads: this.options.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Spinning threads wait for the next run hot; idle ones sleep. Cached (evaluation) sessions run between
      // other work, and their spinning took the cores from the training loop that follows them.
      extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
      executionProviders: [...(this.options.executionProviders ?? ['cpu'])],
    };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** 32-bit FNV-1a hash of bytes, as 8 hex digits: a cache key, not a checksum against tampering. */
function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

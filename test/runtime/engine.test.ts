import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import * as op from '../../src/graph/ops/index.js';
import { Engine, type Program } from '../../src/runtime/engine.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { expectAllClose } from '../helpers/reference.js';
import { numbers } from '../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 2 });
afterAll(() => engine.dispose());

const exact = { rtol: 0, atol: 0 };

/** y = x w + b over a symbolic batch, and s = sum(y): a deterministic graph. */
function affine(name = 'affine', nOut = 2): Graph {
  const g = new Graph(name);
  const x = g.input('x', 'float32', ['batch', 3]);
  const w = g.input('w', 'float32', [3, nOut]);
  const y = op.add(op.matmul(x, w), g.constant(Array.from({ length: nOut }, (_, j) => j + 1)));
  g.output('y', y);
  g.output('s', op.reduceSum(y, [0, 1]));
  return g;
}

/** A graph with one uniform draw shaped like x. */
function noisy(seed: number): Graph {
  const g = new Graph('noisy', seed);
  g.output('u', op.randomUniformLike(g.input('x', 'float32', [64])));
  return g;
}

const w = Float32Array.of(1, 0, 0, 1, 1, 1); // [3, 2]

describe('compile', () => {
  it('caches: the same graph built twice gives the same Program object', async () => {
    const p1 = await engine.compile(affine());
    const p2 = await engine.compile(affine());
    expect(p2).toBe(p1);
    const [p3, p4] = await Promise.all([engine.compile(affine('concurrent')), engine.compile(affine('concurrent'))]);
    expect(p4).toBe(p3);
    expect(p3).not.toBe(p1);
  });

  it('different graphs (name, shapes or constants) get different Programs', async () => {
    const base = await engine.compile(affine());
    expect(await engine.compile(affine('renamed'))).not.toBe(base);
    expect(await engine.compile(affine('affine', 4))).not.toBe(base);
    const g = new Graph('affine');
    const x = g.input('x', 'float32', ['batch', 3]);
    const y = op.add(op.matmul(x, g.input('w', 'float32', [3, 2])), g.constant([5, 6]));
    g.output('y', y);
    g.output('s', op.reduceSum(y, [0, 1]));
    expect(await engine.compile(g)).not.toBe(base);
  });

  it('refuses a graph with random nodes and points to withProgram', () => {
    expect(() => engine.compile(noisy(1))).toThrow(/withProgram/);
  });

  it('a compiled Program names its inputs and outputs', async () => {
    const p = await engine.compile(affine());
    expect(p.inputNames).toEqual(['x', 'w']);
    expect(p.outputNames).toEqual(['y', 's']);
  });

  it('after dispose, the same graph compiles to a new Program that runs', async () => {
    const own = createNodeEngine({ threads: 1 });
    const before = await own.compile(affine());
    await own.dispose();
    const after = await own.compile(affine());
    expect(after).not.toBe(before);
    const r = await after.run({ x: own.float32(Float32Array.of(1, 2, 3), [1, 3]), w: own.float32(w, [3, 2]) });
    expectAllClose(numbers(r.y), [5, 7], exact);
    await own.dispose();
  });
});

describe('withProgram', () => {
  it('uses the cached Program for a deterministic graph', async () => {
    const cached = await engine.compile(affine());
    const seen = await engine.withProgram(affine(), (p) => Promise.resolve(p));
    expect(seen).toBe(cached);
  });

  it('gives a random graph a fresh Program each time, for the same seed or another, and releases it', async () => {
    const programs: Program[] = [];
    const draws: number[][] = [];
    const feeds = { x: engine.float32(new Float32Array(64), [64]) };
    for (const seed of [1, 1, 2]) {
      await engine.withProgram(noisy(seed), async (p) => {
        programs.push(p);
        draws.push(Array.from(numbers((await p.run(feeds)).u)));
      });
    }
    expect(programs[1]).not.toBe(programs[0]);
    expect(programs[2]).not.toBe(programs[0]);
    expect(programs[2]).not.toBe(programs[1]);
    expect(draws[1]).toEqual(draws[0]); // same seed, fresh session: the same first draw
    expect(draws[2]).not.toEqual(draws[0]);
    await expect(programs[0].run(feeds)).rejects.toThrow();
  });

  it('returns what the callback returns and releases the Program when it throws', async () => {
    let kept: Program | undefined;
    await expect(
      engine.withProgram(noisy(3), (p) => {
        kept = p;
        return Promise.reject(new Error('boom'));
      }),
    ).rejects.toThrow('boom');
    expect(kept).toBeDefined();
    await expect(kept!.run({ x: engine.float32(new Float32Array(64), [64]) })).rejects.toThrow();
    await expect(engine.withProgram(noisy(3), () => Promise.resolve(42))).resolves.toBe(42);
  });
});

describe('run', () => {
  const x = Float32Array.of(1, 2, 3, -1, 0, 2); // [2, 3]

  it('returns every output, allocated, when no tensors are given', async () => {
    const p = await engine.compile(affine());
    const r = await p.run({ x: engine.float32(x, [2, 3]), w: engine.float32(w, [3, 2]) });
    expect(r.y.dims).toEqual([2, 2]);
    expectAllClose(numbers(r.y), [5, 7, 2, 4], exact);
    expect(r.s.dims).toEqual([]);
    expectAllClose(numbers(r.s), [18], exact);
  });

  it('writes into pre-allocated outputs: the given Float32Array holds the result, run after run', async () => {
    const p = await engine.compile(affine());
    const buffer = new Float32Array(4).fill(NaN);
    const y = engine.float32(buffer, [2, 2]);
    const r = await p.run({ x: engine.float32(x, [2, 3]), w: engine.float32(w, [3, 2]) }, { y });
    expectAllClose(buffer, [5, 7, 2, 4], exact);
    // The returned tensor holds the same values (onnxruntime-node hands back a copy, not the given tensor).
    expectAllClose(numbers(r.y), [5, 7, 2, 4], exact);
    // Outputs not given are still returned, newly allocated.
    expectAllClose(numbers(r.s), [18], exact);
    const ones = engine.float32(Float32Array.of(0, 0, 0, 1, 1, 1), [2, 3]);
    const again = await p.run({ x: ones, w: engine.float32(w, [3, 2]) }, { y });
    expectAllClose(buffer, [1, 2, 3, 4], exact);
    expectAllClose(numbers(again.y), [1, 2, 3, 4], exact);
  });

  it('for a binding that ignores fetches (fillsFetches: false, as onnxruntime-web), copies the outputs into them', async () => {
    const copying = new Engine(engine.ort, { threads: 1, fillsFetches: false });
    const p = await copying.compile(affine());
    const buffer = new Float32Array(4).fill(NaN);
    const y = copying.float32(buffer, [2, 2]);
    const r = await p.run({ x: copying.float32(x, [2, 3]), w: copying.float32(w, [3, 2]) }, { y });
    expectAllClose(buffer, [5, 7, 2, 4], exact);
    expect(r.y).toBe(y);
    expectAllClose(numbers(r.s), [18], exact);
    await copying.dispose();
  });

  it('refuses a tensor to write into for an output the graph lacks, whichever the binding (a state that would never move)', async () => {
    for (const fillsFetches of [true, false]) {
      const e = new Engine(engine.ort, { threads: 1, fillsFetches });
      const p = await e.compile(affine());
      const into = { y: e.float32(new Float32Array(4), [2, 2]), y_next: e.float32(new Float32Array(4), [2, 2]) };
      await expect(p.run({ x: e.float32(x, [2, 3]), w: e.float32(w, [3, 2]) }, into)).rejects.toThrow(/no output y_next$/);
      await e.dispose();
    }
  });

  it('with oneRunAtATime (onnxruntime-web on WebGPU), runs of different Programs never overlap', async () => {
    let running = 0;
    let most = 0;
    const session = {
      inputNames: [],
      outputNames: [],
      run: async () => {
        most = Math.max(most, ++running);
        await new Promise((done) => setTimeout(done, 5));
        running--;
        return {};
      },
      release: () => Promise.resolve(),
    };
    const binding = { ...engine.ort, InferenceSession: { create: () => Promise.resolve(session as never) } };
    const runAll = async (oneRunAtATime: boolean): Promise<number> => {
      most = 0;
      const e = new Engine(binding, { threads: 1, oneRunAtATime });
      const programs = await Promise.all([e.compile(affine('a')), e.compile(affine('b'))]);
      await Promise.all(programs.flatMap((p) => [p.run({}), p.run({})]));
      return most;
    };
    expect(await runAll(false)).toBe(4);
    expect(await runAll(true)).toBe(1);
  });

  it('rejects feeds of the wrong shape or missing feeds', async () => {
    const p = await engine.compile(affine());
    await expect(p.run({ x: engine.float32(new Float32Array(8), [2, 4]), w: engine.float32(w, [3, 2]) })).rejects.toThrow();
    await expect(p.run({ x: engine.float32(x, [2, 3]) })).rejects.toThrow();
  });
});

describe('tensors', () => {
  it('engine.scalar makes a rank-0 float32 tensor that feeds a scalar input', async () => {
    const beta = engine.scalar(0.25);
    expect(beta.type).toBe('float32');
    expect(beta.dims).toEqual([]);
    expect(Array.from(numbers(beta))).toEqual([0.25]);
    const g = new Graph('tempered');
    const b = g.input('beta', 'float32', []);
    const e = g.input('energy', 'float32', [3]);
    g.output('scaled', op.mul(b, e));
    g.output('beta_out', b);
    const r = await (await engine.compile(g)).run({ beta, energy: engine.float32(Float32Array.of(4, -8, 1), [3]) });
    expectAllClose(numbers(r.scaled), [1, -2, 0.25], exact);
    expect(r.beta_out.dims).toEqual([]);
    expectAllClose(numbers(r.beta_out), [0.25], exact);
  });

  it('engine.float32 wraps the array without copying', () => {
    const data = new Float32Array(6);
    const t = engine.float32(data, [2, 3]);
    expect(t.data).toBe(data);
    expect(t.dims).toEqual([2, 3]);
  });

  it('createNodeEngine takes a thread count, every core by default', () => {
    expect(createNodeEngine({ threads: 3 }).options.threads).toBe(3);
    expect(createNodeEngine().options.threads).toBe(availableParallelism());
  });
});

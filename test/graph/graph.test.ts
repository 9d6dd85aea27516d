import { afterAll, describe, expect, it } from 'vitest';
import { Graph, OPSET } from '../../src/graph/graph.js';
import * as op from '../../src/graph/ops/index.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { decodeModel } from '../helpers/onnx-decode.js';
import { expectAllClose } from '../helpers/reference.js';
import { evaluate, numbers } from '../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const exact = { rtol: 0, atol: 0 };

describe('values', () => {
  it('inputs and constants record dtype, shape and rank', () => {
    const g = new Graph('values');
    const x = g.input('x', 'float32', ['batch', 784]);
    expect([x.name, x.dtype, x.shape, x.rank, x.graph]).toEqual(['x', 'float32', ['batch', 784], 2, g]);
    const s = g.constant(2.5);
    expect([s.dtype, s.shape, s.rank]).toEqual(['float32', [], 0]);
    const v = g.constant([1, 2, 3], 'float64');
    expect([v.dtype, v.shape]).toEqual(['float64', [3]]);
    const m = g.constant(Float32Array.of(1, 2, 3, 4, 5, 6), 'float32', [2, 3]);
    expect(m.shape).toEqual([2, 3]);
    expect(op.reshape(x, [-1]).rank).toBeUndefined();
  });

  it('constants of every dtype round-trip through a run', async () => {
    const g = new Graph('constants');
    const outs = {
      f32: g.constant(Float32Array.of(1.5, -2, 3, 4.25), 'float32', [2, 2]),
      f64: g.constant([0.1, 1e-300], 'float64'),
      i32: g.constant([-7, 2 ** 31 - 1], 'int32'),
      i64: g.constant([-3, 2 ** 40], 'int64'),
      b: g.constant([1, 0, 1], 'bool'),
      s: g.constant(-0.75),
    };
    const r = await evaluate(engine, g, outs, {});
    expect(r.f32.dims).toEqual([2, 2]);
    expectAllClose(numbers(r.f32), [1.5, -2, 3, 4.25], exact);
    expectAllClose(numbers(r.f64, 'float64'), [0.1, 1e-300], exact);
    expectAllClose(numbers(r.i32, 'int32'), [-7, 2 ** 31 - 1], exact);
    expectAllClose(numbers(r.i64, 'int64'), [-3, 2 ** 40], exact);
    expectAllClose(numbers(r.b, 'bool'), [1, 0, 1], exact);
    expect(r.s.dims).toEqual([]);
    expectAllClose(numbers(r.s), [-0.75], exact);
  });
});

describe('outputs', () => {
  it('are named as requested, in the order declared', async () => {
    const g = new Graph('names');
    const v = g.input('visible', 'float32', ['batch', 3]);
    const w = g.input('weights', 'float32', [3, 2]);
    const field = op.gemm(v, w);
    g.output('hidden_mean', op.sigmoid(field));
    g.output('field', field);
    const model = decodeModel(g.toOnnx());
    expect(model.outputs.map((o) => o.name)).toEqual(['hidden_mean', 'field']);
    expect(model.inputs.map((i) => i.name)).toEqual(['visible', 'weights']);
    const result = await engine.withProgram(g, async (p) => {
      expect(p.outputNames).toEqual(['hidden_mean', 'field']);
      expect(p.inputNames).toEqual(['visible', 'weights']);
      return p.run({
        visible: engine.float32(Float32Array.of(1, 0, 0), [1, 3]),
        weights: engine.float32(Float32Array.of(0, 1, 2, 3, 4, 5), [3, 2]),
      });
    });
    expect(Object.keys(result).sort()).toEqual(['field', 'hidden_mean']);
    expectAllClose(numbers(result.field), [0, 1], exact);
    expectAllClose(numbers(result.hidden_mean), [0.5, 1 / (1 + Math.exp(-1))], { rtol: 1e-6, atol: 1e-7 });
  });

  it('a node output is renamed, not copied, and later consumers still see it', async () => {
    const g = new Graph('rename');
    const x = g.input('x', 'float32', [3]);
    const y = op.exp(x);
    g.output('y', y);
    g.output('z', op.neg(y)); // a consumer declared after the rename
    const model = decodeModel(g.toOnnx());
    expect(model.nodes.map((n) => n.opType)).toEqual(['Exp', 'Neg']);
    expect(model.nodes[0].output).toEqual(['y']);
    expect(model.nodes[1].input).toEqual(['y']);
    const r = await evaluate(engine, g, {}, { x: engine.float32(Float32Array.of(0, 1, -1), [3]) });
    expectAllClose(numbers(r.y), [1, Math.E, 1 / Math.E], { rtol: 1e-6, atol: 0 });
    expectAllClose(numbers(r.z), [-1, -Math.E, -1 / Math.E], { rtol: 1e-6, atol: 0 });
  });

  it('a graph input, a constant, or a value output twice go through Identity', async () => {
    const g = new Graph('identity');
    const x = g.input('x', 'float32', [2]);
    const y = op.mul(x, 3);
    g.output('x_out', x);
    g.output('c_out', g.constant([7, 8]));
    g.output('y1', y);
    g.output('y2', y);
    const model = decodeModel(g.toOnnx());
    expect(model.nodes.filter((n) => n.opType === 'Identity').map((n) => n.output[0])).toEqual(['x_out', 'c_out', 'y2']);
    expect(model.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['x_out', [2]],
      ['c_out', [2]],
      ['y1', [2]],
      ['y2', [2]],
    ]);
    const r = await evaluate(engine, g, {}, { x: engine.float32(Float32Array.of(1, -2), [2]) });
    expectAllClose(numbers(r.x_out), [1, -2], exact);
    expectAllClose(numbers(r.c_out), [7, 8], exact);
    expectAllClose(numbers(r.y1), [3, -6], exact);
    expectAllClose(numbers(r.y2), [3, -6], exact);
  });

  it('declare their dtype and shape; an unknown shape is left undeclared (not declared a scalar)', () => {
    const g = new Graph('declared');
    const x = g.input('x', 'float32', ['batch', 4]);
    g.output('mask', op.less(x, 0));
    g.output('flat', op.reshape(x, [-1]));
    const [mask, flat] = decodeModel(g.toOnnx()).outputs;
    expect(mask).toEqual({ name: 'mask', elemType: 9, shape: ['batch', 4] });
    expect(flat.elemType).toBe(1);
    // Declaring [] here tells onnxruntime the output is a scalar: it warns "Error merging shape info" on
    // every session and falls back to a lenient merge.
    expect(flat.shape).toBeUndefined();
  });
});

describe('graph membership', () => {
  it('an op on a value from another graph throws', () => {
    const g1 = new Graph('one');
    const g2 = new Graph('two');
    const a = g1.input('a', 'float32', [2]);
    const b = g2.input('b', 'float32', [2]);
    expect(() => op.add(a, b)).toThrow(/belongs to another graph/);
    expect(() => op.where(op.less(a, 0), b, 0)).toThrow(/belongs to another graph/);
    expect(() => op.gemm(g1.input('m', 'float32', [2, 2]), g2.input('n', 'float32', [2, 2]))).toThrow(/another graph/);
  });

  it('declaring a value of another graph as an output throws', () => {
    const g1 = new Graph('one');
    const g2 = new Graph('two');
    const x1 = g1.input('x', 'float32', [2]);
    g2.input('x', 'float32', [2]); // same name: without the check, g2 would silently output its own x
    expect(() => g2.output('y', x1)).toThrow(/another graph/);
    expect(() => g2.output('z', op.exp(x1))).toThrow(/another graph/);
  });
});

describe('names', () => {
  it('a name used twice throws, whether input or output', () => {
    const g = new Graph('dupes');
    const x = g.input('x', 'float32', [2]);
    expect(() => g.input('x', 'float32', [3])).toThrow(/name x is already used/);
    expect(() => g.output('x', op.neg(x))).toThrow(/already used/);
    g.output('y', op.neg(x));
    expect(() => g.output('y', op.abs(x))).toThrow(/name y is already used/);
    expect(() => g.input('y', 'float32', [2])).toThrow(/already used/);
  });

  it('generated names avoid names the caller already chose', () => {
    const g = new Graph('fresh');
    const x = g.input('neg_1', 'float32', [2]);
    const y = op.neg(x);
    expect(y.name).not.toBe('neg_1');
    const names = [x, y, op.neg(y), g.constant(1), g.constant(2)].map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('seeds and serialisation', () => {
  it('nextSeed gives distinct float-exact integers in [1, 2^24), the same sequence for the same graph seed', () => {
    const seq = (seed: number): number[] => {
      const g = new Graph('seeds', seed);
      return Array.from({ length: 200 }, () => g.nextSeed());
    };
    const a = seq(5);
    expect(new Set(a).size).toBe(a.length);
    for (const s of a) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(1);
      expect(s).toBeLessThan(2 ** 24);
      expect(Math.fround(s)).toBe(s);
    }
    expect(seq(5)).toEqual(a);
    expect(seq(6)).not.toEqual(a);
    expect(seq(6)[0]).not.toBe(a[0]);
  });

  it('each random node carries its own seed attribute; isRandom says whether there is one', () => {
    const g = new Graph('random-nodes', 17);
    const x = g.input('x', 'float32', [4]);
    expect(g.isRandom).toBe(false);
    g.output('u', op.randomUniformLike(x));
    g.output('z', op.randomNormalLike(x));
    g.output('b', op.bernoulli(x));
    expect(g.isRandom).toBe(true);
    const seeds = decodeModel(g.toOnnx())
      .nodes.filter((n) => n.opType.startsWith('Random'))
      .map((n) => n.attributes.seed);
    expect(seeds).toHaveLength(3);
    expect(new Set(seeds).size).toBe(3);
    for (const s of seeds) expect(Number.isInteger(s)).toBe(true);
  });

  it('an omitted optional input is left out when trailing, written as an empty name otherwise', () => {
    const g = new Graph('optional');
    const a = g.input('a', 'float32', [2, 2]);
    const c = g.input('c', 'float32', [2]);
    g.output('y', op.gemm(a, a));
    g.output('z', op.gemm(a, a, c));
    g.node('Slice', [a, c, c, undefined, c], [{ dtype: 'float32', shape: undefined }]);
    const inputs = decodeModel(g.toOnnx()).nodes.map((n) => n.input);
    expect(inputs.slice(0, 2)).toEqual([['a', 'a'], ['a', 'a', 'c']]);
    expect(inputs[2]).toEqual(['a', 'c', 'c', '', 'c']);
  });

  it('the same graph built twice serialises to the same bytes; opset and name are declared', () => {
    const build = (seed: number): Uint8Array => {
      const g = new Graph('twice', seed);
      const v = g.input('v', 'float32', ['batch', 6]);
      const w = g.input('w', 'float32', [6, 4]);
      const h = op.bernoulli(op.sigmoid(op.gemm(v, w)));
      g.output('h', h);
      g.output('mean', op.reduceMean(h, [0]));
      return g.toOnnx();
    };
    expect(build(3)).toEqual(build(3));
    expect(build(3)).not.toEqual(build(4));
    const model = decodeModel(build(3));
    expect(model.opset).toBe(OPSET);
    expect(model.graphName).toBe('twice');
  });
});

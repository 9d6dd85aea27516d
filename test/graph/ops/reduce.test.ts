import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, type Value } from '../../../src/graph/graph.js';
import * as op from '../../../src/graph/ops/index.js';
import type { ReduceOptions } from '../../../src/graph/ops/reduce.js';
import { createNodeEngine } from '../../../src/runtime/node.js';
import * as ref from '../../helpers/reference.js';
import { evaluate, numbers } from '../../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

type Kind = 'sum' | 'mean' | 'max';
const ops: Record<Kind, (x: Value, axes: readonly number[], options?: ReduceOptions) => Value> = {
  sum: op.reduceSum,
  mean: op.reduceMean,
  max: op.reduceMax,
};

/** A shape of rank 1 to 4, a non-empty set of its axes (each written positive or negative), keepDims. */
const caseArb = ref.shapeArb(1, 4, 4).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    axes: fc
      .subarray(
        shape.map((_, i) => i),
        { minLength: 1 },
      )
      .chain((axes) => fc.tuple(...axes.map((a) => fc.constantFrom(a, a - shape.length)))),
    keepDims: fc.boolean(),
    values: ref.valuesArb(ref.size(shape), -10, 10),
  }),
);

describe.each(['sum', 'mean', 'max'] as const)('reduce %s', (kind) => {
  it('matches the reference over any axes, negative or not, with and without keepDims', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ shape, axes, keepDims, values }) => {
        const g = new Graph(`reduce-${kind}`);
        const y = ops[kind](g.input('x', 'float32', shape), axes, { keepDims });
        const want = ref.reduce(ref.nd(values, shape), axes, keepDims, kind);
        expect(y.shape).toEqual(want.shape);
        const r = await evaluate(engine, g, { y }, { x: engine.float32(values, shape) });
        expect(r.y.dims).toEqual(want.shape);
        const tol = kind === 'max' ? { rtol: 0, atol: 0 } : { rtol: 1e-5, atol: 1e-5 };
        ref.expectAllClose(numbers(r.y), want.data, tol, kind);
      }),
      { numRuns: 15, seed: kind.length },
    );
  });

  it('records the shape with symbolic dims', () => {
    const g = new Graph(`reduce-${kind}-shapes`);
    const x = g.input('x', 'float32', ['batch', 5, 3]);
    expect(ops[kind](x, [0]).shape).toEqual([5, 3]);
    expect(ops[kind](x, [0], { keepDims: true }).shape).toEqual([1, 5, 3]);
    expect(ops[kind](x, [-1]).shape).toEqual(['batch', 5]);
    expect(ops[kind](x, [-2, 2], { keepDims: true }).shape).toEqual(['batch', 1, 1]);
    expect(ops[kind](x, [0, 1, 2]).shape).toEqual([]);
    expect(ops[kind](x, [1]).dtype).toBe('float32');
  });
});

describe('reduce details', () => {
  it('a full reduction gives a scalar', async () => {
    const g = new Graph('reduce-all');
    const x = g.input('x', 'float32', [2, 3]);
    const outs = { s: op.reduceSum(x, [0, 1]), m: op.reduceMean(x, [-2, -1]), mx: op.reduceMax(x, [1, 0]) };
    const r = await evaluate(engine, g, outs, { x: engine.float32(Float32Array.of(1, 2, 3, 4, 5, -6), [2, 3]) });
    expect(r.s.dims).toEqual([]);
    expect(numbers(r.s)[0]).toBe(9);
    expect(numbers(r.m)[0]).toBe(1.5);
    expect(numbers(r.mx)[0]).toBe(5);
  });

  it('empty axes: rejected while building, or recorded as ONNX runs it (every axis reduced)', async () => {
    for (const kind of ['sum', 'mean', 'max'] as const) {
      const g = new Graph(`reduce-${kind}-empty-axes`);
      const x = g.input('x', 'float32', [2, 3]);
      let y;
      try {
        y = ops[kind](x, []);
      } catch (e) {
        expect(String(e), kind).toMatch(/axes/);
        continue;
      }
      // onnxruntime reduces every axis when axes is empty (noop_with_empty_axes = 0), giving a scalar.
      expect(y.shape, kind).toEqual([]);
      const r = await evaluate(engine, g, { y }, { x: engine.float32(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]) });
      expect(r.y.dims, kind).toEqual([]);
    }
  });

  it('sums with the log-sum-exp pattern m + log(sum(exp(x - m))) stay finite for large x', async () => {
    const g = new Graph('logsumexp');
    const x = g.input('x', 'float32', [2, 3]);
    const m = op.reduceMax(x, [-1], { keepDims: true });
    const lse = op.add(op.reduceMax(x, [-1]), op.log(op.reduceSum(op.exp(op.sub(x, m)), [-1])));
    expect(lse.shape).toEqual([2]);
    const xs = Float32Array.of(1000, 1000, 999, -1000, -1001, -1002);
    const r = await evaluate(engine, g, { lse }, { x: engine.float32(xs, [2, 3]) });
    const want = (row: number[]): number => {
      const top = Math.max(...row);
      return top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
    };
    ref.expectAllClose(numbers(r.lse), [want([1000, 1000, 999]), want([-1000, -1001, -1002])], { rtol: 1e-6, atol: 0 });
  });
});

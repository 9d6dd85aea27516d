import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph } from '../../../src/graph/graph.js';
import * as op from '../../../src/graph/ops/index.js';
import { createNodeEngine } from '../../../src/runtime/node.js';
import * as ref from '../../helpers/reference.js';
import { evaluate, feed, numbers } from '../../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const exact = { rtol: 0, atol: 0 };

/** 0, 1, 2, ... as an array of `shape`: every element tells where it came from. */
const iota = (shape: readonly number[]): ref.NdArray => ref.nd(Array.from({ length: ref.size(shape) }, (_, i) => i), shape);

describe('transpose', () => {
  it('permutes axes like the reference', async () => {
    const caseArb = ref.shapeArb(1, 4, 4).chain((shape) =>
      fc.tuple(fc.constant(shape), fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length })),
    );
    await fc.assert(
      fc.asyncProperty(caseArb, async ([shape, perm]) => {
        const x = iota(shape);
        const g = new Graph('transpose');
        const y = op.transpose(g.input('x', 'float32', shape), perm);
        const want = ref.transpose(x, perm);
        expect(y.shape).toEqual(want.shape);
        const r = await evaluate(engine, g, { y }, { x: feed(engine, x) });
        ref.expectAllClose(numbers(r.y), want.data, exact, 'transpose');
      }),
      { numRuns: 15, seed: 1 },
    );
  });

  it('reverses the axes by default', async () => {
    const x = iota([2, 3, 4]);
    const g = new Graph('transpose-default');
    const y = op.transpose(g.input('x', 'float32', [2, 3, 4]));
    expect(y.shape).toEqual([4, 3, 2]);
    const r = await evaluate(engine, g, { y }, { x: feed(engine, x) });
    ref.expectAllClose(numbers(r.y), ref.transpose(x, [2, 1, 0]).data, exact);
  });

  it('carries symbolic dims', () => {
    const g = new Graph('transpose-symbolic');
    const x = g.input('x', 'float32', ['batch', 7]);
    expect(op.transpose(x).shape).toEqual([7, 'batch']);
    expect(op.transpose(x, [0, 1]).shape).toEqual(['batch', 7]);
  });
});

describe('concat', () => {
  it('joins 1 to 3 arrays along any axis, negative or not', async () => {
    const caseArb = ref.shapeArb(1, 3, 3).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        axis: fc.integer({ min: 0, max: shape.length - 1 }),
        negative: fc.boolean(),
        sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ shape, axis, negative, sizes }) => {
        const parts = sizes.map((s, j) => ref.map(iota(shape.map((d, i) => (i === axis ? s : d))), (v) => v + 100 * j));
        const g = new Graph('concat');
        const inputs = parts.map((p, j) => g.input(`x${j}`, 'float32', p.shape));
        const y = op.concat(inputs, negative ? axis - shape.length : axis);
        const want = ref.concat(parts, axis);
        expect(y.shape).toEqual(want.shape);
        const feeds = Object.fromEntries(parts.map((p, j) => [`x${j}`, feed(engine, p)]));
        const r = await evaluate(engine, g, { y }, feeds);
        ref.expectAllClose(numbers(r.y), want.data, exact, 'concat');
      }),
      { numRuns: 15, seed: 2 },
    );
  });

  it('adds known sizes and keeps symbolic dims off the axis', () => {
    const g = new Graph('concat-symbolic');
    const a = g.input('a', 'float32', ['batch', 3]);
    const b = g.input('b', 'float32', ['batch', 5]);
    expect(op.concat([a, b], 1).shape).toEqual(['batch', 8]);
    expect(op.concat([a, b], -1).shape).toEqual(['batch', 8]);
    expect(op.concat([a, a], 0).shape).toBeUndefined(); // batch + batch has no name
  });
});

describe('unsqueeze', () => {
  it('inserts size-1 axes at positions of the result, negative or not', async () => {
    const caseArb = ref.shapeArb(0, 3, 3).chain((shape) =>
      fc
        .integer({ min: 1, max: 2 })
        .chain((added) =>
          fc.tuple(
            fc.constant(shape),
            fc.shuffledSubarray(
              Array.from({ length: shape.length + added }, (_, i) => i),
              { minLength: added, maxLength: added },
            ),
            fc.array(fc.boolean(), { minLength: added, maxLength: added }),
          ),
        ),
    );
    await fc.assert(
      fc.asyncProperty(caseArb, async ([shape, axes, negative]) => {
        const rank = shape.length + axes.length;
        const written = axes.map((a, i) => (negative[i] ? a - rank : a));
        const rest = [...shape];
        const want = Array.from({ length: rank }, (_, i) => (axes.includes(i) ? 1 : rest.shift()!));
        const x = iota(shape);
        const g = new Graph('unsqueeze');
        const y = op.unsqueeze(g.input('x', 'float32', shape), written);
        expect(y.shape).toEqual(want);
        const r = await evaluate(engine, g, { y }, { x: feed(engine, x) });
        expect(r.y.dims).toEqual(want);
        ref.expectAllClose(numbers(r.y), x.data, exact, 'unsqueeze');
      }),
      { numRuns: 15, seed: 3 },
    );
  });

  it('carries symbolic dims', () => {
    const g = new Graph('unsqueeze-symbolic');
    const x = g.input('x', 'float32', ['batch', 4]);
    expect(op.unsqueeze(x, [0]).shape).toEqual([1, 'batch', 4]);
    expect(op.unsqueeze(x, [-1]).shape).toEqual(['batch', 4, 1]);
    expect(op.unsqueeze(x, [1, 3]).shape).toEqual(['batch', 1, 4, 1]);
  });
});

describe('reshape', () => {
  it('keeps the row-major order; records the shape when every dim is given', async () => {
    const x = iota([2, 3, 4]);
    const g = new Graph('reshape');
    const xv = g.input('x', 'float32', [2, 3, 4]);
    const outs = { flat: op.reshape(xv, [24]), grid: op.reshape(xv, [6, 4]), cube: op.reshape(xv, [4, 3, 2]) };
    expect(outs.flat.shape).toEqual([24]);
    expect(outs.grid.shape).toEqual([6, 4]);
    expect(outs.cube.shape).toEqual([4, 3, 2]);
    const r = await evaluate(engine, g, outs, { x: feed(engine, x) });
    for (const t of Object.values(r)) ref.expectAllClose(numbers(t), x.data, exact);
  });

  it('infers -1 and keeps a 0 dim at run time (shape not recorded)', async () => {
    const x = iota([2, 3, 4]);
    const g = new Graph('reshape-infer');
    const xv = g.input('x', 'float32', ['batch', 3, 4]);
    const outs = { rows: op.reshape(xv, [0, -1]), cols: op.reshape(xv, [-1, 4]) };
    expect(outs.rows.shape).toBeUndefined();
    expect(outs.cols.shape).toBeUndefined();
    const r = await evaluate(engine, g, outs, { x: feed(engine, x) });
    expect(r.rows.dims).toEqual([2, 12]);
    expect(r.cols.dims).toEqual([6, 4]);
    ref.expectAllClose(numbers(r.rows), x.data, exact);
    ref.expectAllClose(numbers(r.cols), x.data, exact);
  });

  it('a size mismatch fails at run time', async () => {
    const g = new Graph('reshape-bad');
    const y = op.reshape(g.input('x', 'float32', ['batch', 3]), [4, 2]);
    await expect(evaluate(engine, g, { y }, { x: feed(engine, iota([2, 3])) })).rejects.toThrow();
  });
});

describe('gather', () => {
  it('takes the rows at the indices, repeats and reorders included, like the reference', async () => {
    const caseArb = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }))
      .chain(([n, d]) => fc.tuple(fc.constant([n, d]), fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 8 })));
    await fc.assert(
      fc.asyncProperty(caseArb, async ([shape, rows]) => {
        const x = iota(shape);
        const g = new Graph('gather');
        const y = op.gather(g.input('x', 'float32', shape), g.input('rows', 'int64', [rows.length]));
        const want = rows.flatMap((r) => Array.from(x.data).slice(r * shape[1], (r + 1) * shape[1]));
        expect(y.shape).toEqual([rows.length, shape[1]]);
        const indices = new engine.ort.Tensor('int64', BigInt64Array.from(rows, BigInt), [rows.length]);
        const r = await evaluate(engine, g, { y }, { x: feed(engine, x), rows: indices });
        ref.expectAllClose(numbers(r.y), want, exact, 'gather');
      }),
      { numRuns: 20 },
    );
  });

  it('refuses float indices', () => {
    const g = new Graph('gather');
    expect(() => op.gather(g.input('x', 'float32', [3, 2]), g.input('i', 'float32', [2]))).toThrow(/indices must be int64 or int32/);
  });
});

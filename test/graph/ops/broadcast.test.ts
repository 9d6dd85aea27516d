import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dim } from '../../../src/graph/dtype.js';
import { Graph } from '../../../src/graph/graph.js';
import * as op from '../../../src/graph/ops/index.js';
import { createNodeEngine } from '../../../src/runtime/node.js';
import * as ref from '../../helpers/reference.js';
import { evaluate, feed, numbers } from '../../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('broadcastShapes on known sizes', () => {
  it('agrees with numpy on compatible shapes, in either order', () => {
    fc.assert(
      fc.property(ref.broadcastPairArb(5, 5), ([a, b]) => {
        const want = ref.broadcastShape(a, b);
        expect(op.broadcastShapes(a, b)).toEqual(want);
        expect(op.broadcastShapes(b, a)).toEqual(want);
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  it('throws on incompatible shapes, naming both', () => {
    fc.assert(
      fc.property(
        ref.shapeArb(0, 3, 4),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        (lead, x, extra) => {
          const y = x + extra; // two sizes, both above 1 and different
          expect(() => op.broadcastShapes([...lead, x], [y])).toThrow(/cannot broadcast shapes/);
          expect(() => op.broadcastShapes([y, ...lead.map(() => 1)], [x, ...lead])).toThrow(/cannot broadcast shapes/);
        },
      ),
      { numRuns: 50, seed: 2 },
    );
    expect(() => op.broadcastShapes([2, 3], [3, 2])).toThrow('cannot broadcast shapes [2, 3] and [3, 2]');
  });

  it('handles scalars and size-1 dims', () => {
    expect(op.broadcastShapes([], [])).toEqual([]);
    expect(op.broadcastShapes([], [2, 3])).toEqual([2, 3]);
    expect(op.broadcastShapes([1, 1], [4])).toEqual([1, 4]);
    expect(op.broadcastShapes([5, 1, 3], [4, 1])).toEqual([5, 4, 3]);
  });
});

describe('broadcastShapes on symbolic dims', () => {
  it('keeps equal names, lets 1 take either side, gives up on unknown pairs', () => {
    const cases: [Dim[] | undefined, Dim[] | undefined, Dim[] | undefined][] = [
      [['batch', 3], [3], ['batch', 3]],
      [['batch', 1], [1, 'units'], ['batch', 'units']],
      [['batch', 3], ['batch', 1], ['batch', 3]],
      [[1], ['batch'], ['batch']],
      [['batch'], ['other'], undefined],
      [['batch'], [3], undefined],
      [[3], ['batch'], undefined],
      [undefined, [3], undefined],
      [[3], undefined, undefined],
    ];
    for (const [a, b, want] of cases) expect(op.broadcastShapes(a, b), `[${String(a)}] with [${String(b)}]`).toEqual(want);
  });

  it('still throws on two known sizes that clash beside symbolic dims', () => {
    expect(() => op.broadcastShapes(['batch', 2], ['batch', 3])).toThrow(/cannot broadcast/);
  });
});

describe('broadcasting in graphs', () => {
  it('binary ops broadcast at run time like numpy, and record the shape', async () => {
    const caseArb = ref.broadcastPairArb(4, 3).chain(([sa, sb]) =>
      fc.tuple(fc.constant(sa), fc.constant(sb), ref.valuesArb(ref.size(sa), -4, 4), ref.valuesArb(ref.size(sb), -4, 4)),
    );
    await fc.assert(
      fc.asyncProperty(caseArb, async ([sa, sb, va, vb]) => {
        const a = ref.nd(va, sa);
        const b = ref.nd(vb, sb);
        const g = new Graph('broadcast');
        const av = g.input('a', 'float32', sa);
        const bv = g.input('b', 'float32', sb);
        const outs = { sum: op.add(av, bv), diff: op.sub(bv, av), prod: op.mul(av, bv) };
        const want = ref.broadcastShape(sa, sb);
        for (const v of Object.values(outs)) expect(v.shape).toEqual(want);
        const r = await evaluate(engine, g, outs, { a: feed(engine, a), b: feed(engine, b) });
        ref.expectAllClose(numbers(r.sum), ref.zip(a, b, (x, y) => Math.fround(x + y)).data, { rtol: 0, atol: 0 }, 'sum');
        ref.expectAllClose(numbers(r.diff), ref.zip(b, a, (x, y) => Math.fround(x - y)).data, { rtol: 0, atol: 0 }, 'diff');
        ref.expectAllClose(numbers(r.prod), ref.zip(a, b, (x, y) => Math.fround(x * y)).data, { rtol: 0, atol: 0 }, 'prod');
      }),
      { numRuns: 25, seed: 3 },
    );
  });

  it('a bias row and a column broadcast over a symbolic batch', async () => {
    const g = new Graph('bias');
    const x = g.input('x', 'float32', ['batch', 3]);
    const bias = g.constant([10, 20, 30], 'float32', [3]);
    const scale = g.input('s', 'float32', ['batch', 1]);
    const y = op.mul(op.add(x, bias), scale);
    expect(y.shape).toEqual(['batch', 3]);
    const r = await evaluate(engine, g, { y }, {
      x: engine.float32(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]),
      s: engine.float32(Float32Array.of(1, -2), [2, 1]),
    });
    expect(r.y.dims).toEqual([2, 3]);
    ref.expectAllClose(numbers(r.y), [11, 22, 33, -28, -50, -72], { rtol: 0, atol: 0 });
  });

  it('an op on known, incompatible shapes throws while building', () => {
    const g = new Graph('clash');
    const a = g.input('a', 'float32', [2, 3]);
    const b = g.input('b', 'float32', [2]);
    expect(() => op.add(a, b)).toThrow(/cannot broadcast shapes \[2, 3\] and \[2\]/);
    expect(() => op.where(op.less(a, 0), a, b)).toThrow(/cannot broadcast/);
  });
});

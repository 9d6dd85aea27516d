import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, type Value } from '../../../src/graph/graph.js';
import * as op from '../../../src/graph/ops/index.js';
import { createNodeEngine } from '../../../src/runtime/node.js';
import * as ref from '../../helpers/reference.js';
import { evaluate, feed, numbers } from '../../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const tol = { rtol: 1e-5, atol: 1e-5 };

/** Random values of a shape, exact in float32. */
function arrayOf(shape: readonly number[], rand: () => number): ref.NdArray {
  return ref.nd(ref.randomFloat32(ref.size(shape), rand), shape);
}

type CShape = 'none' | 'mn' | 'n' | '1n' | 'm1' | 'scalar';

describe('gemm', () => {
  it('computes alpha op(a) op(b) + beta c for every transpose and broadcast c', async () => {
    const caseArb = fc.record({
      m: fc.integer({ min: 1, max: 5 }),
      k: fc.integer({ min: 1, max: 5 }),
      n: fc.integer({ min: 1, max: 5 }),
      transA: fc.boolean(),
      transB: fc.boolean(),
      alpha: fc.constantFrom(1, 0.5, -2),
      beta: fc.constantFrom(1, 0, 0.25, -1),
      c: fc.constantFrom<CShape>('none', 'mn', 'n', '1n', 'm1', 'scalar'),
      seed: fc.integer({ min: 1, max: 1e6 }),
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ m, k, n, transA, transB, alpha, beta, c, seed }) => {
        const rand = ref.seededRandom(seed);
        const a = arrayOf(transA ? [k, m] : [m, k], rand);
        const b = arrayOf(transB ? [n, k] : [k, n], rand);
        const cShape = { none: undefined, mn: [m, n], n: [n], '1n': [1, n], m1: [m, 1], scalar: [] }[c];
        const cArr = cShape === undefined ? undefined : arrayOf(cShape, rand);

        const g = new Graph('gemm');
        const av = g.input('a', 'float32', a.shape);
        const bv = g.input('b', 'float32', b.shape);
        const cv = cArr === undefined ? undefined : g.input('c', 'float32', cArr.shape);
        const y = op.gemm(av, bv, cv, { transA, transB, alpha, beta });
        expect(y.shape).toEqual([m, n]);
        const feeds = { a: feed(engine, a), b: feed(engine, b), ...(cArr === undefined ? {} : { c: feed(engine, cArr) }) };
        const r = await evaluate(engine, g, { y }, feeds);
        ref.expectAllClose(numbers(r.y), ref.gemm(a, b, cArr, { transA, transB, alpha, beta }).data, tol, 'gemm');
      }),
      { numRuns: 40, seed: 3 },
    );
  });

  it('records [m, n] with symbolic dims, through the transposes', () => {
    const g = new Graph('gemm-shapes');
    const x = g.input('x', 'float32', ['batch', 784]);
    const w = g.input('w', 'float32', [784, 500]);
    const h = g.input('h', 'float32', ['batch', 500]);
    expect(op.gemm(x, w).shape).toEqual(['batch', 500]);
    expect(op.gemm(h, w, undefined, { transB: true }).shape).toEqual(['batch', 784]);
    expect(op.gemm(x, h, undefined, { transA: true }).shape).toEqual([784, 500]);
    expect(op.gemm(w, x, undefined, { transA: true, transB: true }).shape).toEqual([500, 'batch']);
  });

  it('rejects mismatched inner dimensions and operands that are not matrices', () => {
    const g = new Graph('gemm-errors');
    const a = g.input('a', 'float32', [2, 3]);
    const b = g.input('b', 'float32', [4, 5]);
    const v = g.input('v', 'float32', [3]);
    expect(() => op.gemm(a, b)).toThrow(/inner dimensions differ \(3 and 4\)/);
    expect(() => op.gemm(a, b, undefined, { transB: true })).toThrow(/inner dimensions differ \(3 and 5\)/);
    expect(op.gemm(a, a, undefined, { transA: true }).shape).toEqual([3, 3]);
    expect(() => op.gemm(a, v)).toThrow(/matrices/);
    // A symbolic inner dim cannot be checked while building: accepted.
    const s = g.input('s', 'float32', [2, 'k']);
    expect(op.gemm(s, b).shape).toEqual([2, 5]);
  });

  it('the CD positive statistic v^T h / batch matches the reference (transA, alpha)', async () => {
    const rand = ref.seededRandom(99);
    const v = arrayOf([16, 12], rand);
    const h = arrayOf([16, 7], rand);
    const g = new Graph('cd-stat');
    const vv = g.input('v', 'float32', [16, 12]);
    const y = op.gemm(vv, g.input('h', 'float32', [16, 7]), undefined, { transA: true, alpha: 1 / 16 });
    const r = await evaluate(engine, g, { y }, { v: feed(engine, v), h: feed(engine, h) });
    ref.expectAllClose(numbers(r.y), ref.gemm(v, h, undefined, { transA: true, alpha: 1 / 16 }).data, tol);
  });
});

describe('matmul', () => {
  it('multiplies [..., m, k] by [k, n] like numpy', async () => {
    const caseArb = fc.record({
      batch: ref.shapeArb(0, 2, 3),
      m: fc.integer({ min: 1, max: 4 }),
      k: fc.integer({ min: 1, max: 5 }),
      n: fc.integer({ min: 1, max: 4 }),
      seed: fc.integer({ min: 1, max: 1e6 }),
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ batch, m, k, n, seed }) => {
        const rand = ref.seededRandom(seed);
        const a = arrayOf([...batch, m, k], rand);
        const b = arrayOf([k, n], rand);
        const g = new Graph('matmul');
        const y = op.matmul(g.input('a', 'float32', a.shape), g.input('b', 'float32', b.shape));
        expect(y.shape).toEqual([...batch, m, n]);
        const r = await evaluate(engine, g, { y }, { a: feed(engine, a), b: feed(engine, b) });
        ref.expectAllClose(numbers(r.y), ref.matmul(a, b).data, tol, 'matmul');
      }),
      { numRuns: 20, seed: 5 },
    );
  });

  it('takes a vector on the left: [k] x [k, n] is [n]', async () => {
    const rand = ref.seededRandom(4);
    const a = arrayOf([3], rand);
    const b = arrayOf([3, 2], rand);
    const g = new Graph('vecmat');
    const y = op.matmul(g.input('a', 'float32', [3]), g.input('b', 'float32', [3, 2]));
    expect(y.shape).toEqual([2]);
    const r = await evaluate(engine, g, { y }, { a: feed(engine, a), b: feed(engine, b) });
    ref.expectAllClose(numbers(r.y), ref.matmul2(ref.nd(a.data, [1, 3]), b).data, tol);
  });

  it('takes a vector on the right: [..., m, k] x [k] is [..., m]', async () => {
    const rand = ref.seededRandom(6);
    const a = arrayOf([2, 3, 4], rand);
    const b = arrayOf([4], rand);
    const g = new Graph('matvec');
    const y = op.matmul(g.input('a', 'float32', a.shape), g.input('b', 'float32', [4]));
    expect(y.shape).toEqual([2, 3]);
    const r = await evaluate(engine, g, { y }, { a: feed(engine, a), b: feed(engine, b) });
    ref.expectAllClose(numbers(r.y), ref.matmul(a, ref.nd(b.data, [4, 1])).data, tol);
  });

  it('gives every MatMul node operands of rank 2 or more (onnxruntime-web WebGPU takes no 1-D operand)', () => {
    const g = new Graph('vectors');
    const m = g.input('m', 'float32', ['batch', 4]);
    op.matmul(m, g.input('v', 'float32', [4]));
    op.matmul(g.input('u', 'float32', ['batch']), m);
    const matmuls = g.nodeList.filter((n) => n.opType === 'MatMul');
    expect(matmuls).toHaveLength(2);
    for (const n of matmuls) for (const name of n.inputs) expect(g.valueNamed(name)!.shape!.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps symbolic leading dims and rejects a known inner mismatch', () => {
    const g = new Graph('matmul-shapes');
    const x: Value = g.input('x', 'float32', ['chains', 'steps', 6]);
    expect(op.matmul(x, g.input('w', 'float32', [6, 3])).shape).toEqual(['chains', 'steps', 3]);
    expect(() => op.matmul(x, g.input('u', 'float32', [5, 3]))).toThrow(/inner dimensions differ \(6 and 5\)/);
  });
});

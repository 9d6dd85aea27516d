import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, type Value } from '../../../src/graph/graph.js';
import * as op from '../../../src/graph/ops/index.js';
import { createNodeEngine } from '../../../src/runtime/node.js';
import {
  broadcastPairArb,
  expectAllClose,
  map,
  nd,
  shapeArb,
  size,
  valuesArb,
  zip,
  type Tolerance,
} from '../../helpers/reference.js';
import { evaluate, feed, numbers } from '../../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const RUNS = { numRuns: 12, seed: 20240611 };

/** A shape and float32 values in [lo, hi] to fill it. */
const arrayArb = (lo: number, hi: number, maxRank = 3) =>
  shapeArb(0, maxRank).chain((shape) => fc.tuple(fc.constant(shape), valuesArb(size(shape), lo, hi)));

/** softplus in float64 without overflow or cancellation. */
const softplusRef = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoidRef = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

interface UnaryCase {
  readonly name: string;
  readonly build: (x: Value) => Value;
  readonly ref: (x: number) => number;
  readonly lo: number;
  readonly hi: number;
  readonly tol?: Tolerance;
}

const exact: Tolerance = { rtol: 0, atol: 0 };
const unaryCases: readonly UnaryCase[] = [
  { name: 'neg', build: op.neg, ref: (x) => -x, lo: -10, hi: 10, tol: exact },
  { name: 'abs', build: op.abs, ref: Math.abs, lo: -10, hi: 10, tol: exact },
  { name: 'relu', build: op.relu, ref: (x) => Math.max(x, 0), lo: -10, hi: 10, tol: exact },
  { name: 'exp', build: op.exp, ref: Math.exp, lo: -20, hi: 20, tol: { rtol: 1e-6, atol: 0 } },
  { name: 'log', build: op.log, ref: Math.log, lo: 1e-3, hi: 1e3, tol: { rtol: 1e-6, atol: 1e-7 } },
  { name: 'sqrt', build: op.sqrt, ref: Math.sqrt, lo: 0, hi: 100, tol: { rtol: 1e-7, atol: 0 } },
  { name: 'tanh', build: op.tanh, ref: Math.tanh, lo: -10, hi: 10, tol: { rtol: 1e-6, atol: 1e-6 } },
  { name: 'sigmoid', build: op.sigmoid, ref: sigmoidRef, lo: -20, hi: 20, tol: { rtol: 1e-6, atol: 1e-6 } },
  { name: 'softplus', build: op.softplus, ref: softplusRef, lo: -40, hi: 40, tol: { rtol: 1e-6, atol: 0 } },
  { name: 'square', build: op.square, ref: (x) => x * x, lo: -100, hi: 100, tol: { rtol: 1e-7, atol: 0 } },
];

describe('unary ops against float64 references', () => {
  it.each(unaryCases)('$name', async ({ name, build, ref, lo, hi, tol }) => {
    await fc.assert(
      fc.asyncProperty(arrayArb(lo, hi), async ([shape, values]) => {
        const g = new Graph(`unary-${name}`);
        const x = g.input('x', 'float32', shape);
        const y = build(x);
        expect(y.dtype).toBe('float32');
        expect(y.shape).toEqual(shape);
        const r = await evaluate(engine, g, { y }, { x: engine.float32(values, shape) });
        // The target is the float64 result rounded to float32 (underflow included).
        expectAllClose(numbers(r.y), map(nd(values, shape), (v) => Math.fround(ref(v))).data, tol, name);
      }),
      RUNS,
    );
  });
});

describe('softplus and sigmoid at extremes (float32)', () => {
  const extremes = Float32Array.of(-1e4, -100, -80, -30, -15, -1, 0, 1, 15, 30, 80, 100, 1e4);

  async function run(build: (x: Value) => Value): Promise<ArrayLike<number>> {
    const g = new Graph('extremes');
    const x = g.input('x', 'float32', [extremes.length]);
    const r = await evaluate(engine, g, { y: build(x) }, { x: engine.float32(extremes, [extremes.length]) });
    return numbers(r.y);
  }

  it('softplus is finite and accurate to float32 rounding at ±30, ±80', async () => {
    const y = await run(op.softplus);
    expect(Array.from(y).every(Number.isFinite)).toBe(true);
    const at = (v: number) => extremes.indexOf(v);
    for (const v of [-80, -30, -15, 15, 30, 80]) {
      expect(Math.abs(y[at(v)] - softplusRef(v)), `softplus(${v})`).toBeLessThanOrEqual(1e-6 * softplusRef(v));
    }
    // Beyond float32's range of e^x: the exact result underflows to ~0 or equals x.
    expect(y[at(-1e4)]).toBe(0);
    expect(y[at(-100)]).toBeLessThan(1e-40);
    expect(y[at(-100)]).toBeGreaterThanOrEqual(0);
    expect(y[at(100)]).toBe(100);
    expect(y[at(1e4)]).toBe(1e4);
    expectAllClose(y, Array.from(extremes, softplusRef), { rtol: 1e-6, atol: 1e-40 }, 'softplus');
  });

  it('sigmoid stays in [0, 1], is monotone and within 1e-6 of the exact value at extremes', async () => {
    const y = await run(op.sigmoid);
    for (let i = 0; i < y.length; i++) {
      expect(y[i]).toBeGreaterThanOrEqual(0);
      expect(y[i]).toBeLessThanOrEqual(1);
      if (i > 0) expect(y[i]).toBeGreaterThanOrEqual(y[i - 1]);
    }
    expect(y[extremes.indexOf(0)]).toBe(0.5);
    for (const v of [30, 80, 100, 1e4]) expect(y[extremes.indexOf(v)], `sigmoid(${v})`).toBe(1);
    // Absolute accuracy only: onnxruntime's MLAS logistic is an approximation whose relative error in the
    // far negative tail is large (sigmoid(-30) comes out 0, exactly 9.4e-14).
    expectAllClose(y, Array.from(extremes, sigmoidRef), { rtol: 0, atol: 1e-6 }, 'sigmoid');
  });
});

interface BinaryCase {
  readonly name: string;
  readonly build: (a: Value, b: Value) => Value;
  readonly ref: (a: number, b: number) => number;
  readonly dtype: 'float32' | 'bool';
}

const binaryCases: readonly BinaryCase[] = [
  { name: 'add', build: op.add, ref: (a, b) => Math.fround(a + b), dtype: 'float32' },
  { name: 'sub', build: op.sub, ref: (a, b) => Math.fround(a - b), dtype: 'float32' },
  { name: 'mul', build: op.mul, ref: (a, b) => Math.fround(a * b), dtype: 'float32' },
  { name: 'div', build: op.div, ref: (a, b) => Math.fround(a / b), dtype: 'float32' },
  { name: 'maximum', build: op.maximum, ref: Math.max, dtype: 'float32' },
  { name: 'minimum', build: op.minimum, ref: Math.min, dtype: 'float32' },
  { name: 'less', build: op.less, ref: (a, b) => (a < b ? 1 : 0), dtype: 'bool' },
  { name: 'greater', build: op.greater, ref: (a, b) => (a > b ? 1 : 0), dtype: 'bool' },
];

/** Two broadcastable shapes with values; b stays away from 0 so that a / b is tame. Ties are likely. */
const binaryArb = broadcastPairArb(3, 3).chain(([sa, sb]) =>
  fc.tuple(
    fc.constant(sa),
    fc.constant(sb),
    fc.array(fc.integer({ min: -8, max: 8 }), { minLength: size(sa), maxLength: size(sa) }),
    fc.array(fc.integer({ min: 1, max: 8 }).chain((m) => fc.constantFrom(m, -m)), { minLength: size(sb), maxLength: size(sb) }),
  ),
);

describe('binary ops with broadcasting', () => {
  it.each(binaryCases)('$name', async ({ name, build, ref, dtype }) => {
    await fc.assert(
      fc.asyncProperty(binaryArb, async ([sa, sb, ia, ib]) => {
        // Quarter steps: exact in float32, with ties between a and b for the comparisons.
        const a = nd(ia.map((v) => v / 4), sa);
        const b = nd(ib.map((v) => v / 4), sb);
        const g = new Graph(`binary-${name}`);
        const y = build(g.input('a', 'float32', sa), g.input('b', 'float32', sb));
        expect(y.dtype).toBe(dtype);
        const r = await evaluate(engine, g, { y }, { a: feed(engine, a), b: feed(engine, b) });
        const want = zip(a, b, ref);
        expect(r.y.dims).toEqual(want.shape);
        expectAllClose(numbers(r.y, dtype), want.data, exact, name);
      }),
      { numRuns: 8, seed: 7 },
    );
  });

  it('takes a number operand on either side as a scalar of the other operand type', async () => {
    const g = new Graph('number-operands');
    const x = g.input('x', 'float32', [4]);
    const outs = { left: op.sub(10, x), right: op.sub(x, 10), scaled: op.mul(x, 0.5), ratio: op.div(1, x) };
    for (const v of Object.values(outs)) expect(v.shape).toEqual([4]);
    const xs = Float32Array.of(1, 2, -4, 8);
    const r = await evaluate(engine, g, outs, { x: engine.float32(xs, [4]) });
    expectAllClose(numbers(r.left), [9, 8, 14, 2], exact);
    expectAllClose(numbers(r.right), [-9, -8, -14, -2], exact);
    expectAllClose(numbers(r.scaled), [0.5, 1, -2, 4], exact);
    expectAllClose(numbers(r.ratio), [1, 0.5, -0.25, 0.125], exact);
  });

  it('lifts numbers to float64 next to a float64 value', async () => {
    const g = new Graph('float64-operands');
    const x = g.input('x', 'float64', [3]);
    const y = op.add(op.mul(x, 1 / 3), 1e-12);
    expect(y.dtype).toBe('float64');
    const r = await evaluate(engine, g, { y }, { x: new engine.ort.Tensor('float64', Float64Array.of(1, 2, 3), [3]) });
    expectAllClose(numbers(r.y, 'float64'), [1 / 3 + 1e-12, 2 / 3 + 1e-12, 1 + 1e-12], { rtol: 1e-15, atol: 0 });
  });

  it('rejects operands of different types and two numbers', () => {
    const g = new Graph('bad-operands');
    const a = g.input('a', 'float32', [2]);
    const b = g.input('b', 'float64', [2]);
    expect(() => op.add(a, b)).toThrow(/types differ/);
    expect(() => op.add(1, 2)).toThrow(/graph value/);
  });
});

describe('cast and where', () => {
  it('casts between float32, float64, int32 and bool', async () => {
    const g = new Graph('cast');
    const x = g.input('x', 'float32', [2, 3]);
    const outs = {
      f64: op.cast(x, 'float64'),
      i32: op.cast(x, 'int32'),
      flag: op.cast(x, 'bool'),
      back: op.cast(op.less(x, 0), 'float32'),
    };
    expect(Object.values(outs).map((v) => [v.dtype, v.shape])).toEqual([
      ['float64', [2, 3]],
      ['int32', [2, 3]],
      ['bool', [2, 3]],
      ['float32', [2, 3]],
    ]);
    const xs = Float32Array.of(-2.75, -0.5, 0, 0.25, 3, 1e6);
    const r = await evaluate(engine, g, outs, { x: engine.float32(xs, [2, 3]) });
    expectAllClose(numbers(r.f64, 'float64'), xs, exact);
    expectAllClose(numbers(r.i32, 'int32'), [-2, 0, 0, 0, 3, 1e6], exact); // truncation toward zero
    expectAllClose(numbers(r.flag, 'bool'), [1, 1, 0, 1, 1, 1], exact);
    expectAllClose(numbers(r.back), [1, 1, 0, 0, 0, 0], exact);
  });

  it('where selects element-wise with broadcasting of condition and branches', async () => {
    await fc.assert(
      fc.asyncProperty(
        broadcastPairArb(3, 3).chain(([sc, sa]) =>
          fc.tuple(fc.constant(sc), fc.constant(sa), valuesArb(size(sc), -1, 1), valuesArb(size(sa), -5, 5)),
        ),
        async ([sc, sa, cv, av]) => {
          const g = new Graph('where');
          const c = g.input('c', 'float32', sc);
          const a = g.input('a', 'float32', sa);
          const y = op.where(op.greater(c, 0), a, -1);
          const r = await evaluate(engine, g, { y }, { c: engine.float32(cv, sc), a: engine.float32(av, sa) });
          const want = zip(nd(cv, sc), nd(av, sa), (cond, v) => (cond > 0 ? v : -1));
          expect(r.y.dims).toEqual(want.shape);
          expectAllClose(numbers(r.y), want.data, exact, 'where');
        },
      ),
      { numRuns: 8, seed: 11 },
    );
  });

  it('where takes a number in the first branch', async () => {
    const g = new Graph('where-left-number');
    const x = g.input('x', 'float32', [3]);
    const y = op.where(op.less(x, 0), 0, x);
    expect(y.shape).toEqual([3]);
    const r = await evaluate(engine, g, { y }, { x: engine.float32(Float32Array.of(-1, 2, -3), [3]) });
    expectAllClose(numbers(r.y), [0, 2, 0], exact);
  });
});

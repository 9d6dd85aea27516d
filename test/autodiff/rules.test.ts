/**
 * Every op's gradient rule against float64 central finite differences of the same graph run by onnxruntime
 * (see grad-check.ts); Softplus, which onnxruntime runs in float32 only, against its float64 derivative.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gradients, stopGradient } from '../../src/autodiff/index.js';
import { vjpRules } from '../../src/autodiff/rules.js';
import { Graph, int, ints } from '../../src/graph/graph.js';
import * as op from '../../src/graph/ops/index.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { expectAllClose, seededRandom } from '../helpers/reference.js';
import { checkGradients, type CheckInput } from './grad-check.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const x = (name: string, dims: number[], more: Partial<CheckInput> = {}): CheckInput => ({ name, dims, ...more });

// Every binary op against every broadcast pattern: rules-sweep.test.ts.
describe('binary ops', () => {
  it('Max and Min share the gradient equally at ties', async () => {
    const g = new Graph('ties', 0);
    const a = g.input('a', 'float64', [3]);
    const b = g.input('b', 'float64', [3]);
    const [ga, gb] = gradients(op.reduceSum(op.maximum(a, b), [0]), [a, b]);
    const [ha, hb] = gradients(op.reduceSum(op.minimum(a, b), [0]), [a, b]);
    for (const [n, v] of Object.entries({ ga, gb, ha, hb })) g.output(n, v);
    const feed = (xs: number[]) => new engine.ort.Tensor('float64', Float64Array.from(xs), [3]);
    const r = await (await engine.compile(g)).run({ a: feed([1, 2, 3]), b: feed([1, 5, 0]) });
    expect(Array.from(r.ga.data as Float64Array)).toEqual([0.5, 0, 1]);
    expect(Array.from(r.gb.data as Float64Array)).toEqual([0.5, 1, 0]);
    expect(Array.from(r.ha.data as Float64Array)).toEqual([0.5, 1, 0]);
    expect(Array.from(r.hb.data as Float64Array)).toEqual([0.5, 0, 1]);
  });

  it('Where: to the chosen branch only, broadcast', async () => {
    const cond = [true, false, false, true, true, false];
    await checkGradients(
      engine,
      ([a, b], g) => {
        const c = op.greater(g.constant(cond.map(Number), 'float64', [2, 3]), 0.5);
        return op.where(c, a, b);
      },
      [x('a', [2, 3]), x('b', [3])],
    );
  });
});

describe('unary ops', () => {
  const avoidZero = (n: number, seed: number): number[] => {
    const r = seededRandom(seed);
    return Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (0.1 + r()));
  };
  const cases: [string, (v: ReturnType<typeof op.neg>) => ReturnType<typeof op.neg>, Partial<CheckInput>][] = [
    ['Neg', op.neg, {}],
    ['Exp', op.exp, {}],
    ['Log', op.log, { lo: 0.2, hi: 3 }],
    ['Abs', op.abs, { values: avoidZero(12, 1) }],
    ['Sqrt', op.sqrt, { lo: 0.2, hi: 3 }],
    ['Tanh', op.tanh, { lo: -2, hi: 2 }],
    ['Relu', op.relu, { values: avoidZero(12, 2) }],
    ['Sigmoid', op.sigmoid, { lo: -4, hi: 4 }],
    ['Identity', (v) => v.graph.node('Identity', [v], [{ dtype: v.dtype, shape: v.shape }])[0], {}],
    ['Softmax (last axis)', (v) => op.softmax(v), {}],
    ['Softmax (axis 0)', (v) => op.softmax(v, 0), {}],
    ['LogSoftmax (last axis)', (v) => op.logSoftmax(v), { lo: -3, hi: 3 }],
    ['LogSoftmax (axis 0)', (v) => op.logSoftmax(v, 0), {}],
  ];
  for (const [name, f, more] of cases) {
    it(name, async () => {
      await checkGradients(engine, ([v]) => f(v), [x('x', [3, 4], more)]);
    });
  }

  it('Softmax and LogSoftmax on the middle axis of a rank-3 tensor', async () => {
    await checkGradients(engine, ([v]) => op.softmax(v, 1), [x('x', [2, 3, 2])]);
    await checkGradients(engine, ([v]) => op.logSoftmax(v, -2), [x('x', [2, 3, 2])]);
  });

  it('Softplus (float32 only in onnxruntime): its gradient is sigmoid(x), against float64', async () => {
    const g = new Graph('softplus');
    const v = g.input('x', 'float32', [50]);
    const [grad] = gradients(op.reduceSum(op.softplus(v), [0]), [v]);
    g.output('grad', grad);
    const xs = Float32Array.from({ length: 50 }, (_, i) => -12 + (24 * i) / 49);
    const r = await (await engine.compile(g)).run({ x: engine.float32(xs, [50]) });
    expectAllClose(r.grad.data as Float32Array, Array.from(xs, (t) => 1 / (1 + Math.exp(-t))), { rtol: 1e-6, atol: 1e-7 });
  });

  it('Cast: float to float passes the gradient (in the input type); bool to float passes none', async () => {
    await checkGradients(
      engine,
      ([v]) => op.mul(op.cast(op.cast(v, 'float32'), 'float64'), op.cast(op.greater(v, 0), 'float64')),
      [x('x', [2, 3], { values: [-1, 0.5, 2, -0.25, 0.125, 1] })],
      { h: 1e-3, rtol: 1e-3 }, // finite differences through float32 rounding
    );
  });
});

describe('matrix products', () => {
  it('Gemm: every transA / transB, alpha, beta, and C broadcast or absent', async () => {
    const [m, k, n] = [3, 4, 2];
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const cDims of [[m, n], [n], [1, n], [m, 1], [], undefined]) {
          const inputs = [x('a', transA ? [k, m] : [m, k]), x('b', transB ? [n, k] : [k, n])];
          if (cDims !== undefined) inputs.push(x('c', cDims));
          await checkGradients(engine, ([a, b, c]) => op.gemm(a, b, c, { transA, transB, alpha: 0.7, beta: 1.3 }), inputs);
        }
      }
    }
  });

  it('MatMul: matrix x matrix, batched x matrix, vector x matrix, matrix x vector, batched x vector, vector x vector', async () => {
    const cases: [number[], number[]][] = [
      [[3, 4], [4, 2]],
      [[2, 3, 4], [4, 2]],
      [[4], [4, 2]],
      [[3, 4], [4]],
      [[2, 3, 4], [4]],
      [[4], [4]],
    ];
    for (const [sa, sb] of cases) await checkGradients(engine, ([a, b]) => op.matmul(a, b), [x('a', sa), x('b', sb)]);
  });
});

describe('reductions', () => {
  const shapes: [number[], number[]][] = [
    [[3, 4], [0]],
    [[3, 4], [1]],
    [[3, 4], [-1]],
    [[3, 4], [0, 1]],
    [[2, 3, 4], [1]],
    [[2, 3, 4], [0, 2]],
  ];
  for (const [name, f] of [
    ['ReduceSum', op.reduceSum],
    ['ReduceMean', op.reduceMean],
    ['ReduceMax', op.reduceMax],
  ] as const) {
    it(`${name}, with and without keepDims`, async () => {
      for (const [dims, axes] of shapes) {
        for (const keepDims of [false, true]) await checkGradients(engine, ([v]) => f(v, axes, { keepDims }), [x('x', dims)]);
      }
    });
  }

  it('ReduceMax shares the gradient among tied maxima', async () => {
    const g = new Graph('max-ties');
    const v = g.input('x', 'float64', [2, 3]);
    const [grad] = gradients(op.reduceSum(op.reduceMax(v, [1]), [0]), [v]);
    g.output('grad', grad);
    const r = await (await engine.compile(g)).run({ x: new engine.ort.Tensor('float64', Float64Array.from([1, 3, 3, 5, 2, 1]), [2, 3]) });
    expect(Array.from(r.grad.data as Float64Array)).toEqual([0, 0.5, 0.5, 1, 0, 0]);
  });

  it('ReduceMean over a symbolic batch axis (count taken at run time), with a broadcast bias', async () => {
    await checkGradients(
      engine,
      ([v, b]) => op.reduceMean(op.reduceSum(op.mul(op.add(v, b), op.add(v, b)), [1]), [0]),
      [x('v', [5, 3], { shape: ['batch', 3] }), x('b', [3])],
    );
  });
});

describe('shape ops', () => {
  it('Transpose (default and given perm)', async () => {
    await checkGradients(engine, ([v]) => op.transpose(v), [x('x', [2, 3])]);
    await checkGradients(engine, ([v]) => op.transpose(v, [1, 2, 0]), [x('x', [2, 3, 4])]);
  });

  it('Reshape and Unsqueeze', async () => {
    await checkGradients(engine, ([v]) => op.reshape(v, [3, 2, 2]), [x('x', [2, 6])]);
    await checkGradients(engine, ([v]) => op.unsqueeze(v, [0, 2]), [x('x', [2, 3])]);
  });

  it('Reshape of a symbolic shape, back to it', async () => {
    await checkGradients(
      engine,
      ([v], g) => op.reduceSum(op.exp(op.reshapeTo(v, g.constant([-1], 'int64', [1]), ['n'])), [0]),
      [x('x', [4, 3], { shape: ['rows', 3] })],
    );
  });

  it('Concat, Slice and Expand', async () => {
    await checkGradients(engine, ([a, b]) => op.concat([a, b, a], 1), [x('a', [2, 3]), x('b', [2, 1])]);
    await checkGradients(engine, ([v]) => op.slice(v, [1, 0], [3, 2], [0, 1]), [x('x', [4, 3])]);
    await checkGradients(engine, ([v]) => op.expand(v, [2, 3, 4]), [x('x', [3, 1])]);
  });
});

describe('what passes no gradient', () => {
  it('random draws and comparisons: a Bernoulli sample of p carries no gradient to p', async () => {
    const g = new Graph('random', 3);
    const p = g.input('p', 'float32', [4]);
    const loss = op.reduceSum(op.add(op.bernoulli(p), op.mul(p, 2)), [0]);
    const [grad] = gradients(loss, [p]);
    g.output('grad', grad);
    const r = await engine.withProgram(g, (program) => program.run({ p: engine.float32(Float32Array.of(0.1, 0.5, 0.9, 0.3), [4]) }));
    expect(Array.from(r.grad.data as Float32Array)).toEqual([2, 2, 2, 2]);
  });

  it('stopGradient: the value passes, its gradient does not', async () => {
    const grads = await checkGradients(engine, ([a]) => op.mul(a, stopGradient(a)), [x('a', [3], { values: [1, 2, 3] })]).catch(
      (e: unknown) => e,
    );
    // Finite differences see d(a^2) = 2a; the stopped graph says a: the check must fail.
    expect(grads).toBeInstanceOf(Error);
    const g = new Graph('stop');
    const a = g.input('a', 'float64', [3]);
    const [grad] = gradients(op.reduceSum(op.mul(a, stopGradient(a)), [0]), [a]);
    g.output('grad', grad);
    const r = await (await engine.compile(g)).run({ a: new engine.ort.Tensor('float64', Float64Array.of(1, 2, 3), [3]) });
    expect(Array.from(r.grad.data as Float64Array)).toEqual([1, 2, 3]);
  });

  it('an input the loss does not depend on gets zeros of its shape (known or symbolic)', async () => {
    const g = new Graph('unused');
    const a = g.input('a', 'float64', [2]);
    const b = g.input('b', 'float64', [2, 3]);
    const c = g.input('c', 'float64', ['rows', 2]);
    const [, gb, gc] = gradients(op.reduceSum(op.exp(a), [0]), [a, b, c]);
    g.output('gb', gb);
    g.output('gc', gc);
    const f64 = (n: number, dims: number[]) => new engine.ort.Tensor('float64', new Float64Array(n).fill(1), dims);
    const r = await (await engine.compile(g)).run({ a: f64(2, [2]), b: f64(6, [2, 3]), c: f64(10, [5, 2]) });
    expect(r.gb.dims).toEqual([2, 3]);
    expect(Array.from(r.gb.data as Float64Array)).toEqual(new Array(6).fill(0));
    expect(r.gc.dims).toEqual([5, 2]);
  });
});

describe('contract', () => {
  it('a non-scalar loss needs a seed; with one, gradients give the vector-Jacobian product', async () => {
    const g = new Graph('seeded');
    const a = g.input('a', 'float64', [3]);
    const y = op.mul(a, a);
    expect(() => gradients(y, [a])).toThrow(/must be a scalar/);
    const s = g.input('s', 'float64', [3]);
    const [grad] = gradients(y, [a], { seed: s });
    g.output('grad', grad);
    const t = (xs: number[]) => new engine.ort.Tensor('float64', Float64Array.from(xs), [3]);
    const r = await (await engine.compile(g)).run({ a: t([1, 2, 3]), s: t([1, 10, 100]) });
    expect(Array.from(r.grad.data as Float64Array)).toEqual([2, 40, 600]);
  });

  it('an op without a rule on the path is an error naming it; off the path it does not matter', () => {
    const g = new Graph('norule');
    const a = g.input('a', 'float64', [3]);
    const [odd] = g.node('Erf', [a], [{ dtype: 'float64', shape: [3] }]);
    expect(() => gradients(op.reduceSum(odd, [0]), [a])).toThrow(/no gradient rule for Erf/);
    const b = g.input('b', 'float64', [3]);
    expect(() => gradients(op.reduceSum(op.add(odd, b), [0]), [b])).not.toThrow();
  });

  it('a value used several times accumulates its gradients', async () => {
    await checkGradients(engine, ([a]) => op.add(op.mul(a, a), op.mul(op.exp(a), a)), [x('a', [2, 2])]);
  });

  it('every rule is checked in this file', () => {
    const checked = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow', 'Where', 'Neg', 'Exp', 'Log', 'Abs', 'Sqrt', 'Tanh', 'Relu', 'Sigmoid', 'Softplus', 'Softmax', 'LogSoftmax', 'Identity', 'Cast', 'Gemm', 'MatMul', 'ReduceSum', 'ReduceMean', 'ReduceMax', 'Transpose', 'Reshape', 'Unsqueeze', 'Expand', 'Concat', 'Slice'];
    const unchecked = Object.keys(vjpRules).filter((name) => !checked.includes(name));
    expect(unchecked).toEqual(['ReduceMin', 'Squeeze', 'Flatten']); // checked below, built node by node
  });

  it('ReduceMin, Squeeze and Flatten (ops without a builder function yet)', async () => {
    await checkGradients(
      engine,
      ([v]) => v.graph.node('ReduceMin', [v], [{ dtype: v.dtype, shape: [2, 4] }], { axes: ints([1]), keepdims: int(0) })[0],
      [x('x', [2, 3, 4])],
    );
    await checkGradients(
      engine,
      ([v], g) => g.node('Squeeze', [v, g.constant([1], 'int64', [1])], [{ dtype: v.dtype, shape: [2, 3] }])[0],
      [x('x', [2, 1, 3])],
    );
    await checkGradients(engine, ([v]) => v.graph.node('Flatten', [v], [{ dtype: v.dtype, shape: [2, 12] }], { axis: int(1) })[0], [x('x', [2, 3, 4])]);
  });
});

/**
 * The machinery of `gradients` (src/autodiff/gradients.ts), apart from the rules: what it refuses and with
 * which message, which nodes it differentiates (none for stopped or inactive branches, none for gradients
 * nobody asked for), zeros for inputs it does not reach, accumulation over several uses, and its check of
 * the shapes that rules return (exercised with a deliberately wrong rule).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gradients, stopGradient } from '../../src/autodiff/index.js';
import { vjpRules, type VjpRule } from '../../src/autodiff/rules.js';
import type { Dim } from '../../src/graph/dtype.js';
import { Graph, int, Value } from '../../src/graph/graph.js';
import * as op from '../../src/graph/ops/index.js';
import { createNodeEngine } from '../../src/runtime/node.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const f64 = (values: number[], dims: number[]) => new engine.ort.Tensor('float64', Float64Array.from(values), dims);
const ones = (dims: number[]) => f64(new Array<number>(dims.reduce((p, q) => p * q, 1)).fill(1), dims);
/** v with its static shape forgotten (an Identity whose output shape is undeclared). */
const unknownShape = (v: Value): Value => v.graph.node('Identity', [v], [{ dtype: v.dtype, shape: undefined }])[0];
/** How many nodes `gradients(loss, wrt)` adds to the graph. */
function added(loss: Value, wrt: Value[]): number {
  const before = loss.graph.nodeList.length;
  gradients(loss, wrt);
  return loss.graph.nodeList.length - before;
}

describe('refusals, with their messages', () => {
  it('an x of another graph', () => {
    const g = new Graph('one');
    const a = g.input('a', 'float64', [2]);
    const other = new Graph('two').input('x', 'float64', [2]);
    expect(() => gradients(op.reduceSum(a, [0]), [a, other])).toThrow(new Error('gradients: x belongs to another graph'));
  });

  it('a node with several outputs on the path, reached through its first output or another one', () => {
    const g = new Graph('split');
    const a = g.input('a', 'float64', [4]);
    const split = () => g.node('Split', [a, g.constant([2, 2], 'int64', [2])], [{ dtype: 'float64', shape: [2] }, { dtype: 'float64', shape: [2] }], { axis: int(0) });
    const message = new Error('gradients: Split has several outputs; no rule covers it');
    expect(() => gradients(op.reduceSum(split()[0], [0]), [a])).toThrow(message);
    // Through the second output only: refused too, rather than the gradient dropped silently (zeros for a).
    expect(() => gradients(op.reduceSum(split()[1], [0]), [a])).toThrow(message);
    // Off the path it does not matter.
    const b = g.input('b', 'float64', [2]);
    expect(() => gradients(op.reduceSum(op.mul(split()[1], b), [0]), [b])).not.toThrow();
  });

  it('a non-scalar loss without a seed: the message gives its shape, or ? when unknown', () => {
    const g = new Graph('loss-shape');
    const a = g.input('a', 'float64', [2, 3]);
    const y = op.exp(a);
    expect(() => gradients(y, [a])).toThrow(new Error(`gradients: the loss ${y.name} must be a scalar (shape [2, 3]); reduce it or give a seed`));
    const u = unknownShape(op.reduceSum(a, [0, 1]));
    expect(() => gradients(u, [a])).toThrow(new Error(`gradients: the loss ${u.name} must be a scalar (shape [?]); reduce it or give a seed`));
  });

  it('a seed of another type than the loss', () => {
    const g = new Graph('seed-type');
    const a = g.input('a', 'float64', [3]);
    const seed = g.input('s', 'float32', [3]);
    expect(() => gradients(op.exp(a), [a], { seed })).toThrow(new Error('gradients: the seed is float32, the loss float64'));
  });

  it('a value the graph does not know (a Value made by hand under a graph output name)', () => {
    const g = new Graph('unknown-value');
    const a = g.input('a', 'float64', [3]);
    g.output('y', a); // an Identity into 'y', a name of the serialised graph only
    const y = new Value(g, 'y', 'float64', [3]);
    expect(() => gradients(op.reduceSum(op.exp(y), [0]), [a])).toThrow(new Error('gradients: unknown value y'));
  });
});

describe('which nodes are differentiated', () => {
  it('an op without a rule off the path does not matter, even fed by other nodes or after stopGradient', () => {
    const g = new Graph('off-path');
    const a = g.input('a', 'float64', [3]);
    const b = g.input('b', 'float64', [3]);
    const erf = (v: Value): Value => g.node('Erf', [v], [{ dtype: 'float64', shape: v.shape }])[0];
    expect(() => gradients(op.reduceSum(op.add(erf(op.exp(a)), b), [0]), [b])).not.toThrow();
    expect(() => gradients(op.reduceSum(op.add(erf(stopGradient(b)), b), [0]), [b])).not.toThrow();
    // A loss that does not depend on x at all, made by an op without a rule: x gets zeros.
    const loss = erf(op.reduceSum(a, [0]));
    expect(() => gradients(loss, [b])).not.toThrow();
  });

  it('inactive and stopped branches add no backward nodes', () => {
    const build = (other: (g: Graph, a: Value) => Value): number => {
      const g = new Graph('count');
      const a = g.input('a', 'float64', [2, 3]);
      return added(op.reduceSum(op.mul(a, other(g, a)), [0, 1]), [a]);
    };
    const plain = build((g) => g.input('b', 'float64', [2, 3]));
    expect(build((g) => op.exp(op.sigmoid(g.input('c', 'float64', [2, 3]))))).toBe(plain); // a branch independent of a
    expect(build((_g, a) => stopGradient(op.exp(a)))).toBe(plain); // a stopped branch
    expect(build((_g, a) => op.cast(op.greater(a, 0), 'float64'))).toBe(plain); // a comparison
  });

  it('gradients nobody asked for are not built', () => {
    const counts = (wrt: (a: Value, b: Value) => Value[]): number => {
      const g = new Graph('asked');
      const a = g.input('a', 'float64', [2, 3]);
      const b = g.input('b', 'float64', [2, 3]);
      return added(op.reduceSum(op.mul(a, b), [0, 1]), wrt(a, b));
    };
    expect(counts((a) => [a])).toBeLessThan(counts((a, b) => [a, b]));
  });

  it('an input of unknown shape needs none when it is not differentiated', () => {
    const g = new Graph('unknown-input');
    const a = g.input('a', 'float64', [2, 3]);
    const u = unknownShape(g.input('u', 'float64', [2, 3]));
    const [sum] = g.node('Add', [a, u], [{ dtype: 'float64', shape: [2, 3] }]);
    expect(() => gradients(op.reduceSum(sum, [0, 1]), [a])).not.toThrow();
  });

  it('a cast to integers passes no gradient: zeros, though the path exists', async () => {
    const g = new Graph('int-cast');
    const a = g.input('a', 'float64', [3]);
    const [grad] = gradients(op.reduceSum(op.cast(op.cast(a, 'int64'), 'float64'), [0]), [a]);
    g.output('grad', grad);
    const r = await (await engine.compile(g)).run({ a: f64([0.5, 1.5, -2.5], [3]) });
    expect(Array.from(r.grad.data as Float64Array)).toEqual([0, 0, 0]);
  });
});

describe('results', () => {
  it('an x the loss does not reach gets zeros of its run-time shape, its static shape unknown or symbolic', async () => {
    const g = new Graph('zeros');
    const a = g.input('a', 'float64', [2]);
    const u = unknownShape(g.input('x', 'float64', [2, 3]));
    const s = g.input('s', 'float64', ['rows', 'cols']);
    const k = g.input('k', 'float32', [3, 1]);
    const [, gu, gs, gk] = gradients(op.reduceSum(op.exp(a), [0]), [a, u, s, k]);
    expect([gs.shape, gk.shape, gk.dtype]).toEqual([['rows', 'cols'], [3, 1], 'float32']);
    g.output('gu', gu);
    g.output('gs', gs);
    g.output('gk', gk);
    const r = await (await engine.compile(g)).run({ a: ones([2]), x: ones([2, 3]), s: ones([4, 1]), k: engine.float32(Float32Array.of(1, 2, 3), [3, 1]) });
    expect(r.gk.dims).toEqual([3, 1]);
    expect(Array.from(r.gk.data as Float32Array)).toEqual([0, 0, 0]);
    expect(r.gu.dims).toEqual([2, 3]);
    expect(Array.from(r.gu.data as Float64Array)).toEqual(new Array(6).fill(0));
    expect(r.gs.dims).toEqual([4, 1]);
    expect(Array.from(r.gs.data as Float64Array)).toEqual([0, 0, 0, 0]);
  });

  it('a value feeding several nodes (and both inputs of one) accumulates: d sum(a a + 3 a + exp(0) a) = 2a + 4', async () => {
    const g = new Graph('accumulate');
    const a = g.input('a', 'float64', [3]);
    const loss = op.reduceSum(op.add(op.add(op.mul(a, a), op.mul(a, 3)), op.mul(op.exp(op.mul(a, 0)), a)), [0]);
    const [grad] = gradients(loss, [a]);
    expect(grad.shape).toEqual([3]);
    g.output('grad', grad);
    const r = await (await engine.compile(g)).run({ a: f64([1, -2, 0.5], [3]) });
    expect(Array.from(r.grad.data as Float64Array)).toEqual([6, 0, 5]);
  });
});

describe('the check on the shapes rules return', () => {
  /**
   * sum(TestRule(x)), x of shape `xShape` (undefined: unknown), TestRule's output of `yShape`, and `run`: its
   * gradients with a test-only rule for TestRule that returns `result(g)` for x.
   */
  function withRule(xShape: readonly Dim[] | undefined, yShape: readonly Dim[], result: (g: Value) => Value): { x: Value; run: () => void } {
    const g = new Graph('checked');
    const input = g.input('input', 'float64', [2, 3]);
    const x = xShape === undefined ? unknownShape(input) : g.node('Identity', [input], [{ dtype: 'float64', shape: xShape }])[0];
    const [y] = g.node('TestRule', [x], [{ dtype: 'float64', shape: yShape }]);
    const loss = op.reduceSum(y, yShape.map((_, i) => i));
    const run = (): void => {
      const rules = vjpRules as Record<string, VjpRule>;
      rules.TestRule = (_c, gy) => [result(gy)];
      try {
        gradients(loss, [x]);
      } finally {
        delete rules.TestRule;
      }
    };
    return { x, run };
  }
  const declared = (shape: readonly Dim[] | undefined) => (v: Value) => v.graph.node('Identity', [v], [{ dtype: v.dtype, shape }])[0];
  const same = (v: Value): Value => v;

  it('a shape that differs from x: refused, naming the op, both shapes and x', () => {
    const swapped = withRule([3, 2], [2, 3], same);
    expect(swapped.run).toThrow(new Error(`gradients: TestRule rule gave shape [2, 3] for ${swapped.x.name} of shape [3, 2]`));
    const longer = withRule([3], [3, 1], same);
    expect(longer.run).toThrow(new Error(`gradients: TestRule rule gave shape [3, 1] for ${longer.x.name} of shape [3]`));
  });

  it('symbolic dims, and unknown shapes on either side, pass', () => {
    expect(withRule([5, 2], [5, 2], declared(['n', 2])).run).not.toThrow();
    expect(withRule(['n', 2], [5, 2], same).run).not.toThrow();
    expect(withRule([5, 2], [5, 2], declared(['n', 'm'])).run).not.toThrow();
    expect(withRule(undefined, [2, 3], same).run).not.toThrow();
    expect(withRule([2, 3], [2, 3], declared(undefined)).run).not.toThrow();
  });
});

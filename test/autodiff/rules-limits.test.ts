/**
 * The rules at the edges of what they support: static shapes that are unknown or symbolic (undone where the
 * rule can, refused with a message naming the op and the value where it cannot), the forms of Slice and
 * MatMul they refuse, malformed nodes; and, called directly, that each rule returns no gradient for the
 * inputs that have none (conditions, shapes, axes, starts and ends, integers) and none that was not asked for.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gradients } from '../../src/autodiff/index.js';
import { vjpRules, withShape, type VjpContext } from '../../src/autodiff/rules.js';
import type { Dim, DType } from '../../src/graph/dtype.js';
import { Graph, int, type Attribute, type Value } from '../../src/graph/graph.js';
import * as op from '../../src/graph/ops/index.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { checkGradients } from './grad-check.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

/** v with its static shape forgotten (an Identity whose output shape is undeclared). */
const unknownShape = (v: Value): Value => v.graph.node('Identity', [v], [{ dtype: v.dtype, shape: undefined }])[0];
function node(opType: string, inputs: readonly (Value | undefined)[], shape: readonly Dim[] | undefined, attributes: Record<string, Attribute> = {}, like?: Value): Value {
  const first = like ?? inputs.find((v) => v !== undefined)!;
  return first.graph.node(opType, inputs, [{ dtype: first.dtype, shape }], attributes)[0];
}
const int64 = (g: Graph, values: readonly number[]): Value => g.constant(values, 'int64', [values.length]);
/** d sum(y) / d wrt, as a thunk for expect(...).toThrow. */
const differentiate = (y: Value, wrt: Value[]) => (): Value[] => gradients(op.reduceSum(y, y.shape!.map((_, i) => i)), wrt);

describe('unknown static shapes, undone where the rule can', () => {
  it('an operand of unknown shape with scalars only: its gradient is the output gradient', async () => {
    // Mul: the output shape declared; Where: unknown too, and its condition a scalar as well.
    await checkGradients(engine, ([v], g) => node('Mul', [unknownShape(v), g.constant(2, v.dtype)], [2, 3]), [{ name: 'x', dims: [2, 3] }]);
    for (const c of [-1, 1]) {
      await checkGradients(engine, ([v], g) => op.reshape(op.where(op.greater(g.constant(c, v.dtype), 0), unknownShape(v), 0.5), [6]), [{ name: 'x', dims: [2, 3] }]);
    }
  });

  it('a scalar or all-ones operand against an output of unknown shape: the sum of the output gradient', async () => {
    for (const dims of [[], [1, 1]]) {
      await checkGradients(engine, ([v, s]) => op.reshape(op.add(unknownShape(v), s), [6]), [
        { name: 'x', dims: [2, 3], wrt: false },
        { name: 's', dims },
      ]);
    }
  });

  it('otherwise refused, naming the op and the values', () => {
    const g = new Graph('unknown');
    const a = g.input('a', 'float64', [2, 3]);
    const b = g.input('b', 'float64', [3]);
    const u = unknownShape(a);
    const sum = op.add(u, b);
    const reshaped = op.reshape(sum, [6]);
    const message = (y: Value, x: Value) => new Error(`gradients: Add: cannot undo broadcasting with unknown shapes (of ${y.name} or ${x.name})`);
    expect(differentiate(reshaped, [b])).toThrow(message(sum, b)); // the output's shape unknown
    expect(differentiate(reshaped, [u])).toThrow(message(sum, u)); // the input's, beside a non-scalar
    const both = op.add(u, unknownShape(b));
    expect(differentiate(op.reshape(both, [6]), [u])).toThrow(message(both, u)); // beside another unknown one
  });

  it('an operand of unknown shape that a condition or a target shape may broadcast: refused', () => {
    // At run time u is [3, 1] here and [3] below: its gradient must be summed to that, which no static shape says.
    const g = new Graph('broadcast-by-others');
    const u = unknownShape(g.input('a', 'float64', [3, 1]));
    const expanded = op.expand(u, [2, 3, 4]);
    expect(differentiate(expanded, [u])).toThrow(new Error(`gradients: Expand: cannot undo broadcasting with unknown shapes (of ${expanded.name} or ${u.name})`));
    const w = unknownShape(g.input('b', 'float64', [3]));
    const chosen = node('Where', [op.greater(g.input('c', 'float64', [2, 3]), 0), w, g.constant(0, 'float64')], [2, 3], {}, w);
    expect(differentiate(chosen, [w])).toThrow(new Error(`gradients: Where: cannot undo broadcasting with unknown shapes (of ${chosen.name} or ${w.name})`));
  });

  it('symbolic dims that cannot be matched: refused, with both shapes', () => {
    const g = new Graph('symbolic');
    const a = g.input('a', 'float64', ['batch', 3]);
    const b = g.input('b', 'float64', ['n', 3]);
    const sum = node('Add', [a, b], ['batch', 3]);
    expect(() => gradients(op.reduceSum(op.reduceSum(sum, [1]), [0]), [b])).toThrow(
      new Error('gradients: Add: cannot tell how [n, 3] broadcast to [batch, 3] (symbolic dims)'),
    );
  });

  it('a rule that needs the rank of an input of unknown shape', () => {
    const g = new Graph('rank');
    const u = unknownShape(g.input('a', 'float64', [3, 4]));
    const b = g.input('b', 'float64', [4, 2]);
    const y = node('MatMul', [u, b], [3, 2]);
    expect(differentiate(y, [b])).toThrow(new Error(`gradients: MatMul: the shape of ${u.name} is unknown (declare input shapes)`));
  });
});

describe('refused forms', () => {
  it('Slice and ReduceSum with starts or axes computed at run time', () => {
    const g = new Graph('constant');
    const a = g.input('a', 'float64', [4, 3]);
    const starts = g.input('starts', 'int64', [1]);
    expect(differentiate(node('Slice', [a, starts, int64(g, [3])], [2, 3]), [a])).toThrow(new Error('gradients: Slice: starts must be a constant'));
    const axes = g.input('axes', 'int64', [1]);
    expect(differentiate(node('ReduceSum', [a, axes], [1, 3]), [a])).toThrow(new Error('gradients: ReduceSum: axes must be a constant'));
  });

  it('Slice of an input of symbolic sizes, and Slice with steps other than 1', () => {
    const g = new Graph('slice');
    const s = g.input('s', 'float64', ['n', 3]);
    expect(differentiate(op.slice(s, [0], [2], [1]), [s])).toThrow(new Error('gradients: Slice needs an input of known sizes'));
    const a = g.input('a', 'float64', [4, 4]);
    const stepped = (steps: number[]) => node('Slice', [a, int64(g, [0, 0]), int64(g, [4, 4]), int64(g, [0, 1]), int64(g, steps)], [4, 2]);
    expect(differentiate(stepped([1, 2]), [a])).toThrow(new Error('gradients: Slice with steps is not supported'));
    expect(differentiate(stepped([2, 2]), [a])).toThrow(new Error('gradients: Slice with steps is not supported'));
  });

  it('MatMul with a batched right operand, or one of symbolic sizes under a batched left one', () => {
    const g = new Graph('matmul');
    const a = g.input('a', 'float64', [2, 3, 4]);
    const batched = g.input('batched', 'float64', [2, 4, 5]);
    expect(differentiate(node('MatMul', [a, batched], [2, 3, 5]), [a])).toThrow(new Error('gradients: MatMul with a batched right operand is not supported'));
    const message = new Error('gradients: MatMul: the right operand needs known sizes');
    const columns = g.input('columns', 'float64', [4, 'n']);
    expect(differentiate(op.reduceSum(op.matmul(a, columns), [2]), [a])).toThrow(message);
    const k = g.input('k', 'float64', [2, 3, 'k']);
    const rows = g.input('rows', 'float64', ['k', 5]);
    expect(differentiate(op.matmul(k, rows), [rows])).toThrow(message);
  });

  it('Concat of an input of symbolic size along the axis', () => {
    const g = new Graph('concat');
    const s = g.input('s', 'float64', ['n', 3]);
    const a = g.input('a', 'float64', [2, 3]);
    expect(differentiate(node('Concat', [a, s], ['m', 3], { axis: int(0) }), [a])).toThrow(new Error('gradients: Concat: input 1 needs a known size along axis 0'));
  });

  it('malformed nodes (an input missing) are named, not a TypeError', () => {
    const g = new Graph('malformed');
    const a = g.input('a', 'float64', [3]);
    expect(differentiate(node('Mul', [a], [3]), [a])).toThrow(new Error('gradients: Mul has no input 1'));
    expect(differentiate(node('Concat', [a, undefined, a], [6], { axis: int(0) }), [a])).toThrow(new Error('gradients: Concat: input 1 needs a known size along axis 0'));
  });
});

describe('the rules called directly: no gradient for what has none or was not asked for', () => {
  /** The gradients that `opType`'s rule returns for a node of `inputs`, every input needed unless `needs` says. */
  function ruleOf(opType: string, inputs: readonly (Value | undefined)[], shape: readonly Dim[], attributes: Record<string, Attribute> = {}, needs?: boolean[], dtype?: DType) {
    const first = inputs.find((v) => v !== undefined)!;
    const [y] = first.graph.node(opType, inputs, [{ dtype: dtype ?? first.dtype, shape }], attributes);
    const c: VjpContext = { graph: y.graph, opType, inputs, outputs: [y], attributes, needs: needs ?? inputs.map((v) => v !== undefined) };
    const g = y.graph.input(`g_${y.name}`, y.dtype, shape);
    return vjpRules[opType](c, g).map((v) => v !== undefined);
  }
  const g = new Graph('direct');
  const a = g.input('a', 'float64', [2, 3]);
  const b = g.input('b', 'float64', [2, 3]);

  it('conditions, shapes, axes, starts, ends and integers get none', () => {
    const cond = op.greater(a, 0);
    expect(ruleOf('Where', [cond, a, b], [2, 3])).toEqual([false, true, true]);
    expect(ruleOf('Reshape', [a, int64(g, [6])], [6])).toEqual([true]);
    expect(ruleOf('Expand', [a, int64(g, [4, 2, 3])], [4, 2, 3])).toEqual([true]);
    expect(ruleOf('Unsqueeze', [a, int64(g, [0])], [1, 2, 3])).toEqual([true]);
    expect(ruleOf('ReduceSum', [a, int64(g, [1])], [2], { keepdims: int(0) })).toEqual([true]);
    expect(ruleOf('Slice', [a, int64(g, [0]), int64(g, [1]), int64(g, [1]), int64(g, [1])], [2, 1])).toEqual([true]);
    expect(ruleOf('Cast', [op.cast(a, 'int64')], [2, 3], { to: int(11) }, undefined, 'float64')).toEqual([false]);
    expect(ruleOf('Cast', [a], [2, 3], { to: int(7) }, undefined, 'int64')).toEqual([false]);
    expect(ruleOf('Cast', [a], [2, 3], { to: int(1) }, undefined, 'float32')).toEqual([true]);
  });

  it('inputs not needed get none', () => {
    const c = g.input('c', 'float64', [2]);
    for (const opType of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow']) {
      expect(ruleOf(opType, [a, b], [2, 3], {}, [true, false]), opType).toEqual([true, false]);
      expect(ruleOf(opType, [a, b], [2, 3], {}, [false, true]), opType).toEqual([false, true]);
    }
    expect(ruleOf('Where', [op.greater(a, 0), a, b], [2, 3], {}, [false, false, true])).toEqual([false, false, true]);
    const m = g.input('m', 'float64', [3, 2]);
    expect(ruleOf('Gemm', [a, m, c], [2, 2], {}, [false, true, false])).toEqual([false, true, false]);
    expect(ruleOf('Gemm', [a, m, c], [2, 2], {}, [true, false, true])).toEqual([true, false, true]);
    expect(ruleOf('MatMul', [a, m], [2, 2], {}, [false, true])).toEqual([false, true]);
    expect(ruleOf('Concat', [a, b, a], [6, 3], { axis: int(0) }, [false, true, false])).toEqual([false, true, false]);
  });
});

describe('withShape', () => {
  it('records a shape on a value of unknown shape, and keeps a known one', () => {
    const g = new Graph('with-shape');
    const known = g.input('known', 'float64', [5, 3]);
    const unknown = unknownShape(known);
    const recorded = withShape(unknown, ['n', 3]);
    expect([recorded.graph, recorded.name, recorded.dtype, recorded.shape]).toEqual([g, unknown.name, 'float64', ['n', 3]]);
    expect(withShape(known, ['n', 3]).shape).toEqual([5, 3]);
    expect(withShape(known, undefined).shape).toEqual([5, 3]);
    expect(withShape(unknown, undefined).shape).toBeUndefined();
  });
});

import { int, type Value } from '../graph.js';
import { broadcastShapes } from './broadcast.js';
import type { Operand } from './elementwise.js';

function operands(opType: string, a: Operand, b: Operand): [Value, Value] {
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`${opType}: at least one operand must be a graph value`);
  const like = typeof a === 'number' ? (b as Value) : a;
  const lift = (x: Operand): Value => (typeof x === 'number' ? like.graph.constant(x, like.dtype) : x);
  const [x, y] = [lift(a), lift(b)];
  if (x.dtype !== y.dtype) throw new Error(`${opType}: operand types differ (${x.dtype}, ${y.dtype})`);
  return [x, y];
}

/** The sign of x: -1, 0 or 1, element-wise, in x's type. */
export function sign(x: Value): Value {
  return x.graph.node('Sign', [x], [{ dtype: x.dtype, shape: x.shape }])[0];
}

/** a ^ b element-wise, broadcast. */
export function pow(a: Operand, b: Operand): Value {
  const [x, y] = operands('Pow', a, b);
  return x.graph.node('Pow', [x, y], [{ dtype: x.dtype, shape: broadcastShapes(x.shape, y.shape) }])[0];
}

/** a == b as bool, broadcast. */
export function equal(a: Operand, b: Operand): Value {
  const [x, y] = operands('Equal', a, b);
  return x.graph.node('Equal', [x, y], [{ dtype: 'bool', shape: broadcastShapes(x.shape, y.shape) }])[0];
}

/** The index of the largest value along `axis` (the first at ties), as int64, the axis removed. */
export function argMax(x: Value, axis = -1): Value {
  const rank = x.shape?.length;
  const a = rank !== undefined && axis < 0 ? axis + rank : axis;
  const shape = x.shape?.filter((_, i) => i !== a);
  return x.graph.node('ArgMax', [x], [{ dtype: 'int64', shape }], { axis: int(axis), keepdims: int(0) })[0];
}

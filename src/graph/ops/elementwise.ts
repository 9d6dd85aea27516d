import { onnxDataType, type DType } from '../dtype.js';
import { Value } from '../graph.js';
import { broadcastShapes } from './broadcast.js';

/** An operand: a graph value, or a number taken as a scalar constant of the other operand's type. */
export type Operand = Value | number;

function unary(opType: string, x: Value): Value {
  return x.graph.node(opType, [x], [{ dtype: x.dtype, shape: x.shape }])[0];
}

function lift(x: Operand, like: Value): Value {
  return typeof x === 'number' ? like.graph.constant(x, like.dtype) : x;
}

function binary(opType: string, a: Operand, b: Operand, dtype?: DType): Value {
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`${opType}: at least one operand must be a graph value`);
  const like = typeof a === 'number' ? (b as Value) : a;
  const x = lift(a, like);
  const y = lift(b, like);
  if (x.dtype !== y.dtype) throw new Error(`${opType}: operand types differ (${x.dtype}, ${y.dtype})`);
  return like.graph.node(opType, [x, y], [{ dtype: dtype ?? x.dtype, shape: broadcastShapes(x.shape, y.shape) }])[0];
}

/** a + b, broadcast. */
export const add = (a: Operand, b: Operand): Value => binary('Add', a, b);
/** a - b, broadcast. */
export const sub = (a: Operand, b: Operand): Value => binary('Sub', a, b);
/** a * b, broadcast. */
export const mul = (a: Operand, b: Operand): Value => binary('Mul', a, b);
/** a / b, broadcast. */
export const div = (a: Operand, b: Operand): Value => binary('Div', a, b);
/** max(a, b) element-wise. */
export const maximum = (a: Operand, b: Operand): Value => binary('Max', a, b);
/** min(a, b) element-wise. */
export const minimum = (a: Operand, b: Operand): Value => binary('Min', a, b);
/** a < b as bool. */
export const less = (a: Operand, b: Operand): Value => binary('Less', a, b, 'bool');
/** a > b as bool. */
export const greater = (a: Operand, b: Operand): Value => binary('Greater', a, b, 'bool');

/** -x. */
export const neg = (x: Value): Value => unary('Neg', x);
/** e^x. */
export const exp = (x: Value): Value => unary('Exp', x);
/** Natural log. */
export const log = (x: Value): Value => unary('Log', x);
/** |x|. */
export const abs = (x: Value): Value => unary('Abs', x);
/** Square root. */
export const sqrt = (x: Value): Value => unary('Sqrt', x);
/** tanh(x). */
export const tanh = (x: Value): Value => unary('Tanh', x);
/** max(x, 0). */
export const relu = (x: Value): Value => unary('Relu', x);
/** The logistic sigmoid 1 / (1 + e^-x). */
export const sigmoid = (x: Value): Value => unary('Sigmoid', x);
/** softplus(x) = log(1 + e^x). */
export const softplus = (x: Value): Value => unary('Softplus', x);
/** x * x. */
export const square = (x: Value): Value => mul(x, x);

/** x converted to `dtype`. */
export function cast(x: Value, dtype: DType): Value {
  return x.graph.node('Cast', [x], [{ dtype, shape: x.shape }], { to: { kind: 'int', value: onnxDataType[dtype] } })[0];
}

/** condition ? a : b, element-wise, broadcast. */
export function where(condition: Value, a: Operand, b: Operand): Value {
  const like = typeof a === 'number' ? (b as Value) : a;
  const x = lift(a, like);
  const y = lift(b, like);
  const shape = broadcastShapes(condition.shape, broadcastShapes(x.shape, y.shape));
  return like.graph.node('Where', [condition, x, y], [{ dtype: x.dtype, shape }])[0];
}

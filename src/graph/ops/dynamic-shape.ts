import type { Dim } from '../dtype.js';
import type { Value } from '../graph.js';

/** The run-time shape of x as a 1-D int64 tensor. */
export function shapeOf(x: Value): Value {
  return x.graph.node('Shape', [x], [{ dtype: 'int64', shape: x.shape === undefined ? undefined : [x.shape.length] }])[0];
}

/** The number of elements of x as an int64 scalar. */
export function sizeOf(x: Value): Value {
  return x.graph.node('Size', [x], [{ dtype: 'int64', shape: [] }])[0];
}

/**
 * x broadcast to `shape` (numpy rules; ONNX Expand): `shape` is a list of known sizes or a 1-D int64 value,
 * and `known` the shape to record for the result when `shape` is a value.
 */
export function expand(x: Value, shape: readonly number[] | Value, known?: readonly Dim[]): Value {
  const shapeInput = Array.isArray(shape) ? x.graph.constant(shape, 'int64', [shape.length]) : (shape as Value);
  const recorded = Array.isArray(shape) ? [...(shape as number[])] : known;
  return x.graph.node('Expand', [x, shapeInput], [{ dtype: x.dtype, shape: recorded }])[0];
}

/** x reshaped to the run-time shape `shape` (a 1-D int64 value), recording `known` as the result's shape. */
export function reshapeTo(x: Value, shape: Value, known?: readonly Dim[]): Value {
  return x.graph.node('Reshape', [x, shape], [{ dtype: x.dtype, shape: known }])[0];
}

/** The part of x from `starts` to `ends` (exclusive, both >= 0) along `axes` (ONNX Slice, step 1). */
export function slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[]): Value {
  const g = x.graph;
  let shape: Dim[] | undefined;
  if (x.shape !== undefined) {
    const rank = x.shape.length;
    const sliced = [...x.shape];
    axes.forEach((a, i) => {
      const axis = a < 0 ? a + rank : a;
      const d = sliced[axis];
      sliced[axis] = typeof d === 'number' ? Math.max(0, Math.min(ends[i], d) - Math.min(starts[i], d)) : NaN;
    });
    shape = sliced.some((d) => Number.isNaN(d)) ? undefined : sliced;
  }
  const inputs = [starts, ends, axes].map((list) => g.constant(list, 'int64', [list.length]));
  return g.node('Slice', [x, ...inputs], [{ dtype: x.dtype, shape }])[0];
}

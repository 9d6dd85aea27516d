import type { Dim } from '../dtype.js';
import { int, ints, type Value } from '../graph.js';

/** x with its axes permuted (default: reversed). */
export function transpose(x: Value, perm?: readonly number[]): Value {
  const p = perm ?? (x.shape ? x.shape.map((_, i) => x.shape!.length - 1 - i) : undefined);
  if (p === undefined) throw new Error('transpose: give perm when the rank is unknown');
  const shape = x.shape ? p.map((i) => x.shape![i]) : undefined;
  return x.graph.node('Transpose', [x], [{ dtype: x.dtype, shape }], { perm: ints(p) })[0];
}

/** The values joined along `axis`. */
export function concat(values: readonly Value[], axis: number): Value {
  const first = values[0];
  let shape: Dim[] | undefined;
  if (values.every((v) => v.shape !== undefined)) {
    const rank = first.shape!.length;
    const a = axis < 0 ? axis + rank : axis;
    const sizes = values.map((v) => v.shape![a]);
    const total = sizes.every((s) => typeof s === 'number') ? (sizes).reduce((x, y) => x + y, 0) : undefined;
    shape = total === undefined ? undefined : first.shape!.map((d, i) => (i === a ? total : d));
  }
  return first.graph.node('Concat', values, [{ dtype: first.dtype, shape }], { axis: int(axis) })[0];
}

/** x with size-1 axes inserted at `axes` (positions in the result). */
export function unsqueeze(x: Value, axes: readonly number[]): Value {
  let shape: Dim[] | undefined;
  if (x.shape !== undefined) {
    const rank = x.shape.length + axes.length;
    const inserted = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
    const rest = [...x.shape];
    shape = Array.from({ length: rank }, (_, i) => (inserted.has(i) ? 1 : rest.shift()!));
  }
  const axesInput = x.graph.constant(axes, 'int64', [axes.length]);
  return x.graph.node('Unsqueeze', [x, axesInput], [{ dtype: x.dtype, shape }])[0];
}

/** x with the size-1 axes `axes` removed (ONNX Squeeze). */
export function squeeze(x: Value, axes: readonly number[]): Value {
  let shape: Dim[] | undefined;
  if (x.shape !== undefined) {
    const rank = x.shape.length;
    const removed = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
    for (const a of removed) {
      if (typeof x.shape[a] === 'number' && x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} has size ${x.shape[a]}, not 1`);
    }
    shape = x.shape.filter((_, i) => !removed.has(i));
  }
  const axesInput = x.graph.constant(axes, 'int64', [axes.length]);
  return x.graph.node('Squeeze', [x, axesInput], [{ dtype: x.dtype, shape }])[0];
}

/** x reshaped to `shape` (0 keeps the input's dim, -1 is inferred; as ONNX Reshape). */
export function reshape(x: Value, shape: readonly number[]): Value {
  const shapeInput = x.graph.constant(shape, 'int64', [shape.length]);
  const known = shape.every((d) => d > 0) ? [...shape] : undefined;
  return x.graph.node('Reshape', [x, shapeInput], [{ dtype: x.dtype, shape: known }])[0];
}

/** The rows of x [n, ...] at `indices` (int64 or int32 [m], each in 0..n-1): [m, ...] (ONNX Gather, axis 0). */
export function gather(x: Value, indices: Value): Value {
  if (indices.dtype !== 'int64' && indices.dtype !== 'int32') throw new Error(`gather: indices must be int64 or int32, got ${indices.dtype}`);
  const shape = x.shape !== undefined && indices.shape !== undefined ? [...indices.shape, ...x.shape.slice(1)] : undefined;
  return x.graph.node('Gather', [x, indices], [{ dtype: x.dtype, shape }], { axis: int(0) })[0];
}

import type { Dim } from '../dtype.js';
import { int, ints, type Value } from '../graph.js';

export interface ReduceOptions {
  /** Keep reduced axes as size 1 (default false). */
  readonly keepDims?: boolean;
}

function reducedShape(x: Value, axes: readonly number[], keepDims: boolean): Dim[] | undefined {
  if (x.shape === undefined) return undefined;
  const rank = x.shape.length;
  const norm = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  return x.shape.flatMap((d, i) => (norm.has(i) ? (keepDims ? [1] : []) : [d]));
}

/**
 * Reduce `x` over `axes` (negative counts from the end). Opset 17: ReduceSum takes axes as an input, the
 * others as an attribute.
 */
function reduce(opType: string, x: Value, axes: readonly number[], options: ReduceOptions): Value {
  if (axes.length === 0) throw new Error(`${opType}: give the axes to reduce (ONNX reads none as all)`);
  const keepDims = options.keepDims ?? false;
  const spec = [{ dtype: x.dtype, shape: reducedShape(x, axes, keepDims) }];
  if (opType === 'ReduceSum') {
    const axesInput = x.graph.constant(axes, 'int64', [axes.length]);
    return x.graph.node(opType, [x, axesInput], spec, { keepdims: int(keepDims ? 1 : 0) })[0];
  }
  return x.graph.node(opType, [x], spec, { axes: ints(axes), keepdims: int(keepDims ? 1 : 0) })[0];
}

/** Sum over `axes`. */
export const reduceSum = (x: Value, axes: readonly number[], options: ReduceOptions = {}): Value =>
  reduce('ReduceSum', x, axes, options);
/** Mean over `axes`. */
export const reduceMean = (x: Value, axes: readonly number[], options: ReduceOptions = {}): Value =>
  reduce('ReduceMean', x, axes, options);
/** Maximum over `axes`. */
export const reduceMax = (x: Value, axes: readonly number[], options: ReduceOptions = {}): Value =>
  reduce('ReduceMax', x, axes, options);

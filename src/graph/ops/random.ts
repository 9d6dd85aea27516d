import { float, int, type Value } from '../graph.js';
import { onnxDataType } from '../dtype.js';
import { cast, less } from './elementwise.js';

/** Uniform [0, 1) numbers shaped like x, from a stream seeded per node (see Graph.nextSeed). */
export function randomUniformLike(x: Value): Value {
  const attributes = { seed: float(x.graph.nextSeed()), low: float(0), high: float(1), dtype: int(onnxDataType[x.dtype]) };
  return x.graph.node('RandomUniformLike', [x], [{ dtype: x.dtype, shape: x.shape }], attributes)[0];
}

/** Standard normal numbers shaped like x, from a stream seeded per node. */
export function randomNormalLike(x: Value): Value {
  const attributes = { seed: float(x.graph.nextSeed()), mean: float(0), scale: float(1), dtype: int(onnxDataType[x.dtype]) };
  return x.graph.node('RandomNormalLike', [x], [{ dtype: x.dtype, shape: x.shape }], attributes)[0];
}

/**
 * Independent Bernoulli draws: 1 with probability p, else 0, in p's type. Written as u < p with u uniform:
 * onnxruntime's own Bernoulli kernel draws 1 with probability 1 - p on CPU and WASM.
 */
export function bernoulli(p: Value): Value {
  return cast(less(randomUniformLike(p), p), p.dtype);
}

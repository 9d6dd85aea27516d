import { int, type Value } from '../graph.js';

/** softmax(x)_i = e^{x_i} / sum_j e^{x_j} along `axis` (default the last). */
export function softmax(x: Value, axis = -1): Value {
  return x.graph.node('Softmax', [x], [{ dtype: x.dtype, shape: x.shape }], { axis: int(axis) })[0];
}

/** log softmax(x)_i = x_i - log sum_j e^{x_j} along `axis` (default the last), computed stably. */
export function logSoftmax(x: Value, axis = -1): Value {
  return x.graph.node('LogSoftmax', [x], [{ dtype: x.dtype, shape: x.shape }], { axis: int(axis) })[0];
}

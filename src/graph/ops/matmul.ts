import type { Dim } from '../dtype.js';
import { int, float, Value } from '../graph.js';
import { squeeze, unsqueeze } from './shape.js';

export interface GemmOptions {
  /** Use a^T instead of a. */
  readonly transA?: boolean;
  /** Use b^T instead of b. */
  readonly transB?: boolean;
  /** Scale of the product (default 1). */
  readonly alpha?: number;
  /** Scale of the added term c (default 1). */
  readonly beta?: number;
}

/**
 * alpha * op(a) op(b) + beta * c for matrices, op(x) = x or x^T (ONNX Gemm: the transposes cost no copy).
 * a: [m, k] (or [k, m] with transA), b: [k, n] (or [n, k] with transB), c broadcastable to [m, n].
 */
export function gemm(a: Value, b: Value, c?: Value, options: GemmOptions = {}): Value {
  const { transA = false, transB = false, alpha = 1, beta = 1 } = options;
  if (a.rank !== 2 || b.rank !== 2) throw new Error('gemm: both operands must be matrices of known rank');
  const [m, ka] = transA ? [a.shape![1], a.shape![0]] : [a.shape![0], a.shape![1]];
  const [kb, n] = transB ? [b.shape![1], b.shape![0]] : [b.shape![0], b.shape![1]];
  checkInner(ka, kb);
  const attributes = { transA: int(transA ? 1 : 0), transB: int(transB ? 1 : 0), alpha: float(alpha), beta: float(beta) };
  return a.graph.node('Gemm', [a, b, c], [{ dtype: a.dtype, shape: [m, n] }], attributes)[0];
}

/**
 * The matrix product a b with numpy semantics, batched over a's leading dims: [..., m, k] x [k, n] ->
 * [..., m, n], [..., m, k] x [k] -> [..., m] (a matrix-vector product) and [k] x [k, n] -> [n].
 * A 1-D operand is emitted as a matrix, b as [k, 1] and a as [1, k], and the product squeezed back:
 * onnxruntime-web's WebGPU MatMul takes only operands of rank 2 or more ("shared dimension does not match"
 * otherwise), and onnxruntime-node's CPU MatMul is faster so (about 8x on [100, 784] x [784]).
 */
export function matmul(a: Value, b: Value): Value {
  if (b.shape?.length === 1) return squeeze(matmul(a, unsqueeze(b, [1])), [-1]);
  if (a.shape?.length === 1) return squeeze(matmul(unsqueeze(a, [0]), b), [-2]);
  let shape: Dim[] | undefined;
  if (a.shape !== undefined && b.shape !== undefined && b.shape.length === 2) {
    checkInner(a.shape[a.shape.length - 1], b.shape[0]);
    shape = [...a.shape.slice(0, -1), ...b.shape.slice(1)];
  }
  return a.graph.node('MatMul', [a, b], [{ dtype: a.dtype, shape }])[0];
}

function checkInner(ka: Dim, kb: Dim): void {
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
    throw new Error(`matrix product: inner dimensions differ (${ka} and ${kb})`);
  }
}

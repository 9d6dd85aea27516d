/**
 * Centering of a DBM (Montavon & Müller 2012; Deep Learning 20.4.5; Melchior, Fischer & Wiskott 2016,
 * algorithm 1). With offsets beta_l [n_l] per layer (running means of the layer's mean-field means on data),
 * the centred energy
 *   E_c(x) = -sum_l b'_l . (x_l - beta_l) - sum_l (x_l - beta_l)^T W_l (x_{l+1} - beta_{l+1})
 * is the plain energy E(x) = -sum_l b_l . x_l - sum_l x_l^T W_l x_{l+1} plus a constant when
 *   b_l = b'_l - W_{l-1}^T beta_{l-1} - W_l beta_{l+1}    (no W_{-1} term for l = 0, no W_L term for l = L),
 * so both describe the same distribution. Training follows the gradient with respect to the centred
 * parameters (W, b'), better conditioned, and maps the step back to the plain ones (W, b), which are what the
 * model and its files hold: a step dW, db' in centred coordinates is, in plain ones,
 *   dW_l = dW_l,   db_l = db'_l - dW_{l-1}^T beta_{l-1} - dW_l beta_{l+1},
 * and with g_W, g_b the gradients of the plain parameters (autodiff of the plain surrogate loss),
 *   dW_l (centred) = g_{W_l} - beta_l g_{b_{l+1}}^T - g_{b_l} beta_{l+1}^T,   db'_l = g_{b_l}.
 * Changing the offsets then changes nothing in the plain parameters (the centred biases follow implicitly).
 */
import type { Value } from '../graph/graph.js';
import { concat, gemm, reshape, sub, unsqueeze } from '../graph/ops/index.js';
import { OFFSET_DECAY } from './options.js';
import { runningMean } from './rbm-gradient.js';

/** A layer's offset after a step: the running mean OFFSET_DECAY beta + (1 - OFFSET_DECAY) batchMean, as the RBM's centering. */
export const runningOffset = (beta: Value, batchMean: Value): Value => runningMean(beta, batchMean, OFFSET_DECAY);


/**
 * The plain-coordinate image of the centred gradient (see the file comment), given the gradients of the plain
 * parameters: weights[l] [n_l, n_{l+1}], biases[l] [n_l] and the offsets[l] [n_l].
 */
export function centredDirection(weights: readonly Value[], biases: readonly Value[], offsets: readonly Value[]): { weights: Value[]; biases: Value[] } {
  const column = (x: Value): Value => unsqueeze(x, [1]);
  const row = (x: Value): Value => unsqueeze(x, [0]);
  const centred = weights.map((g, l) => gemm(concat([column(offsets[l]), column(biases[l])], 1), concat([row(biases[l + 1]), row(offsets[l + 1])], 0), g, { alpha: -1 }));
  const mapped = biases.map((g, l) => {
    const n = offsets[l].shape![0] as number;
    let d = g;
    if (l > 0) d = sub(d, reshape(gemm(centred[l - 1], column(offsets[l - 1]), undefined, { transA: true }), [n]));
    if (l < weights.length) d = sub(d, reshape(gemm(centred[l], column(offsets[l + 1])), [n]));
    return d;
  });
  return { weights: centred, biases: mapped };
}

/**
 * sum over the layers next to l of their coupling with the offsets: W_{l-1}^T beta_{l-1} + W_l beta_{l+1}
 * [n_l], in float64, for `weights` [n_l * n_{l+1}] row-major of layers `sizes`.
 */
function offsetField(sizes: readonly number[], weights: readonly Float32Array[], offsets: readonly ArrayLike<number>[], l: number): Float64Array {
  const out = new Float64Array(sizes[l]);
  if (l > 0) {
    const w = weights[l - 1];
    for (let i = 0; i < sizes[l - 1]; i++) for (let j = 0; j < sizes[l]; j++) out[j] += w[i * sizes[l] + j] * offsets[l - 1][i];
  }
  if (l + 1 < sizes.length) {
    const w = weights[l];
    for (let j = 0; j < sizes[l]; j++) for (let k = 0; k < sizes[l + 1]; k++) out[j] += w[j * sizes[l + 1] + k] * offsets[l + 1][k];
  }
  return out;
}

/** The centred biases b'_l = b_l + W_{l-1}^T beta_{l-1} + W_l beta_{l+1} of plain `biases` (see the file comment). */
export function centredBiases(sizes: readonly number[], weights: readonly Float32Array[], biases: readonly Float32Array[], offsets: readonly ArrayLike<number>[]): Float32Array[] {
  return biases.map((b, l) => {
    const f = offsetField(sizes, weights, offsets, l);
    return Float32Array.from(b, (x, i) => x + f[i]);
  });
}

/** The plain biases b_l = b'_l - W_{l-1}^T beta_{l-1} - W_l beta_{l+1} of `centred` ones (see the file comment). */
export function plainBiases(sizes: readonly number[], weights: readonly Float32Array[], centred: readonly Float32Array[], offsets: readonly ArrayLike<number>[]): Float32Array[] {
  return centred.map((b, l) => {
    const f = offsetField(sizes, weights, offsets, l);
    return Float32Array.from(b, (x, i) => x - f[i]);
  });
}

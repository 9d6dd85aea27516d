/**
 * A classifier from a DBM (Salakhutdinov & Hinton 2009, section 4; Deep Learning 20.4.4, figure 20.5): the
 * mean-field posterior q(h_2 | v) of the second hidden layer (the top one of a 2-layer DBM), computed once
 * per example with the trained DBM, is appended to the input, so that the first layer sees what h_1 sees in
 * the DBM, v from below and h_2 from above:
 *   input x = [v, mu_2]  [n_0 + n_2]
 *   layer 1: sigmoid(v W_0 + mu_2 W_1^T + b_1)  (weights [W_0; W_1^T], [n_0 + n_2, n_1])
 *   layer l: sigmoid(h_{l-1} W_{l-1} + b_l)  for l = 2 .. L
 * then any added hidden layers and a fresh linear output of class logits, all fine-tuned by back-propagation
 * with mu_2 held fixed.
 */
import type { DBM } from '../models/dbm.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { Mlp, type DenseLayer, type FromRbmsOptions } from './mlp.js';

/** Mean-field sweeps of q(h | v) behind the appended input (as `eval` and `features` on a DBM). */
export const CLASSIFIER_MEAN_FIELD_SWEEPS = 50;

/** The rows of v [rows, n_0] with their mean-field means mu_2 [rows, n_2] appended: [rows, n_0 + n_2]. */
export async function meanFieldInput(dbm: DBM, v: Matrix, iterations = CLASSIFIER_MEAN_FIELD_SWEEPS): Promise<Matrix> {
  const mu2 = (await dbm.meanField(v, iterations))[1];
  const cols = v.cols + mu2.cols;
  const out = new Float32Array(v.rows * cols);
  for (let r = 0; r < v.rows; r++) {
    out.set(v.data.subarray(r * v.cols, (r + 1) * v.cols), r * cols);
    out.set(mu2.data.subarray(r * mu2.cols, (r + 1) * mu2.cols), r * cols + v.cols);
  }
  return matrix(out, v.rows, cols);
}

/** The network of the file comment for `nClasses` classes, its layers copied from `dbm`; its input is `meanFieldInput`. */
export function mlpFromDbm(dbm: DBM, nClasses: number, options: FromRbmsOptions = {}): Mlp {
  const [n0, n1, n2] = dbm.sizes;
  const { weights, biases } = dbm.params;
  const first = new Float32Array((n0 + n2) * n1);
  first.set(weights[0]);
  for (let k = 0; k < n2; k++) for (let j = 0; j < n1; j++) first[(n0 + k) * n1 + j] = weights[1][j * n2 + k];
  const layers: DenseLayer[] = [
    { nIn: n0 + n2, nOut: n1, activation: 'sigmoid', weights: first, bias: biases[1].slice() },
    ...weights.slice(1).map((w, i): DenseLayer => ({ nIn: dbm.sizes[i + 1], nOut: dbm.sizes[i + 2], activation: 'sigmoid', weights: w.slice(), bias: biases[i + 2].slice() })),
  ];
  return Mlp.withHead(dbm.engine, layers, nClasses, options);
}

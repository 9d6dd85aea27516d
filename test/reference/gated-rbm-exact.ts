/**
 * A factored gated RBM by brute force in float64, written from the energy alone,
 *   E(y, h; x) = -sum_f (sum_i x_i Wx_if)(sum_j y_j Wy_jf)(sum_k h_k Wh_kf) - b . y - c . h,
 * with Bernoulli outputs and mapping units: every (y, h) enumerated for log Z(x), p(y | x) and the conditionals.
 */
import type { GatedRBM } from '../../src/models/gated-rbm.js';

/** The projections sum_i v_i W_if of a row v onto F factors of W [n * F] row-major. */
function project(v: ArrayLike<number>, w: Float32Array, nFactors: number): number[] {
  const out = new Array<number>(nFactors).fill(0);
  for (let i = 0; i < v.length; i++) for (let f = 0; f < nFactors; f++) out[f] += v[i] * w[i * nFactors + f];
  return out;
}

/** The bits of s as a row of n values (bit i is unit i). */
export const bits = (s: number, n: number): number[] => Array.from({ length: n }, (_, i) => (s >> i) & 1);

/** -E(y, h; x). */
export function negativeEnergy(model: GatedRBM, x: ArrayLike<number>, y: ArrayLike<number>, h: ArrayLike<number>): number {
  const F = model.shape.nFactors;
  const { inputFactors, outputFactors, hiddenFactors, outputBias, hiddenBias } = model.params;
  const [gx, gy, gh] = [project(x, inputFactors, F), project(y, outputFactors, F), project(h, hiddenFactors, F)];
  let e = 0;
  for (let f = 0; f < F; f++) e += gx[f] * gy[f] * gh[f];
  for (let j = 0; j < y.length; j++) e += outputBias[j] * y[j];
  for (let k = 0; k < h.length; k++) e += hiddenBias[k] * h[k];
  return e;
}

/** log of sum over every state s of the n units of exp(term(s)). */
function logSumOverStates(n: number, term: (s: number[]) => number): number {
  const terms = Array.from({ length: 2 ** n }, (_, s) => term(bits(s, n)));
  const max = Math.max(...terms);
  return max + Math.log(terms.reduce((sum, t) => sum + Math.exp(t - max), 0));
}

/** log Z(x) = log sum_{y, h} exp(-E(y, h; x)). */
export const exactLogZ = (model: GatedRBM, x: ArrayLike<number>): number =>
  logSumOverStates(model.shape.nOutput, (y) => logSumOverStates(model.nHidden, (h) => negativeEnergy(model, x, y, h)));

/** log p(y | x) = log sum_h exp(-E(y, h; x)) - log Z(x). */
export const exactLogConditional = (model: GatedRBM, x: ArrayLike<number>, y: ArrayLike<number>): number =>
  logSumOverStates(model.nHidden, (h) => negativeEnergy(model, x, y, h)) - exactLogZ(model, x);

/** E[h_k | x, y] for each mapping unit: the probability of h_k = 1 under exp(-E) with every other h summed out. */
export function exactMappingMean(model: GatedRBM, x: ArrayLike<number>, y: ArrayLike<number>): number[] {
  const K = model.nHidden;
  const logNorm = logSumOverStates(K, (h) => negativeEnergy(model, x, y, h));
  return Array.from({ length: K }, (_, k) => Math.exp(logSumOverStates(K, (h) => (h[k] === 1 ? negativeEnergy(model, x, y, h) : -Infinity)) - logNorm));
}

/** E[y_j | x, h] for each output: the probability of y_j = 1 under exp(-E) with every other y summed out. */
export function exactOutputMean(model: GatedRBM, x: ArrayLike<number>, h: ArrayLike<number>): number[] {
  const J = model.shape.nOutput;
  const logNorm = logSumOverStates(J, (y) => negativeEnergy(model, x, y, h));
  return Array.from({ length: J }, (_, j) => Math.exp(logSumOverStates(J, (y) => (y[j] === 1 ? negativeEnergy(model, x, y, h) : -Infinity)) - logNorm));
}

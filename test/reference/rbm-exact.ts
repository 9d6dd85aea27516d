/**
 * Exact computations on small Bernoulli-Bernoulli RBMs in plain float64 JavaScript, by enumerating every
 * visible state: an independent reference for the engine's graphs. Parameters: weights [nVisible * nHidden]
 * row-major, visibleBias [nVisible], hiddenBias [nHidden].
 */
export interface SmallRbm {
  readonly nVisible: number;
  readonly nHidden: number;
  readonly weights: ArrayLike<number>;
  readonly visibleBias: ArrayLike<number>;
  readonly hiddenBias: ArrayLike<number>;
}

const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The hidden field b + W^T v of one visible vector. */
export function hiddenFieldOf(rbm: SmallRbm, v: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(rbm.hiddenBias);
  for (let i = 0; i < rbm.nVisible; i++) {
    if (v[i] === 0) continue;
    for (let mu = 0; mu < rbm.nHidden; mu++) x[mu] += v[i] * rbm.weights[i * rbm.nHidden + mu];
  }
  return x;
}

/** E[h | v] of one visible vector. */
export const hiddenMeanOf = (rbm: SmallRbm, v: ArrayLike<number>): Float64Array => hiddenFieldOf(rbm, v).map(sigmoid);

/** E[v | h] of one hidden vector (h may be real-valued, as in mean-field reconstruction). */
export function visibleMeanOf(rbm: SmallRbm, h: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rbm.nVisible);
  for (let i = 0; i < rbm.nVisible; i++) {
    let x = rbm.visibleBias[i];
    for (let mu = 0; mu < rbm.nHidden; mu++) x += rbm.weights[i * rbm.nHidden + mu] * h[mu];
    out[i] = sigmoid(x);
  }
  return out;
}

/** F(v) = -a.v - sum_mu softplus(b_mu + (W^T v)_mu). */
export function freeEnergyOf(rbm: SmallRbm, v: ArrayLike<number>): number {
  let f = 0;
  for (let i = 0; i < rbm.nVisible; i++) f -= rbm.visibleBias[i] * v[i];
  for (const x of hiddenFieldOf(rbm, v)) f -= softplus(x);
  return f;
}

/** Visible state number s as a 0/1 vector (bit i of s is unit i). */
export function visibleState(nVisible: number, s: number): Float64Array {
  return Float64Array.from({ length: nVisible }, (_, i) => (s >> i) & 1);
}

/** The number of the 0/1 state in row `row` of x [rows * n] (visibleState's inverse: bit i is unit i). */
export function stateIndex(x: ArrayLike<number>, row: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[row * n + i] << i;
  return s;
}

/** log Z = log sum_v exp(-F(v)), over all 2^nVisible visible states. */
export function exactLogZ(rbm: SmallRbm): number {
  const negF = Array.from({ length: 2 ** rbm.nVisible }, (_, s) => -freeEnergyOf(rbm, visibleState(rbm.nVisible, s)));
  const m = Math.max(...negF);
  return m + Math.log(negF.reduce((acc, x) => acc + Math.exp(x - m), 0));
}

/** Mean log-likelihood (nats per example) of the rows of data [rows * nVisible]. */
export function exactLogLikelihood(rbm: SmallRbm, data: Float32Array, rows: number): number {
  const logZ = exactLogZ(rbm);
  let sum = 0;
  for (let r = 0; r < rows; r++) sum -= freeEnergyOf(rbm, data.subarray(r * rbm.nVisible, (r + 1) * rbm.nVisible));
  return sum / rows - logZ;
}

/** The sufficient statistics <v h^T>, <v>, <h> with h replaced by E[h | v]. */
export interface Statistics {
  readonly vh: Float64Array;
  readonly v: Float64Array;
  readonly h: Float64Array;
}

function accumulate(rbm: SmallRbm, stats: Statistics, v: ArrayLike<number>, weight: number): void {
  const h = hiddenMeanOf(rbm, v);
  for (let i = 0; i < rbm.nVisible; i++) {
    stats.v[i] += weight * v[i];
    for (let mu = 0; mu < rbm.nHidden; mu++) stats.vh[i * rbm.nHidden + mu] += weight * v[i] * h[mu];
  }
  for (let mu = 0; mu < rbm.nHidden; mu++) stats.h[mu] += weight * h[mu];
}

const emptyStatistics = (rbm: SmallRbm): Statistics => ({
  vh: new Float64Array(rbm.nVisible * rbm.nHidden),
  v: new Float64Array(rbm.nVisible),
  h: new Float64Array(rbm.nHidden),
});

/** Statistics averaged over the rows of data: the positive phase. */
export function dataStatistics(rbm: SmallRbm, data: Float32Array, rows: number): Statistics {
  const stats = emptyStatistics(rbm);
  for (let r = 0; r < rows; r++) {
    accumulate(rbm, stats, data.subarray(r * rbm.nVisible, (r + 1) * rbm.nVisible), 1 / rows);
  }
  return stats;
}

/** Statistics under the model p(v) = exp(-F(v)) / Z, by enumeration: the negative phase. */
export function modelStatistics(rbm: SmallRbm): Statistics {
  const stats = emptyStatistics(rbm);
  const logZ = exactLogZ(rbm);
  for (let s = 0; s < 2 ** rbm.nVisible; s++) {
    const v = visibleState(rbm.nVisible, s);
    accumulate(rbm, stats, v, Math.exp(-freeEnergyOf(rbm, v) - logZ));
  }
  return stats;
}

/** p(x) of a 0/1 vector x under independent units with E[x_i] = mean_i. */
const bernoulliProbability = (mean: ArrayLike<number>, x: ArrayLike<number>): number => Array.from(mean).reduce((p, m, i) => p * (x[i] === 1 ? m : 1 - m), 1);

/**
 * The law of v_k after k steps of the visible chain K(v, v') = sum_h p(h | v) p(v' | h) started from the rows
 * of `start` [rows * nVisible] (their empirical law D_0): D_0 K^k over the 2^nVisible states (visibleState's
 * numbering). K by enumerating v and h (small RBMs only).
 */
export function visibleChainLaw(rbm: SmallRbm, start: Float32Array, rows: number, k: number): Float64Array {
  const nV = 2 ** rbm.nVisible;
  const nH = 2 ** rbm.nHidden;
  const visible = Array.from({ length: nV }, (_, s) => visibleState(rbm.nVisible, s));
  const hidden = Array.from({ length: nH }, (_, t) => visibleState(rbm.nHidden, t));
  const up = visible.map((v) => {
    const mean = hiddenMeanOf(rbm, v);
    return hidden.map((h) => bernoulliProbability(mean, h)); // p(h | v)
  });
  const down = hidden.map((h) => {
    const mean = visibleMeanOf(rbm, h);
    return visible.map((v) => bernoulliProbability(mean, v)); // p(v | h)
  });
  let law = new Float64Array(nV);
  for (let r = 0; r < rows; r++) law[stateIndex(start, r, rbm.nVisible)] += 1 / rows;
  for (let step = 0; step < k; step++) {
    const hiddenLaw = Array.from({ length: nH }, (_, t) => law.reduce((acc, p, s) => acc + p * up[s][t], 0));
    law = Float64Array.from({ length: nV }, (_, s) => hiddenLaw.reduce((acc, q, t) => acc + q * down[t][s], 0));
  }
  return law;
}

/** The expected model-side statistics of CD-k from the rows of `data`: v_k ~ D_0 K^k, h replaced by E[h | v_k]. */
export function cdStatistics(rbm: SmallRbm, data: Float32Array, rows: number, k: number): Statistics {
  const stats = emptyStatistics(rbm);
  visibleChainLaw(rbm, data, rows, k).forEach((p, s) => accumulate(rbm, stats, visibleState(rbm.nVisible, s), p));
  return stats;
}

/**
 * Exact log Z and log-likelihoods of tiny deep models in float64, by enumerating every hidden state, and a DBN's
 * up-pass bound with the variance of its estimator's term: the references of the DBM and DBN estimators' tests.
 */
import type { DBM } from '../../src/models/dbm.js';
import type { DBN } from '../../src/models/dbn.js';
import type { Matrix } from '../../src/tensor/matrix.js';
import { exactLogZ, freeEnergyOf, hiddenMeanOf, visibleMeanOf, visibleState, type SmallRbm } from '../reference/rbm-exact.js';

const bits = (n: number, s: number): number[] => Array.from({ length: n }, (_, i) => (s >> i) & 1);
const logSumExp = (xs: number[]): number => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

/** log Z and the mean log p(v) over the rows of `data` of a 3-layer DBM, enumerating every state in float64. */
export function exactDbm(dbm: DBM, data: Matrix): { logZ: number; logLikelihood: number } {
  const [n0, n1, n2] = dbm.sizes;
  const [b0, b1, b2] = dbm.params.biases;
  const [W0, W1] = dbm.params.weights;
  const negEnergy = (v: number[], h1: number[], h2: number[]): number => {
    let s = 0;
    v.forEach((x, i) => (s += x * b0[i]));
    h1.forEach((x, j) => (s += x * b1[j]));
    h2.forEach((x, k) => (s += x * b2[k]));
    v.forEach((x, i) => h1.forEach((y, j) => (s += x * y * W0[i * n1 + j])));
    h1.forEach((x, j) => h2.forEach((y, k) => (s += x * y * W1[j * n2 + k])));
    return s;
  };
  const logUnnormalised = (v: number[]): number => {
    const terms: number[] = [];
    for (let a = 0; a < 2 ** n1; a++) for (let b = 0; b < 2 ** n2; b++) terms.push(negEnergy(v, bits(n1, a), bits(n2, b)));
    return logSumExp(terms);
  };
  const logZ = logSumExp(Array.from({ length: 2 ** n0 }, (_, s) => logUnnormalised(bits(n0, s))));
  let sum = 0;
  for (let r = 0; r < data.rows; r++) sum += logUnnormalised(Array.from(data.data.subarray(r * n0, (r + 1) * n0))) - logZ;
  return { logZ, logLikelihood: sum / data.rows };
}

/** log prod_i Bernoulli(x_i; p_i). */
const logBernoulli = (x: ArrayLike<number>, p: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.log(x[i] === 1 ? p[i] : 1 - p[i]);
  return s;
};

/** The entropy of a factorial Bernoulli with means p: -sum_i [p_i log p_i + (1 - p_i) log(1 - p_i)]. */
const bernoulliEntropy = (p: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < p.length; i++) s -= (p[i] > 0 ? p[i] * Math.log(p[i]) : 0) + (p[i] < 1 ? (1 - p[i]) * Math.log(1 - p[i]) : 0);
  return s;
};

/** One row of a DBN, exactly: log p(v), the up-pass bound B(v) and the variance under q of the estimator's term. */
export interface ExactDbnRow {
  readonly logP: number;
  /** B(v) = E_q[log p(v, h) - log q(h | v)], h = (h_1, ..., h_{L-1}). */
  readonly bound: number;
  /** Var_q of the term dbnLogLikelihoodBound averages: sum_l [log p(h_l | h_{l+1}) + H(q_l(. | h_l))] - F_top(h_{L-1}). */
  readonly termVariance: number;
}

/**
 * Each row of `data` under a DBN of any depth, by enumerating every chain h_1, ..., h_{L-1} of binary states:
 * p(v, h) = prod_{l<L-1} p(h_l | h_{l+1}) p_top(h_{L-1}), q(h | v) = prod_{l<L-1} q_l(h_{l+1} | h_l).
 */
export function exactDbnRows(dbn: DBN, data: Matrix): ExactDbnRow[] {
  const rbms: SmallRbm[] = dbn.rbms.map((r) => ({ nVisible: r.nVisible, nHidden: r.nHidden, ...r.params }));
  const top = rbms[rbms.length - 1];
  const logZ = exactLogZ(top);
  return Array.from({ length: data.rows }, (_, r) => {
    const chains: { logQ: number; logJoint: number; term: number }[] = [];
    const walk = (l: number, h: ArrayLike<number>, logQ: number, logJoint: number, term: number): void => {
      if (l === rbms.length - 1) {
        chains.push({ logQ, logJoint: logJoint - freeEnergyOf(top, h) - logZ, term: term - freeEnergyOf(top, h) });
        return;
      }
      const q = hiddenMeanOf(rbms[l], h);
      for (let s = 0; s < 2 ** rbms[l].nHidden; s++) {
        const next = visibleState(rbms[l].nHidden, s);
        const logPBelow = logBernoulli(h, visibleMeanOf(rbms[l], next));
        walk(l + 1, next, logQ + logBernoulli(next, q), logJoint + logPBelow, term + logPBelow + bernoulliEntropy(q));
      }
    };
    walk(0, data.data.subarray(r * data.cols, (r + 1) * data.cols), 0, 0, 0);
    const meanTerm = chains.reduce((a, c) => a + Math.exp(c.logQ) * c.term, 0);
    return {
      logP: logSumExp(chains.map((c) => c.logJoint)),
      bound: chains.reduce((a, c) => a + Math.exp(c.logQ) * (c.logJoint - c.logQ), 0),
      termVariance: chains.reduce((a, c) => a + Math.exp(c.logQ) * (c.term - meanTerm) ** 2, 0),
    };
  });
}

/** The mean log p(v) over the rows of `data` under a DBN. */
export const exactDbn = (dbn: DBN, data: Matrix): number => exactDbnRows(dbn, data).reduce((a, row) => a + row.logP, 0) / data.rows;

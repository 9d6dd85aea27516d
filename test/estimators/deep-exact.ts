/**
 * Exact log Z and mean log-likelihoods of tiny deep models in float64, by enumerating every hidden state: the
 * references of the DBM and DBN estimators' tests.
 */
import type { DBM } from '../../src/models/dbm.js';
import type { DBN } from '../../src/models/dbn.js';
import type { Matrix } from '../../src/tensor/matrix.js';
import { exactLogZ, freeEnergyOf, visibleMeanOf, visibleState, type SmallRbm } from '../reference/rbm-exact.js';

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

/** The mean log p(v) over the rows of `data` of a DBN of two RBMs: log sum_h1 p(v | h1) p_top(h1), h1 enumerated. */
export function exactDbn(dbn: DBN, data: Matrix): number {
  const [bottom, top]: SmallRbm[] = dbn.rbms.map((r) => ({ nVisible: r.nVisible, nHidden: r.nHidden, ...r.params }));
  const logZ = exactLogZ(top);
  let sum = 0;
  for (let r = 0; r < data.rows; r++) {
    const v = data.data.subarray(r * data.cols, (r + 1) * data.cols);
    const terms: number[] = [];
    for (let s = 0; s < 2 ** bottom.nHidden; s++) {
      const h = visibleState(bottom.nHidden, s);
      const p = visibleMeanOf(bottom, h);
      let logPv = 0;
      v.forEach((x, i) => (logPv += Math.log(x === 1 ? p[i] : 1 - p[i])));
      terms.push(logPv - freeEnergyOf(top, h) - logZ);
    }
    sum += logSumExp(terms);
  }
  return sum / data.rows;
}

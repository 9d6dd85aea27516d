/**
 * Brute-force float64 enumeration of a small classification RBM with Bernoulli x and h: every (x, h, y) state
 * and its energy E = -b.x - c.h - d_y - x^T W h - sum_j h_j U_jy, an independent reference for the engine's
 * graphs (which sum h out analytically and never enumerate). Parameters as the model holds them: W
 * [nVisible * nHidden], U [nHidden * K] row-major.
 */
import type { ClassRBM } from '../../src/models/class-rbm.js';
import { visibleState } from './rbm-exact.js';

/** log sum exp of the values. */
export function logSumExp(x: readonly number[]): number {
  const m = Math.max(...x);
  return m + Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
}

/** -E(x, h, y) of one state. */
export function negEnergy(model: ClassRBM, x: ArrayLike<number>, h: ArrayLike<number>, y: number): number {
  const { weights, visibleBias, hiddenBias } = model.rbm.params;
  const { labelWeights, labelBias } = model.labels;
  const { nVisible, nHidden, nClasses } = model;
  let e = labelBias[y];
  for (let i = 0; i < nVisible; i++) e += visibleBias[i] * x[i];
  for (let j = 0; j < nHidden; j++) {
    if (h[j] === 0) continue;
    e += hiddenBias[j] + labelWeights[j * nClasses + y];
    for (let i = 0; i < nVisible; i++) e += x[i] * weights[i * nHidden + j];
  }
  return e;
}

/** log sum_h exp(-E(x, h, y)) for every class y: [K]. */
export function logJointOverHidden(model: ClassRBM, x: ArrayLike<number>): number[] {
  return Array.from({ length: model.nClasses }, (_, y) => logSumExp(Array.from({ length: 2 ** model.nHidden }, (_, s) => negEnergy(model, x, visibleState(model.nHidden, s), y))));
}

/** log p(y | x) for every class: [K]. */
export function exactClassLogProbabilities(model: ClassRBM, x: ArrayLike<number>): number[] {
  const joint = logJointOverHidden(model, x);
  const norm = logSumExp(joint);
  return joint.map((j) => j - norm);
}

/** E[h | x] = sum over h and y of h p(h, y | x): [nHidden]. */
export function exactHiddenMean(model: ClassRBM, x: ArrayLike<number>): Float64Array {
  const states = Array.from({ length: model.nClasses * 2 ** model.nHidden }, (_, s) => ({ h: visibleState(model.nHidden, s % 2 ** model.nHidden), y: Math.floor(s / 2 ** model.nHidden) }));
  const logW = states.map(({ h, y }) => negEnergy(model, x, h, y));
  const norm = logSumExp(logW);
  const mean = new Float64Array(model.nHidden);
  states.forEach(({ h }, s) => h.forEach((hj, j) => (mean[j] += hj * Math.exp(logW[s] - norm))));
  return mean;
}

/** log Z over every (x, h, y). */
export function exactClassLogZ(model: ClassRBM): number {
  return logSumExp(Array.from({ length: 2 ** model.nVisible }, (_, s) => logSumExp(logJointOverHidden(model, visibleState(model.nVisible, s)))));
}

/** log p(x) of one visible state, the class summed out. */
export const exactLogMarginal = (model: ClassRBM, x: ArrayLike<number>, logZ = exactClassLogZ(model)): number => logSumExp(logJointOverHidden(model, x)) - logZ;

/**
 * A float64 host reference of the multi-prediction DBM's mean-field inference and loss, written from the
 * equations (Goodfellow et al. 2013; Deep Learning 20.4.2) with loops, for small models: the chain
 * [v, h_1, ..., h_L, y], each layer's field its bias plus W_{l-1}^T mu_{l-1} plus W_l mu_{l+1} (U for y),
 * Bernoulli layers sigmoid(field), y softmax(field); observed units kept at their values, the free units of v
 * starting at sigmoid(b_0) and a free y at softmax(d), the hidden layers at the up-pass; then sweeps in layer
 * order. Parameters as the model holds them (row-major [n_l * n_{l+1}]).
 */
import type { MpDBM } from '../../src/models/mp-dbm.js';

/** Per example: the pixels v, which are seen (1) and, when the label is seen, the class; else undefined. */
export interface MaskedExample {
  readonly v: ArrayLike<number>;
  readonly seen: ArrayLike<number>;
  readonly label: number;
  readonly labelSeen: boolean;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function softmax(f: readonly number[]): number[] {
  const m = Math.max(...f);
  const e = f.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** The model's layers as plain arrays: sizes of [v, h_1, ..., h_L, y], weights between neighbours, biases. */
function chainOf(model: MpDBM): { sizes: number[]; weights: ArrayLike<number>[]; biases: ArrayLike<number>[] } {
  return {
    sizes: [...model.sizes, model.nClasses],
    weights: [...model.dbm.params.weights, model.labels.labelWeights],
    biases: [...model.dbm.params.biases, model.labels.labelBias],
  };
}

/** The field of layer l given the means of its neighbours (undefined ones send nothing). */
function field(chain: ReturnType<typeof chainOf>, mu: (number[] | undefined)[], l: number): number[] {
  const { sizes, weights, biases } = chain;
  const f = Array.from(biases[l]);
  if (l > 0 && mu[l - 1] !== undefined) {
    const w = weights[l - 1];
    for (let j = 0; j < sizes[l]; j++) for (let i = 0; i < sizes[l - 1]; i++) f[j] += mu[l - 1]![i] * w[i * sizes[l] + j];
  }
  if (l + 1 < sizes.length && mu[l + 1] !== undefined) {
    const w = weights[l];
    for (let i = 0; i < sizes[l]; i++) for (let j = 0; j < sizes[l + 1]; j++) f[i] += mu[l + 1]![j] * w[i * sizes[l + 1] + j];
  }
  return f;
}

/** Mean-field means and fields of every layer after `iterations` sweeps for one example. */
export function referenceMeanField(model: MpDBM, x: MaskedExample, iterations: number): { means: number[][]; fields: (number[] | undefined)[] } {
  const chain = chainOf(model);
  const L = chain.sizes.length - 1;
  const K = model.nClasses;
  const oneHot = Array.from({ length: K }, (_, k) => Number(k === x.label));
  const meanOfLayer = (l: number, f: number[]): number[] => (l === L ? softmax(f) : f.map(sigmoid));
  const keep = (l: number, m: number[]): number[] => (l === 0 ? m.map((p, i) => (x.seen[i] === 1 ? x.v[i] : p)) : l === L && x.labelSeen ? oneHot : m);
  const mu: (number[] | undefined)[] = chain.sizes.map(() => undefined);
  const fields: (number[] | undefined)[] = chain.sizes.map(() => undefined);
  mu[0] = keep(0, Array.from(chain.biases[0], sigmoid));
  mu[L] = keep(L, softmax(Array.from(chain.biases[L])));
  const update = (l: number): void => {
    fields[l] = field(chain, mu, l);
    mu[l] = keep(l, meanOfLayer(l, fields[l]));
  };
  for (let l = 1; l < L; l++) update(l);
  for (let t = 0; t < iterations; t++) for (let l = 0; l <= L; l++) update(l);
  return { means: mu as number[][], fields };
}

/** The multi-prediction loss of one example: -sum over its free pixels and (free) label of log Q at the last sweep. */
export function referenceLoss(model: MpDBM, x: MaskedExample, iterations: number): number {
  const { means } = referenceMeanField(model, x, iterations);
  const L = means.length - 1;
  let loss = 0;
  means[0].forEach((q, i) => {
    if (x.seen[i] === 0) loss -= x.v[i] === 1 ? Math.log(q) : Math.log(1 - q);
  });
  if (!x.labelSeen) loss -= Math.log(means[L][x.label]);
  return loss;
}

/** -E(x) of one state of every layer of the chain [v, h_1, ..., h_L, y] (y one-hot). */
function negEnergy(chain: ReturnType<typeof chainOf>, x: readonly number[][]): number {
  let e = 0;
  x.forEach((layer, l) => layer.forEach((xi, i) => (e += chain.biases[l][i] * xi)));
  for (let l = 0; l + 1 < x.length; l++) {
    const w = chain.weights[l];
    const n = chain.sizes[l + 1];
    x[l].forEach((a, i) => x[l + 1].forEach((b, j) => (e += a * w[i * n + j] * b)));
  }
  return e;
}

/** Every state of `n` binary units, as arrays. */
const binaryStates = (n: number): number[][] => Array.from({ length: 2 ** n }, (_, s) => Array.from({ length: n }, (_, i) => (s >> i) & 1));

/** log sum over h and y of exp(-E(v, h, y)) for every visible state v (index s: unit i is bit i of s), and log Z, by enumeration. */
export function enumeratedLogMarginals(model: MpDBM): { logMarginal: number[]; logZ: number } {
  const chain = chainOf(model);
  const K = model.nClasses;
  const hidden = model.sizes.slice(1).map(binaryStates);
  const labels = Array.from({ length: K }, (_, k) => Array.from({ length: K }, (_, j) => Number(j === k)));
  const logMarginal = binaryStates(model.nVisible).map((v) => {
    const terms: number[] = [];
    const visit = (l: number, states: number[][]): void => {
      if (l === hidden.length) {
        for (const y of labels) terms.push(negEnergy(chain, [v, ...states, y]));
        return;
      }
      for (const h of hidden[l]) visit(l + 1, [...states, h]);
    };
    visit(0, []);
    const m = Math.max(...terms);
    return m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
  });
  const m = Math.max(...logMarginal);
  return { logMarginal, logZ: m + Math.log(logMarginal.reduce((s, t) => s + Math.exp(t - m), 0)) };
}

/**
 * A deep Boltzmann machine (Salakhutdinov & Hinton 2009; Deep Learning 20.4) of Bernoulli layers x_0 = v,
 * x_1, ..., x_L (L >= 2 hidden layers), each coupled to its neighbours only:
 *   E(x) = -sum_{l=0}^{L} b_l . x_l - sum_{l=0}^{L-1} x_l^T W_l x_{l+1},  p(x) = exp(-E(x)) / Z.
 * Parameters: weights_l [n_l, n_{l+1}], visible_bias_0 [n_0] (b_0) and hidden_bias_l [n_{l+1}] (b_{l+1}), the
 * tensor names of its model files.
 *
 * Mean-field inference (20.4.2): Q(h | v) = prod_l prod_j mu_{l,j}^{x} (1 - mu_{l,j})^{1-x}, at a fixed point of
 *   mu_l = sigmoid(b_l + mu_{l-1} W_{l-1} + mu_{l+1} W_l^T)   (mu_0 = v; no second term for l = L),
 * (eqs. 20.33-20.34 with biases), found by updating the layers in turn from the up-pass mu_l = sigmoid(b_l +
 * mu_{l-1} W_{l-1}). The variational lower bound (20.35): since E is linear in each layer,
 *   log p(v) >= L(v) = -E(v, mu_1, ..., mu_L) + sum_l H(mu_l) - log Z.
 *
 * log Z: the layers split into odd and even ones (20.4, figure 20.3) and, given one side, the other is
 * factorial: the DBM is an RBM whose "visible" side is the odd layers and whose "hidden" side is the even
 * layers, v included (`bipartiteRbm`). Its log Z is the DBM's, so the RBM estimators apply as they are: exact
 * enumeration of the smaller side, AIS with a base rate over the odd layers (fitted to the mean-field means of
 * the data). Sampling runs block Gibbs in that RBM (odd layers given even, even given odd).
 */
import { Graph } from '../graph/graph.js';
import { add, mul, neg, reduceSum, sub } from '../graph/ops/index.js';
import { RandomStream } from '../random/stream.js';
import type { Engine, TensorMap } from '../runtime/engine.js';
import { mapRows, mapRowsOf } from '../runtime/rows.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { bernoulli } from '../units/bernoulli.js';
import { denseCoupling, energy, layerMean, maskedMeanField, meanField, type DenseCoupling, type MachineValues } from './machine.js';
import { squaredError } from './rbm-graph.js';
import { checkVisibleRows, type GenerativeModel, type ModelDescription, type Reconstruction, type SampleOptions, type Samples } from './model.js';
import { RBM } from './rbm.js';
import { checkValues } from './limits.js';

/** Tensor (and graph input) names: weights_l, and the bias of layer l (visible_bias_0 for v, hidden_bias_{l-1} above). */
export const dbmNames = {
  weights: (l: number): string => `weights_${l}`,
  bias: (layer: number): string => (layer === 0 ? 'visible_bias_0' : `hidden_bias_${layer - 1}`),
  mean: (layer: number): string => `mean_${layer}`,
  offset: (layer: number): string => `offset_${layer}`,
  visible: 'visible',
  observed: 'observed',
  bound: 'bound_term',
  reconstruction: 'reconstruction',
  squaredError: 'squared_error',
} as const;

export interface DbmParameters {
  /** weights[l]: [n_l * n_{l+1}] row-major, l = 0 .. L-1. */
  readonly weights: Float32Array[];
  /** biases[l]: [n_l], l = 0 (visible) .. L. */
  readonly biases: Float32Array[];
}

export interface DbmCreateOptions {
  /** Units per layer, visible first, at least 3 values: [784, 500, 1000]. */
  readonly sizes: readonly number[];
  readonly seed?: number;
  /** Standard deviation of the initial weights (default 0.01). */
  readonly weightScale?: number;
}

/** A DBM's parameters as a machine (machine.ts): Bernoulli layers [v, h_1, ..., h_L] and the couplings W_l between neighbours. */
export function dbmInputs(g: Graph, sizes: readonly number[]): MachineValues<DenseCoupling> {
  const couplings = sizes.slice(1).map((n, l) => denseCoupling(l, l + 1, g.input(dbmNames.weights(l), 'float32', [sizes[l], n])));
  return { layers: sizes.map((n, l) => ({ units: bernoulli, bias: g.input(dbmNames.bias(l), 'float32', [n]) })), couplings };
}

/** A deep Boltzmann machine of Bernoulli layers (see the file comment). */
export class DBM implements GenerativeModel {
  readonly kind = 'dbm';
  /** Bernoulli units in every layer. */
  readonly visible = bernoulli;
  readonly sizes: readonly number[];
  epochsTrained = 0;

  constructor(
    readonly engine: Engine,
    sizes: readonly number[],
    readonly params: DbmParameters,
  ) {
    if (sizes.length < 3 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) throw new RangeError(`a DBM needs 3 or more layer sizes (visible first), got [${sizes.join(', ')}]`);
    this.sizes = [...sizes];
    if (params.weights.length !== sizes.length - 1 || params.biases.length !== sizes.length) throw new Error('DBM: one weight matrix per pair of layers and one bias per layer');
    params.weights.forEach((w, l) => {
      if (w.length !== sizes[l] * sizes[l + 1]) throw new Error(`DBM: ${dbmNames.weights(l)} has ${w.length} values, expected ${sizes[l]} x ${sizes[l + 1]}`);
    });
    params.biases.forEach((b, l) => {
      if (b.length !== sizes[l]) throw new Error(`DBM: ${dbmNames.bias(l)} has ${b.length} values, expected ${sizes[l]}`);
    });
  }

  /** A fresh DBM: weights N(0, weightScale^2), biases 0. */
  static create(engine: Engine, options: DbmCreateOptions): DBM {
    const { sizes, seed = 0, weightScale = 0.01 } = options;
    sizes.slice(1).forEach((n, l) => checkValues(`the weights of layers ${l} and ${l + 1}`, sizes[l], n));
    const rng = new RandomStream(seed);
    const weights = sizes.slice(1).map((n, l) => Float32Array.from({ length: sizes[l] * n }, () => weightScale * rng.normal()));
    return new DBM(engine, sizes, { weights, biases: sizes.map((n) => new Float32Array(n)) });
  }

  get nVisible(): number {
    return this.sizes[0];
  }

  describe(): ModelDescription {
    const tensors: Record<string, Float32Array> = {};
    this.params.weights.forEach((w, l) => (tensors[dbmNames.weights(l)] = w));
    this.params.biases.forEach((b, l) => (tensors[dbmNames.bias(l)] = b));
    return { summary: { kind: this.kind, layers: this.sizes, epochsTrained: this.epochsTrained }, title: `DBM ${this.sizes.join('-')} (Bernoulli), ${this.epochsTrained} joint epochs trained`, tensors };
  }

  /** The number of hidden layers L. */
  get depth(): number {
    return this.sizes.length - 1;
  }

  parameterFeeds(): TensorMap {
    const feeds: TensorMap = {};
    this.params.weights.forEach((w, l) => (feeds[dbmNames.weights(l)] = this.engine.float32(w, [this.sizes[l], this.sizes[l + 1]])));
    this.params.biases.forEach((b, l) => (feeds[dbmNames.bias(l)] = this.engine.float32(b, [this.sizes[l]])));
    return feeds;
  }

  /** The mean-field means [mu_1, ..., mu_L] (each [rows, n_l]) of each row of v after `iterations` sweeps (default 50). */
  async meanField(v: Matrix, iterations = 50): Promise<Matrix[]> {
    checkVisibleRows(this, v);
    const g = new Graph(`dbm-mean-field-${iterations}`);
    const p = dbmInputs(g, this.sizes);
    const { means } = meanField(p, g.input(dbmNames.visible, 'float32', ['rows', this.nVisible]), iterations);
    for (let l = 1; l < means.length; l++) g.output(dbmNames.mean(l), means[l]);
    const program = await this.engine.compile(g);
    const names = this.sizes.slice(1).map((_, i) => dbmNames.mean(i + 1));
    const out = await mapRows(this.engine, program, this.parameterFeeds(), dbmNames.visible, v, names);
    return names.map((name) => out[name]);
  }

  /**
   * Q(v) of each row of v: the pixels where `observed` [rows, n_0] is 1 kept, the others' mean-field means
   * given them (maskedMeanField: the missing pixels start at sigmoid(b_0), the hidden layers free), after
   * `iterations` sweeps (default 50). [rows, n_0].
   */
  async fillIn(v: Matrix, observed: Matrix, iterations = 50): Promise<Matrix> {
    checkVisibleRows(this, v);
    const g = new Graph(`dbm-fill-in-${iterations}`);
    const p = dbmInputs(g, this.sizes);
    const shape = ['rows', this.nVisible] as const;
    const { means } = maskedMeanField(p, [{ values: g.input(dbmNames.visible, 'float32', shape), mask: g.input(dbmNames.observed, 'float32', shape) }], iterations);
    g.output(dbmNames.reconstruction, means[0]);
    const program = await this.engine.compile(g);
    const out = await mapRowsOf(this.engine, program, this.parameterFeeds(), { [dbmNames.visible]: v, [dbmNames.observed]: observed }, [dbmNames.reconstruction]);
    return out[dbmNames.reconstruction];
  }

  /**
   * Reconstructions [rows, n_0] of the rows of v: the visible conditional mean sigmoid(b_0 + W_0 mu_1) of the
   * mean-field means mu_1 after `iterations` sweeps (default 50); and their squared errors sum_i (v_i - r_i)^2 [rows].
   */
  async reconstruct(v: Matrix, iterations = 50): Promise<Reconstruction> {
    checkVisibleRows(this, v);
    const g = new Graph(`dbm-reconstruction-${iterations}`);
    const p = dbmInputs(g, this.sizes);
    const visible = g.input(dbmNames.visible, 'float32', ['rows', this.nVisible]);
    const { means } = meanField(p, visible, iterations);
    const r = layerMean(p, [undefined, means[1]], 0);
    g.output(dbmNames.reconstruction, r);
    g.output(dbmNames.squaredError, squaredError(visible, r));
    const program = await this.engine.compile(g);
    const out = await mapRows(this.engine, program, this.parameterFeeds(), dbmNames.visible, v, [dbmNames.reconstruction, dbmNames.squaredError]);
    return { reconstructions: out[dbmNames.reconstruction], squaredErrors: out[dbmNames.squaredError].data };
  }

  /** Features: the mean-field means of the top layer. */
  async transform(v: Matrix, iterations = 50): Promise<Matrix> {
    return (await this.meanField(v, iterations)).at(-1)!;
  }

  /**
   * The variational lower bound L(v) = -E(v, mu) + sum_l H(mu_l) - logZ of each row of v (float64), mu the
   * mean-field means after `iterations` sweeps.
   */
  async variationalBound(v: Matrix, logZ: number, iterations = 50): Promise<Float64Array> {
    checkVisibleRows(this, v);
    const g = new Graph(`dbm-bound-${iterations}`);
    const p = dbmInputs(g, this.sizes);
    const { means, fields } = meanField(p, g.input(dbmNames.visible, 'float32', ['rows', this.nVisible]), iterations);
    let term = neg(energy(p, means));
    for (let l = 1; l < means.length; l++) {
      // H = sum softplus(f) - sigmoid(f) f, with mu_l = sigmoid(f_l) exactly (binary units: a0 = 0).
      const entropy = sub(reduceSum(p.layers[l].units.logPartition(fields[l]!), [1]), reduceSum(mul(means[l], fields[l]!), [1]));
      term = add(term, entropy);
    }
    g.output(dbmNames.bound, term);
    const program = await this.engine.compile(g);
    const out = await mapRows(this.engine, program, this.parameterFeeds(), dbmNames.visible, v, [dbmNames.bound]);
    return Float64Array.from(out[dbmNames.bound].data, (t) => t - logZ);
  }

  /** The odd layers (1, 3, ...) and the even layers (0, 2, ...), in order. */
  get sides(): { odd: number[]; even: number[] } {
    const layers = this.sizes.map((_, l) => l);
    return { odd: layers.filter((l) => l % 2 === 1), even: layers.filter((l) => l % 2 === 0) };
  }

  /** The sizes of `bipartiteRbm`: the odd layers' units (its visible side) and the even layers' (its hidden side). */
  get bipartiteShape(): { nVisible: number; nHidden: number } {
    const total = (layers: number[]): number => layers.reduce((s, l) => s + this.sizes[l], 0);
    return { nVisible: total(this.sides.odd), nHidden: total(this.sides.even) };
  }

  /**
   * The same distribution as an RBM: visible side the odd layers (concatenated in order), hidden side the
   * even layers (v first); the weight block of odd layer l with even layer l - 1 is W_{l-1}^T, with l + 1 it
   * is W_l. Its log Z (and its marginal over either side) is the DBM's.
   */
  bipartiteRbm(): RBM {
    const { odd, even } = this.sides;
    const offset = (layers: number[]) => {
      const at = new Map<number, number>();
      let s = 0;
      for (const l of layers) {
        at.set(l, s);
        s += this.sizes[l];
      }
      return { at, total: s };
    };
    const o = offset(odd);
    const e = offset(even);
    const weights = new Float32Array(o.total * e.total);
    for (const l of odd) {
      const r0 = o.at.get(l)!;
      const below = this.params.weights[l - 1]; // [n_{l-1}, n_l]
      const c0 = e.at.get(l - 1)!;
      for (let i = 0; i < this.sizes[l - 1]; i++) for (let j = 0; j < this.sizes[l]; j++) weights[(r0 + j) * e.total + c0 + i] = below[i * this.sizes[l] + j];
      if (l + 1 < this.sizes.length) {
        const above = this.params.weights[l]; // [n_l, n_{l+1}]
        const c1 = e.at.get(l + 1)!;
        for (let j = 0; j < this.sizes[l]; j++) for (let k = 0; k < this.sizes[l + 1]; k++) weights[(r0 + j) * e.total + c1 + k] = above[j * this.sizes[l + 1] + k];
      }
    }
    const concat = (layers: number[], total: number) => {
      const out = new Float32Array(total);
      let s = 0;
      for (const l of layers) {
        out.set(this.params.biases[l], s);
        s += this.sizes[l];
      }
      return out;
    };
    return new RBM(this.engine, { nVisible: o.total, nHidden: e.total }, { weights, visibleBias: concat(odd, o.total), hiddenBias: concat(even, e.total) });
  }

  /** The odd layers' mean-field means of each row of v, concatenated: data for the AIS base rate of `bipartiteRbm`. */
  async oddMeans(v: Matrix, iterations = 50): Promise<Matrix> {
    const means = await this.meanField(v, iterations);
    const odd = this.sides.odd;
    const cols = odd.reduce((s, l) => s + this.sizes[l], 0);
    const out = new Float32Array(v.rows * cols);
    for (let r = 0; r < v.rows; r++) {
      let c = 0;
      for (const l of odd) {
        const m = means[l - 1];
        out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), r * cols + c);
        c += m.cols;
      }
    }
    return matrix(out, v.rows, cols);
  }

  /**
   * `count` samples of v: `steps` block Gibbs steps (odd layers given even, even given odd) from uniform noise
   * (or from a draw of the odd layers' mean-field means of the rows of `start`), then the visible means
   * E[v | x_1] and one draw of them.
   */
  async sample(count: number, options: SampleOptions = {}): Promise<Samples> {
    const rng = new RandomStream(options.seed ?? 0);
    const rbm = this.bipartiteRbm();
    const steps = options.steps ?? 1000;
    let odd: Samples;
    if (options.start === undefined) {
      odd = await rbm.sample(count, { steps, seed: rng.seed() });
    } else {
      if (options.start.rows !== count) throw new Error(`sample: ${options.start.rows} start rows for ${count} chains`);
      const means = await this.oddMeans(options.start);
      const draws = matrix(rng.bernoulli(means.data), means.rows, means.cols);
      odd = await rbm.gibbs(draws, { steps, seed: rng.seed() });
    }
    const even = await rbm.transform(odd.samples);
    const means = new Float32Array(count * this.nVisible);
    for (let r = 0; r < count; r++) means.set(even.data.subarray(r * even.cols, r * even.cols + this.nVisible), r * this.nVisible);
    const samples = rng.bernoulli(means);
    return { samples: matrix(samples, count, this.nVisible), means: matrix(means, count, this.nVisible) };
  }
}

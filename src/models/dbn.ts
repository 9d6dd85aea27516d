/**
 * A deep belief network (Hinton, Osindero & Teh 2006; Deep Learning 20.3) as a stack of RBMs, bottom first:
 * RBM l couples layer l (l = 0: the visible units v) with layer l + 1. With L RBMs and h_0 = v,
 *   p(v, h_1, ..., h_L) = p(h_{L-1}, h_L) prod_{l=0}^{L-2} p(h_l | h_{l+1}),
 * where the top pair p(h_{L-1}, h_L) is RBM L-1 (undirected, eq. 20.17) and each lower conditional is RBM l's
 * visible conditional p(h_l | h_{l+1}) = prod_i sigmoid(a_l + W_l h_{l+1})_i (directed, eqs. 20.18-20.19).
 * The hidden biases of the lower RBMs take no part in the generative model: they define the recognition
 * model q(h_{l+1} | h_l) = prod_mu sigmoid(c_l + W_l^T h_l)_mu of the up-pass (and the MLP of 20.22-20.23).
 *
 * Training is greedy (20.21): RBM 0 is fitted to the data, then RBM l to the up-pass of the data through
 * RBMs 0 .. l-1. The up-pass propagates binary samples h_{l+1} ~ q(h_{l+1} | h_l), one draw per example made
 * once before the layer trains (seeded), so that each RBM models the distribution that the variational bound
 * (`dbnLogLikelihoodBound`) puts under it; the features of `transform` propagate means instead.
 *
 * Sampling is ancestral: Gibbs steps in the top RBM from uniform noise (or from one up-pass draw of given
 * visible rows), then one pass down through the visible conditionals of the lower RBMs.
 */
import { Graph, type Value } from '../graph/graph.js';
import { RandomStream } from '../random/stream.js';
import type { Engine, TensorMap } from '../runtime/engine.js';
import { mapRows } from '../runtime/rows.js';
import type { Matrix } from '../tensor/matrix.js';
import { bernoulli, isBinary } from '../units/index.js';
import { hiddenField, parameterInputs, parameterKeys, parameterNames, sampleHidden, sampleVisible, squaredError, visibleMean, type ParameterKey, type RbmValues } from './rbm-graph.js';
import { checkVisibleRows, type GenerativeModel, type ModelDescription, type Reconstruction, type SampleOptions, type Samples } from './model.js';
import { RBM } from './rbm.js';

/** Graph input and file tensor name of RBM `layer`'s parameter `key`: weights_0, visible_bias_1, ... */
export const layerParameterName = (key: ParameterKey, layer: number): string => `${parameterNames[key]}_${layer}`;

export interface DbnCreateOptions {
  /** Units per layer, visible first: [784, 500, 500, 2000] (at least 2 values). */
  readonly sizes: readonly number[];
  /** Seed of the initial weights (default 0); RBM l draws from a stream seeded from it. */
  readonly seed?: number;
  /** Standard deviation of the initial weights (default 0.01). */
  readonly weightScale?: number;
}

/** Row names of the DBN graphs. */
const names = { input: 'input', mean: 'mean', sample: 'sample', squaredError: 'squared_error' } as const;

/** A deep belief network: a stack of Bernoulli RBMs, rbms[l] between layer l and layer l + 1 (see the file comment). */
export class DBN implements GenerativeModel {
  readonly kind = 'dbn';
  /** Bernoulli units in every layer. */
  readonly visible = bernoulli;
  constructor(
    readonly engine: Engine,
    readonly rbms: readonly RBM[],
  ) {
    if (rbms.length === 0) throw new Error('a DBN needs at least one RBM');
    rbms.forEach((r, l) => {
      if (!(isBinary(r.visible) && isBinary(r.hidden))) throw new Error(`DBN: RBM ${l} must have Bernoulli units on both sides`);
      if (l > 0 && rbms[l - 1].nHidden !== r.nVisible) throw new Error(`DBN: RBM ${l} has ${r.nVisible} visible units but RBM ${l - 1} has ${rbms[l - 1].nHidden} hidden`);
    });
  }

  /** A fresh DBN of `sizes` (visible first), each RBM as `RBM.create` makes it. */
  static create(engine: Engine, options: DbnCreateOptions): DBN {
    const { sizes, seed = 0, weightScale } = options;
    if (sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) throw new RangeError(`sizes must be 2 or more positive integers, got [${sizes.join(', ')}]`);
    const rng = new RandomStream(seed);
    const rbms = sizes.slice(1).map((nHidden, l) => RBM.create(engine, { nVisible: sizes[l], nHidden, seed: rng.seed(), weightScale }));
    return new DBN(engine, rbms);
  }

  /** Units per layer, visible first. */
  get sizes(): number[] {
    return [this.rbms[0].nVisible, ...this.rbms.map((r) => r.nHidden)];
  }

  get nVisible(): number {
    return this.rbms[0].nVisible;
  }

  describe(): ModelDescription {
    const epochsTrained = this.rbms.map((r) => r.epochsTrained);
    const tensors = Object.fromEntries(this.rbms.flatMap((r, l) => parameterKeys.map((k) => [layerParameterName(k, l), r.params[k]])));
    return { summary: { kind: this.kind, layers: this.sizes, epochsTrained }, title: `DBN ${this.sizes.join('-')} (Bernoulli), epochs trained per RBM ${epochsTrained.join(', ')}`, tensors };
  }

  /** The top RBM, between the last two layers. */
  get top(): RBM {
    return this.rbms[this.rbms.length - 1];
  }

  /** The parameters of RBMs `from` .. `to` - 1 as engine tensors named weights_l, visible_bias_l, hidden_bias_l. */
  parameterFeeds(from = 0, to = this.rbms.length): TensorMap {
    const feeds: TensorMap = {};
    for (let l = from; l < to; l++) {
      const r = this.rbms[l];
      const dims = { weights: [r.nVisible, r.nHidden], visibleBias: [r.nVisible], hiddenBias: [r.nHidden] };
      for (const key of parameterKeys) feeds[layerParameterName(key, l)] = this.engine.float32(r.params[key], dims[key]);
    }
    return feeds;
  }

  /**
   * The up-pass of v [rows, nVisible] through RBMs 0 .. `layers` - 1 (default all): means E[h_{l+1} | h_l]
   * fed upward, the features of the top layer [rows, sizes[layers]].
   */
  async transform(v: Matrix, layers = this.rbms.length): Promise<Matrix> {
    checkVisibleRows(this, v);
    const program = await this.engine.compile(upPassGraph(this.sizes, layers, 'mean', 0));
    const out = await mapRows(this.engine, program, this.parameterFeeds(0, layers), names.input, v, [names.mean]);
    return out[names.mean];
  }

  /** One binary draw of h_layers from the up-pass q(h_{l+1} | h_l) of each row of v, through RBMs 0 .. layers - 1. */
  async sampleUp(v: Matrix, layers: number, seed: number): Promise<Matrix> {
    checkVisibleRows(this, v);
    return this.engine.withProgram(upPassGraph(this.sizes, layers, 'sample', seed), async (program) => {
      const out = await mapRows(this.engine, program, this.parameterFeeds(0, layers), names.input, v, [names.sample]);
      return out[names.sample];
    });
  }

  /**
   * `count` ancestral samples: `steps` Gibbs steps of the top RBM from uniform noise (or from one up-pass draw
   * of the visible rows `start`), then h_l ~ p(h_l | h_{l+1}) down to v. Returns the visible draws and their
   * means E[v | h_1] [count, nVisible].
   */
  async sample(count: number, options: SampleOptions = {}): Promise<Samples> {
    const rng = new RandomStream(options.seed ?? 0);
    const steps = options.steps ?? 1000;
    let top: Samples;
    if (options.start === undefined) {
      top = await this.top.sample(count, { steps, seed: rng.seed() });
    } else {
      if (options.start.rows !== count) throw new Error(`sample: ${options.start.rows} start rows for ${count} chains`);
      const below = this.rbms.length - 1;
      const start = below === 0 ? options.start : await this.sampleUp(options.start, below, rng.seed());
      top = await this.top.gibbs(start, { steps, seed: rng.seed() });
    }
    if (this.rbms.length === 1) return top;
    const below = this.rbms.length - 1;
    return this.engine.withProgram(downPassGraph(this.sizes, below, rng.seed()), async (program) => {
      const out = await mapRows(this.engine, program, this.parameterFeeds(0, below), names.input, top.samples, [names.mean, names.sample]);
      return { samples: out[names.sample], means: out[names.mean] };
    });
  }

  /**
   * Reconstructions [rows, nVisible] of the rows of v: the up-pass of means to the top layer, then the
   * down-pass of means E[h_l | h_{l+1}] to v; and their squared errors sum_i (v_i - r_i)^2 [rows].
   */
  async reconstruct(v: Matrix): Promise<Reconstruction> {
    checkVisibleRows(this, v);
    const program = await this.engine.compile(reconstructionGraph(this.sizes));
    const out = await mapRows(this.engine, program, this.parameterFeeds(), names.input, v, [names.mean, names.squaredError]);
    return { reconstructions: out[names.mean], squaredErrors: out[names.squaredError].data };
  }
}

/** RBMs 0 .. count - 1 of the stack as graph inputs weights_l, visible_bias_l, hidden_bias_l (Bernoulli units). */
function stackInputs(g: Graph, sizes: readonly number[], count: number): RbmValues[] {
  return Array.from({ length: count }, (_, l) => parameterInputs(g, sizes[l], sizes[l + 1], { visible: bernoulli, hidden: bernoulli }, `_${l}`));
}

/** The up-pass from x [rows, n_0] through the RBMs of `stack`: means E[h | below], or draws h ~ q(h | below), fed upward. */
function upPass(x: Value, stack: readonly RbmValues[], what: 'mean' | 'sample'): Value {
  for (const rbm of stack) x = what === 'mean' ? rbm.hidden.mean(hiddenField(rbm, x)) : sampleHidden(rbm, x).sample;
  return x;
}

/**
 * The down-pass from h [rows, n_top] through the visible conditionals of the RBMs of `stack`, top first: means
 * E[h_l | h_{l+1}] fed downward, or draws; returns the bottom layer's mean and what was fed (the draw or mean).
 */
function downPass(h: Value, stack: readonly RbmValues[], what: 'mean' | 'sample'): { mean: Value; fed: Value } {
  let mean = h;
  for (const rbm of [...stack].reverse()) {
    if (what === 'mean') h = mean = visibleMean(rbm, h);
    else ({ mean, sample: h } = sampleVisible(rbm, h));
  }
  return { mean, fed: h };
}

/** input [rows, sizes[0]] -> mean: the up-pass of means to the top, then the down-pass of means; squared_error [rows]. */
function reconstructionGraph(sizes: readonly number[]): Graph {
  const g = new Graph(`dbn-reconstruction-${sizes.length - 1}`);
  const v = g.input(names.input, 'float32', ['rows', sizes[0]]);
  const stack = stackInputs(g, sizes, sizes.length - 1);
  const { mean } = downPass(upPass(v, stack, 'mean'), stack, 'mean');
  g.output(names.mean, mean);
  g.output(names.squaredError, squaredError(v, mean));
  return g;
}

/**
 * The up-pass through the first `layers` RBMs: input [rows, sizes[0]] -> mean (E[h | below] fed upward) or
 * sample (a draw h ~ q(h | below) fed upward) [rows, sizes[layers]]. Inputs weights_l, visible_bias_l, hidden_bias_l.
 */
function upPassGraph(sizes: readonly number[], layers: number, what: 'mean' | 'sample', seed: number): Graph {
  const g = new Graph(`dbn-up-${what}-${layers}`, seed);
  const v = g.input(names.input, 'float32', ['rows', sizes[0]]);
  g.output(what === 'mean' ? names.mean : names.sample, upPass(v, stackInputs(g, sizes, layers), what));
  return g;
}

/**
 * The down-pass from h_below [rows, sizes[below]] through the visible conditionals of RBMs below - 1 .. 0:
 * -> sample (v drawn) and mean (E[v | h_1]) [rows, sizes[0]]. Inputs weights_l, visible_bias_l, hidden_bias_l.
 */
function downPassGraph(sizes: readonly number[], below: number, seed: number): Graph {
  const g = new Graph(`dbn-down-${below}`, seed);
  const h = g.input(names.input, 'float32', ['rows', sizes[below]]);
  const { mean, fed } = downPass(h, stackInputs(g, sizes, below), 'sample');
  g.output(names.sample, fed);
  g.output(names.mean, mean);
  return g;
}

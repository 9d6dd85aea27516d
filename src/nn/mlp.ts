import { UserError } from '../errors.js';
import { Graph, type Value } from '../graph/graph.js';
import { checkFiniteRows } from '../models/model.js';
import type { RBM } from '../models/rbm.js';
import { RandomStream } from '../random/stream.js';
import type { Engine, TensorMap } from '../runtime/engine.js';
import { mapRows } from '../runtime/rows.js';
import type { Matrix } from '../tensor/matrix.js';
import { isBinary } from '../units/index.js';
import { dense, type Activation } from './layers.js';

/** One dense layer's parameters on the host: weights [nIn * nOut] row-major ([nIn, nOut]), bias [nOut]. */
export interface DenseLayer {
  readonly nIn: number;
  readonly nOut: number;
  readonly activation: Activation;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

/** The parameters of layer i as graph inputs (and tensor names in model files): weights_i, bias_i. */
export const layerNames = (i: number): { weights: string; bias: string } => ({ weights: `weights_${i}`, bias: `bias_${i}` });

/** A layer's parameters as graph values. */
export interface LayerValues {
  readonly weights: Value;
  readonly bias: Value;
  readonly activation: Activation;
}

/** Declare the parameters of `layers` as graph inputs weights_i [nIn, nOut], bias_i [nOut]. */
export function layerInputs(g: Graph, layers: readonly Pick<DenseLayer, 'nIn' | 'nOut' | 'activation'>[]): LayerValues[] {
  return layers.map((l, i) => ({
    weights: g.input(layerNames(i).weights, 'float32', [l.nIn, l.nOut]),
    bias: g.input(layerNames(i).bias, 'float32', [l.nOut]),
    activation: l.activation,
  }));
}

/** The network's output for x [rows, nIn]: the layers applied in turn. */
export function mlpForward(x: Value, layers: readonly LayerValues[]): Value {
  return layers.reduce((h, l) => dense(h, l.weights, l.bias, l.activation), x);
}

export interface MlpCreateOptions {
  /** Units per layer, input first, output (the classes) last: [784, 500, 10]. */
  readonly sizes: readonly number[];
  /** Activation of the hidden layers (default 'sigmoid'); the output layer is linear (logits). */
  readonly activation?: Activation;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
}

export interface FromRbmsOptions {
  /** Sizes of hidden layers added above the RBMs' (default none). */
  readonly hiddenLayers?: readonly number[];
  /** Activation of the added hidden layers (default 'sigmoid', as the RBMs' Bernoulli hidden units). */
  readonly activation?: Activation;
  /** Seed of the new layers' initial weights (default 0). */
  readonly seed?: number;
}

/** Throws a UserError unless `x` (`what`, for the message) has at least one row, `nInputs` values per row, and finite values only. */
export function checkInputs(x: Matrix, nInputs: number, what = 'data'): void {
  if (x.cols !== nInputs) throw new UserError(`${what} has ${x.cols} features per example but the network takes ${nInputs}`);
  checkFiniteRows(x, what);
}

/**
 * A feed-forward network of dense layers (a multilayer perceptron) whose last layer gives class logits.
 * Holds its parameters on the host and an engine to run its graphs; verbs take one example per row.
 */
export class Mlp {
  constructor(
    readonly engine: Engine,
    readonly layers: readonly DenseLayer[],
  ) {
    if (layers.length === 0) throw new Error('an MLP needs at least one layer');
    layers.forEach((l, i) => {
      if (l.weights.length !== l.nIn * l.nOut || l.bias.length !== l.nOut) throw new Error(`layer ${i}: parameters do not match ${l.nIn} x ${l.nOut}`);
      if (i > 0 && layers[i - 1].nOut !== l.nIn) throw new Error(`layer ${i} takes ${l.nIn} inputs but layer ${i - 1} gives ${layers[i - 1].nOut}`);
    });
  }

  /**
   * A fresh network: uniform weights in +-sqrt(6 / (nIn + nOut)) (Glorot and Bengio; 4 times that for
   * sigmoid layers, +-sqrt(6 / nIn) for ReLU), biases 0.
   */
  static create(engine: Engine, options: MlpCreateOptions): Mlp {
    const { sizes, activation = 'sigmoid', seed = 0 } = options;
    if (sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) throw new RangeError(`sizes must be 2 or more positive integers, got [${sizes.join(', ')}]`);
    const rng = new RandomStream(seed);
    const layers = sizes.slice(1).map((nOut, i) => randomLayer(rng, sizes[i], nOut, i === sizes.length - 2 ? 'linear' : activation));
    return new Mlp(engine, layers);
  }

  /**
   * A network initialised from a stack of RBMs (bottom first): each RBM's weights and hidden biases become
   * a sigmoid layer computing E[h | v]; then the `hiddenLayers`, then a fresh linear output layer of
   * `nClasses` logits. The RBMs' parameters are copied.
   */
  static fromRbms(engine: Engine, rbms: readonly RBM[], nClasses: number, options: FromRbmsOptions = {}): Mlp {
    if (rbms.length === 0) throw new Error('fromRbms: give at least one RBM');
    rbms.forEach((r, i) => {
      if (!isBinary(r.hidden)) throw new Error(`fromRbms: RBM ${i} has ${String(r.hidden.name)} hidden units; only Bernoulli (sigmoid) ones map to a layer`);
      if (i > 0 && rbms[i - 1].nHidden !== r.nVisible) throw new Error(`fromRbms: RBM ${i} has ${r.nVisible} visible units but RBM ${i - 1} has ${rbms[i - 1].nHidden} hidden`);
    });
    const layers: DenseLayer[] = rbms.map((r) => ({
      nIn: r.nVisible,
      nOut: r.nHidden,
      activation: 'sigmoid',
      weights: r.params.weights.slice(),
      bias: r.params.hiddenBias.slice(),
    }));
    return Mlp.withHead(engine, layers, nClasses, options);
  }

  /** A network of the given (pretrained) `layers`, then the `hiddenLayers` and a fresh linear output layer of `nClasses` logits. */
  static withHead(engine: Engine, layers: readonly DenseLayer[], nClasses: number, options: FromRbmsOptions = {}): Mlp {
    const { hiddenLayers = [], activation = 'sigmoid', seed = 0 } = options;
    const rng = new RandomStream(seed);
    const sizes = [layers[layers.length - 1].nOut, ...hiddenLayers, nClasses];
    const head = sizes.slice(1).map((nOut, i) => randomLayer(rng, sizes[i], nOut, i === sizes.length - 2 ? 'linear' : activation));
    return new Mlp(engine, [...layers, ...head]);
  }

  /** Units per layer, input first. */
  get sizes(): number[] {
    return [this.layers[0].nIn, ...this.layers.map((l) => l.nOut)];
  }

  get nInputs(): number {
    return this.layers[0].nIn;
  }

  get nClasses(): number {
    return this.layers[this.layers.length - 1].nOut;
  }

  /** The parameters as engine tensors, fed by their names (weights_i, bias_i). */
  parameterFeeds(): TensorMap {
    const feeds: TensorMap = {};
    this.layers.forEach((l, i) => {
      feeds[layerNames(i).weights] = this.engine.float32(l.weights, [l.nIn, l.nOut]);
      feeds[layerNames(i).bias] = this.engine.float32(l.bias, [l.nOut]);
    });
    return feeds;
  }

  /** The class logits of each row of x: [rows, nInputs] -> [rows, nClasses]. */
  async logits(x: Matrix): Promise<Matrix> {
    checkInputs(x, this.nInputs);
    const g = new Graph('mlp-logits');
    const input = g.input('x', 'float32', ['rows', this.nInputs]);
    g.output('logits', mlpForward(input, layerInputs(g, this.layers)));
    const program = await this.engine.compile(g);
    return (await mapRows(this.engine, program, this.parameterFeeds(), 'x', x, ['logits'])).logits;
  }

  /** The most likely class of each row (the first at ties). */
  async predict(x: Matrix): Promise<Int32Array> {
    const z = await this.logits(x);
    const out = new Int32Array(z.rows);
    for (let r = 0; r < z.rows; r++) {
      let best = 0;
      for (let k = 1; k < z.cols; k++) if (z.data[r * z.cols + k] > z.data[r * z.cols + best]) best = k;
      out[r] = best;
    }
    return out;
  }

  /** The fraction of rows of x whose predicted class is not their label. */
  async errorRate(x: Matrix, labels: ArrayLike<number>): Promise<number> {
    if (labels.length !== x.rows) throw new Error(`${labels.length} labels for ${x.rows} examples`);
    const predicted = await this.predict(x);
    let wrong = 0;
    for (let r = 0; r < x.rows; r++) if (predicted[r] !== labels[r]) wrong++;
    return wrong / x.rows;
  }
}

function randomLayer(rng: RandomStream, nIn: number, nOut: number, activation: Activation): DenseLayer {
  const glorot = Math.sqrt(6 / (nIn + nOut));
  const limit = activation === 'sigmoid' ? 4 * glorot : activation === 'relu' ? Math.sqrt(6 / nIn) : glorot;
  const weights = Float32Array.from({ length: nIn * nOut }, () => limit * (2 * rng.uniform() - 1));
  return { nIn, nOut, activation, weights, bias: new Float32Array(nOut) };
}

/**
 * The multi-prediction deep Boltzmann machine (Goodfellow et al. 2013; Deep Learning 20.4.5): a DBM with a
 * label layer on its top hidden layer (mp-dbm-graph.ts), used through mean-field inference: given any pixels,
 * Q(y) classifies and Q(v) fills in the others, with the inference procedure that multi-prediction training
 * (training/fit-mp-dbm.ts) unrolls. As a generative model of v the label is inferred too.
 */
import { nextName } from '../graph/state.js';
import { RandomStream } from '../random/stream.js';
import type { Engine, TensorMap } from '../runtime/engine.js';
import { mapRowsOf } from '../runtime/rows.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { bernoulli } from '../units/bernoulli.js';
import { UserError } from '../errors.js';
import { classRbmNames } from './class-rbm-graph.js';
import { mostProbable, type LabelParameters } from './class-rbm.js';
import { DBM } from './dbm.js';
import { checkValues } from './limits.js';
import { checkVisibleRows, type GenerativeModel, type ModelDescription, type Reconstruction, type SampleOptions, type Samples } from './model.js';
import { layerSize, mpDbmGibbsGraph, mpDbmInferenceGraph, mpDbmNames, type MpDbmShape } from './mp-dbm-graph.js';
import { gibbsRuns } from './rbm.js';

/** Mean-field sweeps after the up-pass when a verb is not told otherwise (as training's default). */
export const MP_DBM_MEAN_FIELD_SWEEPS = 10;

export interface MpDbmCreateOptions {
  /** Units per layer, visible first, 2 or more hidden layers: [784, 500, 1000]. */
  readonly sizes: readonly number[];
  /** Classes K, 2 or more. */
  readonly nClasses: number;
  readonly seed?: number;
  /** Standard deviation of the initial weights (default 0.01). */
  readonly weightScale?: number;
}

/** A multi-prediction DBM: `dbm` holds the W_l and b_l, `labels` U [n_L, K] and d [K]. */
export class MpDBM implements GenerativeModel {
  readonly kind = 'mp-dbm';
  readonly visible = bernoulli;
  readonly nClasses: number;

  constructor(
    readonly dbm: DBM,
    readonly labels: LabelParameters,
  ) {
    this.nClasses = labels.labelBias.length;
    if (!(this.nClasses >= 2)) throw new RangeError(`a multi-prediction DBM needs 2 or more classes, got ${this.nClasses}`);
    const top = dbm.sizes.at(-1)!;
    if (labels.labelWeights.length !== top * this.nClasses) throw new Error(`${classRbmNames.labelWeights} has ${labels.labelWeights.length} values, expected ${top} x ${this.nClasses}`);
  }

  /** A fresh model: every weight N(0, weightScale^2), biases 0. */
  static create(engine: Engine, options: MpDbmCreateOptions): MpDBM {
    const { sizes, nClasses, seed = 0, weightScale = 0.01 } = options;
    const top = sizes.at(-1)!;
    checkValues(`the label weights of ${top} hidden units x ${nClasses} classes`, top, nClasses);
    const dbm = DBM.create(engine, { sizes, seed, weightScale });
    const rng = new RandomStream(seed ^ 0x5bd1e995); // a stream of its own, beside the one of the DBM's weights
    const labelWeights = Float32Array.from({ length: top * nClasses }, () => weightScale * rng.normal());
    return new MpDBM(dbm, { labelWeights, labelBias: new Float32Array(nClasses) });
  }

  get engine(): Engine {
    return this.dbm.engine;
  }

  get nVisible(): number {
    return this.dbm.nVisible;
  }

  get sizes(): readonly number[] {
    return this.dbm.sizes;
  }

  get epochsTrained(): number {
    return this.dbm.epochsTrained;
  }

  set epochsTrained(epochs: number) {
    this.dbm.epochsTrained = epochs;
  }

  /** What fixes the shape of its graphs. */
  get shape(): MpDbmShape {
    return { sizes: this.sizes, nClasses: this.nClasses };
  }

  /**
   * The DBM of v and h given y = `label`: the top hidden bias b_L + U_{:,label}, the same weights and other
   * biases; p(v | y) is its marginal (d_label is a constant given the class).
   */
  givenClass(label: number): DBM {
    if (!(Number.isInteger(label) && label >= 0 && label < this.nClasses)) throw new UserError(`class ${label}: this model has classes 0 to ${this.nClasses - 1}`);
    const { weights, biases } = this.dbm.params;
    const top = biases.at(-1)!;
    const shifted = top.map((b, j) => b + this.labels.labelWeights[j * this.nClasses + label]);
    const dbm = new DBM(this.engine, this.sizes, { weights, biases: [...biases.slice(0, -1), shifted] });
    dbm.epochsTrained = this.epochsTrained;
    return dbm;
  }

  /** Every parameter as engine tensors, by file name. */
  parameterFeeds(): TensorMap {
    return {
      ...this.dbm.parameterFeeds(),
      [classRbmNames.labelWeights]: this.engine.float32(this.labels.labelWeights, [this.sizes.at(-1)!, this.nClasses]),
      [classRbmNames.labelBias]: this.engine.float32(this.labels.labelBias, [this.nClasses]),
    };
  }

  describe(): ModelDescription {
    const { tensors } = this.dbm.describe();
    return {
      summary: { kind: this.kind, layers: this.sizes, classes: this.nClasses, epochsTrained: this.epochsTrained },
      title: `multi-prediction DBM ${this.sizes.join('-')} with ${this.nClasses} classes (Bernoulli), ${this.epochsTrained} epochs trained`,
      tensors: { ...tensors, [classRbmNames.labelWeights]: this.labels.labelWeights, [classRbmNames.labelBias]: this.labels.labelBias },
    };
  }

  /**
   * Mean-field inference on the rows of v [rows, n_0] with the pixels of `observed` (1: seen, 0: missing;
   * absent: all seen) and the label free, `iterations` sweeps: the outputs of mpDbmInferenceGraph as matrices.
   */
  async infer(v: Matrix, options: { observed?: Matrix; iterations?: number } = {}): Promise<Record<string, Matrix>> {
    const { observed, iterations = MP_DBM_MEAN_FIELD_SWEEPS } = options;
    checkVisibleRows(this, v);
    if (observed !== undefined && (observed.rows !== v.rows || observed.cols !== v.cols)) throw new UserError(`observed: a mask of ${observed.rows} x ${observed.cols} for data of ${v.rows} x ${v.cols}`);
    const program = await this.engine.compile(mpDbmInferenceGraph(this.shape, iterations, observed !== undefined));
    const inputs: Record<string, Matrix> = observed === undefined ? { [mpDbmNames.visible]: v } : { [mpDbmNames.visible]: v, [mpDbmNames.observed]: observed };
    const outputs = [mpDbmNames.classLogProbabilities, mpDbmNames.visibleMeans, mpDbmNames.features, mpDbmNames.reconstruction, mpDbmNames.squaredError];
    return mapRowsOf(this.engine, program, this.parameterFeeds(), inputs, outputs);
  }

  /** log Q(y = k) after mean field on the seen pixels of each row: [rows, K]. */
  async classLogProbabilities(v: Matrix, observed?: Matrix): Promise<Matrix> {
    return (await this.infer(v, { observed }))[mpDbmNames.classLogProbabilities];
  }

  /** The most probable class of each row under Q(y), given its seen pixels. */
  async predict(v: Matrix, observed?: Matrix): Promise<Int32Array> {
    const logQ = await this.classLogProbabilities(v, observed);
    return Int32Array.from({ length: v.rows }, (_, r) => mostProbable(logQ.data.subarray(r * this.nClasses, (r + 1) * this.nClasses)));
  }

  /** Q(v) of each row: its seen pixels, and the mean-field means of the missing ones. [rows, n_0]. */
  async fillIn(v: Matrix, observed: Matrix): Promise<Matrix> {
    return (await this.infer(v, { observed }))[mpDbmNames.visibleMeans];
  }

  /** Features: the top hidden layer's mean-field means, the label inferred. */
  async transform(v: Matrix): Promise<Matrix> {
    return (await this.infer(v))[mpDbmNames.features];
  }

  /** Reconstructions E[v | mu_1] after mean field on v, and their squared errors. */
  async reconstruct(v: Matrix): Promise<Reconstruction> {
    const out = await this.infer(v);
    return { reconstructions: out[mpDbmNames.reconstruction], squaredErrors: out[mpDbmNames.squaredError].data };
  }

  /**
   * `count` samples of v by block Gibbs sampling of the whole chain [v, h, y]: its even layers start at the
   * rows of `start` (v) and at uniform random binary states (the hidden ones; v too without `start`).
   */
  async sample(count: number, options: SampleOptions = {}): Promise<Samples> {
    const { start, steps = 1000, seed = 0 } = options;
    if (start !== undefined && start.rows !== count) throw new Error(`sample: ${start.rows} start rows for ${count} chains`);
    if (start !== undefined) checkVisibleRows(this, start, 'start');
    const rng = new RandomStream(seed);
    const layers = this.sizes.length + 1;
    const states = new Map<number, Float32Array>();
    for (let l = 0; l < layers; l += 2) {
      const random = (): Float32Array => Float32Array.from({ length: count * layerSize(this.shape, l) }, () => Number(rng.uniform() < 0.5));
      states.set(l, l === 0 && start !== undefined ? start.data : l === layers - 1 ? oneHots(count, this.nClasses, rng) : random());
    }
    let means = states.get(0)!;
    for (const { stepsPerRun, count: runs } of gibbsRuns(steps)) {
      await this.engine.withProgram(mpDbmGibbsGraph(this.shape, stepsPerRun, rng.seed()), async (program) => {
        for (let i = 0; i < runs; i++) {
          const feeds: TensorMap = { ...this.parameterFeeds() };
          for (const [l, x] of states) feeds[mpDbmNames.state(l)] = this.engine.float32(x, [count, layerSize(this.shape, l)]);
          const out = await program.run(feeds);
          for (const l of states.keys()) states.set(l, out[nextName(mpDbmNames.state(l))].data as Float32Array);
          means = out[mpDbmNames.visibleMean].data as Float32Array;
        }
      });
    }
    return { samples: matrix(states.get(0)!, count, this.nVisible), means: matrix(means, count, this.nVisible) };
  }
}

/** `count` one-hot rows of K classes drawn uniformly: [count * K]. */
function oneHots(count: number, k: number, rng: RandomStream): Float32Array {
  const out = new Float32Array(count * k);
  for (let r = 0; r < count; r++) out[r * k + rng.int(0, k - 1)] = 1;
  return out;
}

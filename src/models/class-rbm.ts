/**
 * The classification RBM (Larochelle & Bengio 2008; Deep Learning 20.8): an RBM of x and h with a label layer
 * y, one softmax group of K classes, coupled to h (class-rbm-graph.ts for the energy and the math). It models
 * the joint p(x, y): p(y | x) is exact (K terms), and given the class it is the RBM of x and h whose hidden
 * bias is c + U_{:,k} (`givenClass`), so p(x | y = k) is that RBM's marginal and the RBM's estimators and
 * samplers apply to it. As a generative model of x (the vocabulary of model.ts) the class is summed out.
 */
import type { Graph } from '../graph/graph.js';
import { RandomStream } from '../random/stream.js';
import type { Engine, TensorMap } from '../runtime/engine.js';
import { mapRows } from '../runtime/rows.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { UserError } from '../errors.js';
import type { UnitType } from '../units/unit-type.js';
import { classGibbsGraph, classHiddenMeanGraph, classInferenceNames, classProbabilityGraph, classRbmNames, classReconstructionGraph, type ClassRbmShape } from './class-rbm-graph.js';
import { checkValues } from './limits.js';
import { checkVisibleRows, type GenerativeModel, type ModelDescription, type Reconstruction, type SampleOptions, type Samples } from './model.js';
import { gibbsRuns, RBM, type CreateOptions } from './rbm.js';

/** The label layer's parameters: U [nHidden * K] row-major and d [K]. */
export interface LabelParameters {
  readonly labelWeights: Float32Array;
  readonly labelBias: Float32Array;
}

export interface ClassRbmCreateOptions extends CreateOptions {
  /** Classes K, 2 or more. */
  readonly nClasses: number;
}

/** A classification RBM: `rbm` holds W, b and c (and a learned visible std), `labels` U and d. */
export class ClassRBM implements GenerativeModel {
  readonly kind = 'class-rbm';
  readonly nClasses: number;

  constructor(
    readonly rbm: RBM,
    readonly labels: LabelParameters,
  ) {
    this.nClasses = labels.labelBias.length;
    if (!(this.nClasses >= 2)) throw new RangeError(`a classification RBM needs 2 or more classes, got ${this.nClasses}`);
    if (labels.labelWeights.length !== rbm.nHidden * this.nClasses) {
      throw new Error(`${classRbmNames.labelWeights} has ${labels.labelWeights.length} values, expected ${rbm.nHidden} x ${this.nClasses}`);
    }
  }

  /** A fresh classification RBM: every weight N(0, weightScale^2), biases 0. */
  static create(engine: Engine, options: ClassRbmCreateOptions): ClassRBM {
    const { nHidden, nClasses, seed = 0, weightScale = 0.01 } = options;
    checkValues(`the label weights of ${nHidden} hidden units x ${nClasses} classes`, nHidden, nClasses);
    const rbm = RBM.create(engine, options);
    const rng = new RandomStream(seed ^ 0x5bd1e995); // a stream of its own, beside the one of the RBM's weights
    const labelWeights = Float32Array.from({ length: nHidden * nClasses }, () => weightScale * rng.normal());
    return new ClassRBM(rbm, { labelWeights, labelBias: new Float32Array(nClasses) });
  }

  get engine(): Engine {
    return this.rbm.engine;
  }

  get nVisible(): number {
    return this.rbm.nVisible;
  }

  get nHidden(): number {
    return this.rbm.nHidden;
  }

  get visible(): UnitType {
    return this.rbm.visible;
  }

  get epochsTrained(): number {
    return this.rbm.epochsTrained;
  }

  set epochsTrained(epochs: number) {
    this.rbm.epochsTrained = epochs;
  }

  /** What fixes the shape of its graphs. */
  get shape(): ClassRbmShape {
    const { nVisible, nHidden, visible, hidden } = this.rbm;
    return { nVisible, nHidden, visible, hidden, nClasses: this.nClasses };
  }

  /** Every parameter as engine tensors, by file name. */
  parameterFeeds(): TensorMap {
    return {
      ...this.rbm.parameterFeeds(),
      [classRbmNames.labelWeights]: this.engine.float32(this.labels.labelWeights, [this.nHidden, this.nClasses]),
      [classRbmNames.labelBias]: this.engine.float32(this.labels.labelBias, [this.nClasses]),
    };
  }

  /** The RBM of x and h given y = `label`: hidden bias c + U_{:,label}, the same W, b (and std); p(x | y) is its marginal. */
  givenClass(label: number): RBM {
    if (!(Number.isInteger(label) && label >= 0 && label < this.nClasses)) throw new UserError(`class ${label}: this model has classes 0 to ${this.nClasses - 1}`);
    const { weights, visibleBias, hiddenBias, visibleLogStd } = this.rbm.params;
    const shifted = hiddenBias.map((c, j) => c + this.labels.labelWeights[j * this.nClasses + label]);
    const rbm = new RBM(this.engine, this.rbm, { weights, visibleBias, hiddenBias: shifted, ...(visibleLogStd && { visibleLogStd }) });
    rbm.epochsTrained = this.epochsTrained;
    return rbm;
  }

  /** log p(y = k | x) for each row of x [rows, nVisible] and class: [rows, K]. */
  async classLogProbabilities(x: Matrix): Promise<Matrix> {
    return (await this.mapVisible(classProbabilityGraph(this.shape), x, [classInferenceNames.classLogProbabilities]))[classInferenceNames.classLogProbabilities];
  }

  /** The most probable class of each row of x: argmax_k p(y = k | x). */
  async predict(x: Matrix): Promise<Int32Array> {
    const logP = await this.classLogProbabilities(x);
    return Int32Array.from({ length: x.rows }, (_, r) => mostProbable(logP.data.subarray(r * this.nClasses, (r + 1) * this.nClasses)));
  }

  /** Features: E[h | x] = sum_k p(k | x) E[h | x, k] for each row of x: [rows, nHidden]. */
  async transform(x: Matrix): Promise<Matrix> {
    return (await this.mapVisible(classHiddenMeanGraph(this.shape), x, [classInferenceNames.hiddenMean]))[classInferenceNames.hiddenMean];
  }

  /** Reconstructions E[x | h = E[h | x]] (the class summed out in E[h | x]) and their squared errors. */
  async reconstruct(x: Matrix): Promise<Reconstruction> {
    const out = await this.mapVisible(classReconstructionGraph(this.shape), x, [classInferenceNames.reconstruction, classInferenceNames.squaredError]);
    return { reconstructions: out[classInferenceNames.reconstruction], squaredErrors: out[classInferenceNames.squaredError].data };
  }

  /**
   * `count` samples of x from the joint chain of (x, y): block Gibbs sweeps h | x, y then x, y | h, started at
   * the rows of `start` (else uniform random binary states) and at classes drawn uniformly.
   */
  async sample(count: number, options: SampleOptions = {}): Promise<Samples> {
    const { start, steps = 1000, seed = 0 } = options;
    if (start !== undefined && start.rows !== count) throw new Error(`sample: ${start.rows} start rows for ${count} chains`);
    if (start !== undefined) checkVisibleRows(this, start, 'start');
    const rng = new RandomStream(seed);
    let visible: Float32Array = start?.data ?? Float32Array.from({ length: count * this.nVisible }, () => Number(rng.uniform() < 0.5));
    let label: Float32Array = new Float32Array(count * this.nClasses);
    for (let r = 0; r < count; r++) label[r * this.nClasses + rng.int(0, this.nClasses - 1)] = 1;
    let means = visible;
    for (const { stepsPerRun, count: runs } of gibbsRuns(steps)) {
      await this.engine.withProgram(classGibbsGraph(this.shape, stepsPerRun, rng.seed()), async (program) => {
        for (let i = 0; i < runs; i++) {
          const out = await program.run({
            ...this.parameterFeeds(),
            [classInferenceNames.visible]: this.engine.float32(visible, [count, this.nVisible]),
            [classInferenceNames.label]: this.engine.float32(label, [count, this.nClasses]),
          });
          visible = out[classInferenceNames.visibleSample].data as Float32Array;
          label = out[classInferenceNames.labelSample].data as Float32Array;
          means = out[classInferenceNames.visibleMean].data as Float32Array;
        }
      });
    }
    return { samples: matrix(visible, count, this.nVisible), means: matrix(means, count, this.nVisible) };
  }

  describe(): ModelDescription {
    const rbm = this.rbm.describe();
    const { nVisible, nHidden, visible, hidden } = this.rbm;
    return {
      summary: { kind: this.kind, nVisible, nHidden, nClasses: this.nClasses, visible: visible.name, hidden: hidden.name, epochsTrained: this.epochsTrained },
      title: `classification RBM ${nVisible} ${visible.name} visible + ${this.nClasses} classes x ${nHidden} ${hidden.name} hidden, ${this.epochsTrained} epochs trained`,
      tensors: { ...rbm.tensors, [classRbmNames.labelWeights]: this.labels.labelWeights, [classRbmNames.labelBias]: this.labels.labelBias },
    };
  }

  /** The outputs `names` of `graph` run on the rows of x, by name. */
  private async mapVisible(graph: Graph, x: Matrix, names: readonly string[]): Promise<Record<string, Matrix>> {
    checkVisibleRows(this, x);
    return mapRows(this.engine, await this.engine.compile(graph), this.parameterFeeds(), classInferenceNames.visible, x, names);
  }
}

/** The index of the largest of the values (the first, on a tie). */
export const mostProbable = (values: ArrayLike<number>): number => {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
};

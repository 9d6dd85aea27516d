/**
 * The vocabulary every generative model answers (scikit-learn's verbs, torch.distributions' fixed names and
 * shapes): features, reconstructions and samples of visible rows [rows, nVisible], whatever the model's kind.
 * Log-likelihoods, which need an estimator, are `score` in src/estimators; files are the codecs of src/io,
 * registered by kind.
 */
import { UserError } from '../errors.js';
import type { Engine } from '../runtime/engine.js';
import type { Matrix } from '../tensor/matrix.js';
import type { UnitType } from '../units/unit-type.js';

/** The kinds of model, as model files name them (metadata `kind`). */
export type ModelKind = 'rbm' | 'dbn' | 'dbm' | 'class-rbm' | 'gated-rbm' | 'mp-dbm';

export interface SampleOptions {
  /** Markov chain steps (block Gibbs sweeps; default 1000). */
  readonly steps?: number;
  /** Seed of the chains' randomness (default 0). */
  readonly seed?: number;
  /**
   * Visible rows [count, nVisible] to start the chains from (e.g. training examples; each model says how it
   * carries them into its chains); default: uniform random binary states.
   */
  readonly start?: Matrix;
}

/** The end of a sampling run: the chains' visible draws and the means E[v | rest] of their last step, [count, nVisible]. */
export interface Samples {
  readonly samples: Matrix;
  readonly means: Matrix;
}

/** Reconstructions [rows, nVisible] of visible rows and their squared errors sum_i (v_i - r_i)^2 [rows]. */
export interface Reconstruction {
  readonly reconstructions: Matrix;
  readonly squaredErrors: Float32Array;
}

/** What `inspect` says of a model: facts for JSON, a one-line title, and every parameter tensor by its file name. */
export interface ModelDescription {
  readonly summary: Readonly<Record<string, unknown>>;
  readonly title: string;
  readonly tensors: Readonly<Record<string, Float32Array>>;
}

/** A generative model of visible rows: the verbs of the command line and the viewer. */
export interface GenerativeModel {
  readonly kind: ModelKind;
  readonly engine: Engine;
  readonly nVisible: number;
  /** The visible units: what data the model takes (support, binarisation). */
  readonly visible: UnitType;
  /** Features of each row of v: the posterior means of the top (or only) hidden layer, [rows, nFeatures]. */
  transform(v: Matrix): Promise<Matrix>;
  /** Deterministic reconstructions of each row of v through the hidden layers and back. */
  reconstruct(v: Matrix): Promise<Reconstruction>;
  /** `count` samples of the visible layer by running the model's Markov chain. */
  sample(count: number, options?: SampleOptions): Promise<Samples>;
  /** Kind, sizes, unit types, epochs and parameter tensors (by file name). */
  describe(): ModelDescription;
}

/** A model with a label layer (a classification RBM, a multi-prediction DBM): the model of the visible units given each class. */
export interface ClassConditional {
  readonly nClasses: number;
  /** The model of the visible units given the class `label` (0 .. nClasses - 1; else a UserError). */
  givenClass(label: number): GenerativeModel;
}

/** Whether `model` has a label layer. */
export const hasClasses = (model: GenerativeModel): model is GenerativeModel & ClassConditional => 'givenClass' in model;

/**
 * Throws a UserError unless `m` (`what`: "data", "start", for the message) has at least one row, one value per
 * visible unit of `model` and finite values only.
 */
export function checkVisibleRows(model: { readonly nVisible: number }, m: Matrix, what = 'data'): void {
  if (m.cols !== model.nVisible) throw new UserError(`${what} has ${m.cols} features per example but the model has ${model.nVisible} visible units`);
  checkFiniteRows(m, what);
}

/** Throws a UserError unless `m` (`what`, for the message) has at least one row and finite values only. */
export function checkFiniteRows(m: Matrix, what = 'data'): void {
  if (m.rows === 0) throw new UserError(`${what} has no examples`);
  const i = m.data.findIndex((x) => !Number.isFinite(x));
  if (i >= 0) throw new UserError(`${what}: example ${Math.floor(i / m.cols)}, feature ${i % m.cols} (0-based) is ${m.data[i]}, not a finite number`);
}

/**
 * The vocabulary every generative model answers (scikit-learn's verbs, torch.distributions' fixed names and
 * shapes): features, reconstructions and samples of visible rows [rows, nVisible], whatever the model's kind.
 * Log-likelihoods, which need an estimator, are `score` in src/estimators; files are the codecs of src/io,
 * registered by kind.
 */
import type { Engine } from '../runtime/engine.js';
import type { Matrix } from '../tensor/matrix.js';
import type { UnitType } from '../units/unit-type.js';

/** The kinds of model, as model files name them (metadata `kind`). */
export type ModelKind = 'rbm' | 'dbn' | 'dbm';

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

/** Throws unless the rows of `m` have one value per visible unit of `model`. */
export function checkVisibleWidth(model: { readonly nVisible: number }, m: Matrix): void {
  if (m.cols !== model.nVisible) throw new Error(`data has ${m.cols} features per example but the model has ${model.nVisible} visible units`);
}

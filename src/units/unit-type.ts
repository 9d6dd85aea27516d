import type { Value } from '../graph/graph.js';
import type { RandomStream } from '../random/stream.js';

/**
 * A type of unit: the per-unit term a(x) of the energy E = -sum_i a_i(x_i) - ... (with the unit's bias as
 * parameter), and what follows from it for a unit whose total input is `field` (bias plus coupling):
 * p(x | field) proportional to exp(a0(x) + x * field), where a0 is a(x) without its bias (the bias enters
 * linearly, a(x) = a0(x) + bias * x, so -dE/d bias = x for every type). Units come in groups of `groupSize`
 * (1 but for softmax groups, whose K units are one categorical variable). Graph functions: inputs and outputs
 * are [rows, units] values, except where said. Host functions (support, initial bias, noise) work on plain
 * numbers: the data a layer of these units takes.
 */
export interface UnitType {
  /** The name in model files and on the command line. */
  readonly name: UnitName;
  /** Units per group: the layer's size must be a multiple of it. */
  readonly groupSize: number;
  /** E[x | field], element-wise (within each group). */
  mean(field: Value): Value;
  /** A draw x ~ p(x | field), given also its mean (computed once by the caller). */
  sample(field: Value, mean: Value): Value;
  /**
   * log sum_x exp(a0(x) + x . field) per group, the group's contribution to -F when summed out:
   * [..., units] -> [..., units / groupSize] (any leading axes).
   */
  logPartition(field: Value): Value;
  /** sum_i a_i(x_i) for each row: the bias part of -E. x: [rows, units], bias: [units] -> [rows]. */
  biasTerm(x: Value, bias: Value): Value;

  /**
   * The two values of a two-state unit, low then high, with a0 = 0 on both (p(x | field) proportional to
   * exp(x field)); absent for continuous units and softmax groups. A layer of two-state units can be
   * enumerated (exact log Z); states [0, 1] are binary units (see `isBinary`).
   */
  readonly states?: readonly [number, number];
  /** The values data for these units may take, checked on the host. */
  readonly support: Support;
  /** --binarize's default for data of a visible layer of these units. */
  readonly binarization: 'stochastic' | 'none';
  /**
   * The bias a unit of a visible layer starts from, given the mean m of its data: the bias whose
   * E[x | field = bias] is m (Bernoulli log(m / (1 - m)), spin atanh(m), softmax log m_k, with m kept away from
   * the ends of the support; Gaussian m), or 0 where the unit type uses no such bias (ReLU).
   */
  initialBias(mean: number): number;
  /** A learned standard deviation per unit when these units are the visible layer (Gaussian units); absent: none. */
  readonly learnedStd?: LearnedStd;
  /** SGD's default learning rate for a visible layer of these units (Gaussian: 0.001); absent: the trainer's. */
  readonly learningRate?: number;
  /** Corrupt data x of a layer of these units (whole groups, in place) by noise of level p, 0 to 1, drawing from rng. */
  addNoise(x: Float32Array, p: number, rng: NoiseSource): void;
  /**
   * The evidence a noisy value x~ gives about the clean value x under `addNoise` at level p > 0 (for additive
   * noise, in units `scale` times the unit's own): field e and precision l with e x - l x^2 / 2 = log p(x~ | x) +
   * const (precision absent: 0). Per unit, also in groups. Absent when the noise has no such form (ReLU: clipped).
   */
  readonly noiseEvidence?: (noisy: number, p: number, scale: number) => NoiseEvidence;
}

/** The values data for a unit type may take: a test of each value, and of each group for groups of several. */
export interface Support {
  /** Whether x is a value of one unit. */
  contains(x: number): boolean;
  /**
   * What a `layer` of these units needs, for messages about a value outside: "spin visible units need values
   * -1 or +1".
   */
  need(layer: string): string;
  /**
   * For groups of several units: what is wrong with one group of values (each contained), or undefined, for
   * messages: "hold 2 ones, but softmax:3 visible units need exactly one per group".
   */
  groupFault?(group: ArrayLike<number>, layer: string): string | undefined;
}

/**
 * A learned standard deviation sigma = exp(s) per unit: the layer enters the couplings as x / sigma, and s is
 * a parameter (model-file tensor `visible_log_std`) kept within `logStdRange`.
 */
export interface LearnedStd {
  /** The range s = log sigma is kept in. */
  readonly logStdRange: { readonly min: number; readonly max: number };
  /** The s a unit starts from, given the standard deviation of its data: log std, within logStdRange. */
  initialLogStd(std: number): number;
}

/** The host randomness noise draws from. */
export type NoiseSource = Pick<RandomStream, 'uniform' | 'normal' | 'int'>;

/** Evidence about one unit from a noisy observation: a field and (for Gaussian units) a precision. */
export interface NoiseEvidence {
  readonly field: number;
  readonly precision?: number;
}

/** Unit types by name: softmax groups carry their size K, as in `softmax:4`, binomial units their trials N, as in `binomial:2`. */
export type UnitName = 'bernoulli' | 'spin' | 'gaussian' | 'relu' | `softmax:${number}` | `binomial:${number}`;

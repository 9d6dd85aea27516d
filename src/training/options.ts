import { UserError } from '../errors.js';
import type { SamplerName } from '../samplers/negative-phase.js';
import type { Matrix } from '../tensor/matrix.js';
import type { UnitType } from '../units/unit-type.js';
import { checkValues } from '../models/limits.js';

/** The update rule: SGD with momentum, or Adam (Kingma & Ba) with the decays of `adamDecays`. */
export type RbmOptimizerName = 'sgd' | 'adam';

/** How the learning rate changes over epochs: constant, or linearly down to 0 at the end of training. */
export type LearningRateSchedule = 'constant' | 'linear';

/** What the trainers by SGD with a constant momentum take (`fitDbm`, `fitClassRbm`): epochs, minibatches, the step's size and schedule, L2. */
export interface SgdTrainingOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly learningRateSchedule: LearningRateSchedule;
  readonly momentum: number;
  /** L2 penalty on the weights. */
  readonly weightDecay: number;
}

/**
 * Options of `fit`, with `defaultFitOptions`. The momentum schedule is Hinton's (initial, then final after
 * `momentumSwitchEpoch`); the defaults keep 0.5 throughout because 0.9 with persistent chains collapsed the
 * samples on the bundled digits (docs/results.md).
 */
export interface FitOptions {
  /** The epoch at which training ends: fit runs epochs - initialEpoch passes over the data. */
  readonly epochs: number;
  /**
   * The (0-based) epoch at which training starts; a resumed run passes the epochs its model has trained, so
   * that the schedules continue where they were. Velocities and persistent chains start afresh.
   */
  readonly initialEpoch: number;
  /** Examples per minibatch; the N mod batchSize examples left over after shuffling sit that epoch out. */
  readonly batchSize: number;
  readonly learningRate: number;
  readonly learningRateSchedule: LearningRateSchedule;
  /** Momentum for the first `momentumSwitchEpoch` epochs. */
  readonly initialMomentum: number;
  /** Momentum afterwards. */
  readonly finalMomentum: number;
  readonly momentumSwitchEpoch: number;
  /** L2 penalty coefficient on the weights. */
  readonly weightDecay: number;
  readonly sampler: SamplerName;
  /** Gibbs steps per negative phase (of the first epoch when kFinal is set). */
  readonly k: number;
  /** When set, k rises linearly from `k` in the first epoch to `kFinal` in the last (rounded). */
  readonly kFinal?: number;
  /** Persistent chains for PCD, FPCD and PT (per temperature). */
  readonly chains: number;
  /** PT: the number of temperatures of the ladder (see temperatureLadder). */
  readonly temperatures: number;
  /** FPCD: the learning rate of the fast weights (constant; absent: the initial learning rate). */
  readonly fastLearningRate?: number;
  /** FPCD: the factor the fast weights shrink by at every step. */
  readonly fastDecay: number;
  readonly optimizer: RbmOptimizerName;
  /**
   * Centering (Montavon & Mueller 2012; Melchior et al. 2016): follow the gradient of the energy with visible
   * and hidden offsets mu, lambda (running means of the data and of its hidden activations) subtracted; the
   * model's parameters stay those of the plain energy.
   */
  readonly centering: boolean;
  /** Target mean activation of the hidden units on data (absent: no sparsity penalty). */
  readonly sparsityTarget?: number;
  /** Weight of the sparsity penalty (Hinton's guide, section 11). */
  readonly sparsityCost: number;
  /** L1 penalty coefficient on the weights. */
  readonly l1: number;
  /** Largest norm of each hidden unit's incoming weight vector (0: no limit). */
  readonly maxNorm: number;
  /** Seed of the shuffling, the chains' start and every graph's random streams. */
  readonly seed: number;
  /** Held-out examples for the monitor's free-energy gap and pseudo-log-likelihood. */
  readonly heldOut?: Matrix;
  /** Examples the monitor evaluates on each side (training, held-out) at the end of each epoch. */
  readonly monitorSize: number;
  /** Stops training before its next step once aborted (runEpochs): the model keeps its last whole epoch. */
  readonly signal?: AbortSignal;
}

/** The defaults; the optional options are listed (as undefined) so that the keys name every option. */
export const defaultFitOptions: FitOptions = {
  epochs: 50,
  initialEpoch: 0,
  batchSize: 100,
  learningRate: 0.05,
  learningRateSchedule: 'linear',
  initialMomentum: 0.5,
  finalMomentum: 0.5,
  momentumSwitchEpoch: 5,
  weightDecay: 2e-4,
  sampler: 'pcd',
  k: 1,
  kFinal: undefined,
  chains: 100,
  temperatures: 10,
  fastLearningRate: undefined,
  fastDecay: 0.95,
  optimizer: 'sgd',
  centering: false,
  sparsityTarget: undefined,
  sparsityCost: 0.1,
  l1: 0,
  maxNorm: 0,
  seed: 0,
  monitorSize: 500,
};

/** checkValues for the persistent chains of sampler settings `o` over `units` units: none for CD, every temperature's for PT. */
export function checkSamplerChains(o: Pick<FitOptions, 'sampler' | 'chains' | 'temperatures'>, units: number): void {
  if (o.sampler === 'cd') return;
  if (o.sampler === 'pt') checkValues(`chains ${o.chains} x temperatures ${o.temperatures}`, o.chains * o.temperatures, units);
  else checkValues(`chains ${o.chains}`, o.chains, units);
}

/** Adam's learning rate when none is given (Kingma & Ba's). */
export const ADAM_LEARNING_RATE = 0.001;

/**
 * The learning rate when none is given: ADAM_LEARNING_RATE for Adam; for SGD the visible units' own when they
 * have one (Gaussian units: 0.001), else defaultFitOptions.learningRate (0.05).
 */
export function defaultLearningRate(optimizer: RbmOptimizerName | undefined, visibleUnits: UnitType | undefined): number {
  return optimizer === 'adam' ? ADAM_LEARNING_RATE : (visibleUnits?.learningRate ?? defaultFitOptions.learningRate);
}

/** The learning rate of (0-based) `epoch`: constant, or falling linearly to 0 after the last epoch. */
export function learningRateAt(options: Pick<FitOptions, 'learningRate' | 'learningRateSchedule' | 'epochs'>, epoch: number): number {
  const decay = options.learningRateSchedule === 'linear' ? 1 - epoch / options.epochs : 1;
  return options.learningRate * decay;
}

/** The learning rate and momentum of (0-based) `epoch`. */
export function scheduleAt(options: FitOptions, epoch: number): { learningRate: number; momentum: number } {
  return {
    learningRate: learningRateAt(options, epoch),
    momentum: epoch < options.momentumSwitchEpoch ? options.initialMomentum : options.finalMomentum,
  };
}

/** Adam's decays of the first and second moment estimates, and its epsilon. */
export const adamDecays = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

/** The decay of the running means behind centering's offsets and the sparsity penalty's activation estimate. */
export const OFFSET_DECAY = 0.99;
export const SPARSITY_DECAY = 0.95;

/** The Gibbs steps of (0-based) `epoch`: k, or on the line from k to kFinal over the epochs. */
export function kAt(options: Pick<FitOptions, 'k' | 'kFinal' | 'epochs'>, epoch: number): number {
  const { k, kFinal, epochs } = options;
  if (kFinal === undefined || epochs <= 1) return k;
  return Math.round(k + ((kFinal - k) * epoch) / (epochs - 1));
}

/** Throws a UserError naming the first option out of its range. */
export function checkFitOptions(o: FitOptions, examples: number): void {
  const positiveInts = { epochs: o.epochs, batchSize: o.batchSize, k: o.k, chains: o.chains, monitorSize: o.monitorSize, kFinal: o.kFinal ?? 1 };
  for (const [name, x] of Object.entries(positiveInts)) {
    if (!(Number.isInteger(x) && x >= 1)) throw new UserError(`${name} must be a positive integer, got ${x}`);
  }
  if (!(Number.isInteger(o.temperatures) && o.temperatures >= 2)) throw new UserError(`temperatures must be an integer >= 2, got ${o.temperatures}`);
  if (!(Number.isInteger(o.initialEpoch) && o.initialEpoch >= 0 && o.initialEpoch <= o.epochs)) {
    throw new UserError(`initialEpoch must be an integer from 0 to epochs (${o.epochs}), got ${o.initialEpoch}`);
  }
  if (o.batchSize > examples) throw new UserError(`batchSize ${o.batchSize} is larger than the ${examples} examples`);
  const nonNegative = {
    learningRate: o.learningRate,
    weightDecay: o.weightDecay,
    initialMomentum: o.initialMomentum,
    finalMomentum: o.finalMomentum,
    fastLearningRate: o.fastLearningRate ?? 0,
    sparsityCost: o.sparsityCost,
    l1: o.l1,
    maxNorm: o.maxNorm,
  };
  for (const [name, x] of Object.entries(nonNegative)) {
    if (!(Number.isFinite(x) && x >= 0)) throw new UserError(`${name} must be a finite number >= 0, got ${x}`);
  }
  const fractions = { fastDecay: o.fastDecay, sparsityTarget: o.sparsityTarget ?? 0.5 };
  for (const [name, x] of Object.entries(fractions)) {
    if (!(Number.isFinite(x) && x >= 0 && x < 1)) throw new UserError(`${name} must be in [0, 1), got ${x}`);
  }
  if (o.optimizer !== 'sgd' && o.optimizer !== 'adam') throw new UserError(`optimizer must be sgd or adam, got ${String(o.optimizer)}`);
}

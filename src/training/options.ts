import type { Matrix } from '../tensor/matrix.js';

/** The learning rule: CD-k restarts the negative chains at the data each step; PCD-k keeps them. */
export type SamplerName = 'cd' | 'pcd';

/** How the learning rate changes over epochs: constant, or linearly down to 0 at the end of training. */
export type LearningRateSchedule = 'constant' | 'linear';

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
  /** Gibbs steps per negative phase. */
  readonly k: number;
  /** Persistent chains for PCD (default: the batch size). */
  readonly chains: number;
  /** Seed of the shuffling, the chains' start and every graph's random streams. */
  readonly seed: number;
  /** Held-out examples for the monitor's free-energy gap and pseudo-log-likelihood. */
  readonly heldOut?: Matrix;
  /** Examples the monitor evaluates on each side (training, held-out) at the end of each epoch. */
  readonly monitorSize: number;
}

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
  chains: 100,
  seed: 0,
  monitorSize: 500,
};

/** The learning rate and momentum of (0-based) `epoch`. */
export function scheduleAt(options: FitOptions, epoch: number): { learningRate: number; momentum: number } {
  const decay = options.learningRateSchedule === 'linear' ? 1 - epoch / options.epochs : 1;
  return {
    learningRate: options.learningRate * decay,
    momentum: epoch < options.momentumSwitchEpoch ? options.initialMomentum : options.finalMomentum,
  };
}

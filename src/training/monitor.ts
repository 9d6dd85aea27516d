import { pseudoLogLikelihood } from '../estimators/pseudo-likelihood.js';
import type { RBM } from '../models/rbm.js';
import { sliceRows, type Matrix } from '../tensor/matrix.js';
import { isBinary } from '../units/index.js';

/** What the monitor measures at the end of an epoch; means per example, in nats where they are energies. */
export interface MonitorRecord {
  /** Mean squared error of mean-field reconstructions of the training subset. */
  readonly reconstructionError: number;
  /** Mean free energy of the training subset. */
  readonly freeEnergyTrain: number;
  /** Mean free energy of the held-out subset (absent without held-out data). */
  readonly freeEnergyHeldOut?: number;
  /** freeEnergyHeldOut - freeEnergyTrain: grows when the model overfits (log Z cancels). */
  readonly freeEnergyGap?: number;
  /**
   * Mean pseudo-log-likelihood (every unit) of the first PLL_EXAMPLES of the held-out subset, or of the
   * training subset without one; absent for visible units other than Bernoulli (the estimator flips bits).
   */
  readonly pseudoLogLikelihood?: number;
}

/** Examples of the pseudo-log-likelihood, whose cost is examples x nVisible x nHidden. */
export const PLL_EXAMPLES = 100;

const mean = (xs: Float32Array): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Evaluate `rbm` on fixed subsets of the training and held-out data. */
export async function monitor(rbm: RBM, train: Matrix, heldOut: Matrix | undefined): Promise<MonitorRecord> {
  const { squaredErrors } = await rbm.reconstruct(train);
  const freeEnergyTrain = mean(await rbm.freeEnergy(train));
  const base = { reconstructionError: mean(squaredErrors), freeEnergyTrain };
  const pll = async (m: Matrix): Promise<number | undefined> =>
    isBinary(rbm.visible) ? pseudoLogLikelihood(rbm, sliceRows(m, 0, Math.min(PLL_EXAMPLES, m.rows))) : undefined;
  if (heldOut === undefined) return { ...base, pseudoLogLikelihood: await pll(train) };
  const freeEnergyHeldOut = mean(await rbm.freeEnergy(heldOut));
  return {
    ...base,
    freeEnergyHeldOut,
    freeEnergyGap: freeEnergyHeldOut - freeEnergyTrain,
    pseudoLogLikelihood: await pll(heldOut),
  };
}

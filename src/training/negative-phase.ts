import type { Value } from '../graph/graph.js';
import { add, slice } from '../graph/ops/index.js';
import { freeEnergy, hiddenField, parameterKeys, parameterNames, type ParameterKey, type RbmValues } from '../models/rbm-graph.js';
import { gibbsFromHidden, gibbsFromVisible } from '../models/gibbs.js';
import { temperatureLadder, temperingStep } from '../samplers/tempering.js';
import type { FitOptions } from './options.js';
import { fastName, nextName, stepNames } from './step-names.js';

/** Declares a state input of the step graph (with its X_next output to come) and returns it. */
export type StateInput = (name: string, dims: readonly number[], fill?: number) => Value;

/** The negative phase's samples and what the step graph must output for the sampler's own state. */
export interface NegativePhase {
  /** The model's samples v- [chains, nVisible]. */
  readonly visible: Value;
  /** Their hidden conditional means E[h | v-] [chains, nHidden]. */
  readonly hiddenMean: Value;
  /** Outputs by name: the chains' next state, and the diagnostics chain_free_energy [chains] and swap_rate. */
  readonly outputs: Readonly<Record<string, Value>>;
  /** FPCD: the fast parameters (state inputs), whose update the step graph adds. */
  readonly fast?: Readonly<Record<ParameterKey, Value>>;
}

/** The sampler's settings (see FitOptions): which sampler, its Gibbs steps, chains and temperatures. */
export type NegativeSpec = Pick<FitOptions, 'sampler' | 'k' | 'chains' | 'temperatures'> & { readonly nVisible: number };

/**
 * The negative phase of a training step, from the data's hidden draw `dataHidden` [batch, nHidden]:
 *   cd    k Gibbs steps from the data (the chains restart every step; v- has the batch's rows)
 *   pcd   k Gibbs steps of the persistent chains [chains, nVisible]
 *   fpcd  the same, sampling the RBM whose parameters are the model's plus fast parameters (state inputs
 *         X_fast, updated by the step graph), which push the chains away from where they have been
 *   pt    k Gibbs steps and two swap rounds of `temperatures` replicas of the chains (samplers/tempering.ts);
 *         v- is the replica at beta = 1
 * Persistent samplers output the next chains and chain_free_energy F(v-) [chains] (under the RBM the chains
 * sample), PT also swap_rate [temperatures - 1].
 */
export function negativePhase(rbm: RbmValues, dataHidden: Value, spec: NegativeSpec, stateInput: StateInput): NegativePhase {
  const { k, chains, nVisible } = spec;
  switch (spec.sampler) {
    case 'cd': {
      const visible = gibbsFromHidden(rbm, dataHidden, k).sample;
      return { visible, hiddenMean: rbm.hidden.mean(hiddenField(rbm, visible)), outputs: {} };
    }
    case 'pcd':
      return persistentChains(rbm, gibbsFromVisible(rbm, stateInput(stepNames.chains, [chains, nVisible]), k).sample, {});
    case 'fpcd': {
      const fast = fastParameters(rbm, stateInput);
      const sampled: RbmValues = { ...rbm, weights: add(rbm.weights, fast.weights), visibleBias: add(rbm.visibleBias, fast.visibleBias), hiddenBias: add(rbm.hiddenBias, fast.hiddenBias) };
      const phase = persistentChains(sampled, gibbsFromVisible(sampled, stateInput(stepNames.chains, [chains, nVisible]), k).sample, {});
      return { ...phase, fast };
    }
    case 'pt': {
      const ladder = temperatureLadder(spec.temperatures);
      const step = temperingStep(rbm, stateInput(stepNames.chains, [spec.temperatures * chains, nVisible]), ladder, chains, k);
      const coldest = slice(step.chains, [0], [chains], [0]);
      return persistentChains(rbm, coldest, { [stepNames.swapRate]: step.swapRate, [nextName(stepNames.chains)]: step.chains });
    }
  }
}

/** v- of persistent chains, E[h | v-], and the outputs: the chains' next state (unless given) and F(v-). */
function persistentChains(rbm: RbmValues, visible: Value, outputs: Record<string, Value>): NegativePhase {
  const field = hiddenField(rbm, visible);
  return {
    visible,
    hiddenMean: rbm.hidden.mean(field),
    outputs: { [nextName(stepNames.chains)]: visible, [stepNames.chainFreeEnergy]: freeEnergy(rbm, visible, field), ...outputs },
  };
}

/** The fast parameters of FPCD as state inputs X_fast, shaped like the parameters (starting at 0). */
function fastParameters(rbm: RbmValues, stateInput: StateInput): Record<ParameterKey, Value> {
  return Object.fromEntries(parameterKeys.map((key) => [key, stateInput(fastName(parameterNames[key]), rbm[key].shape as number[])])) as Record<ParameterKey, Value>;
}

import type { Value } from '../graph/graph.js';
import { add, slice } from '../graph/ops/index.js';
import { freeEnergy, hiddenField, parameterKeys, parameterNames, type ParameterKey, type RbmValues } from '../models/rbm-graph.js';
import { gibbsFromHidden, gibbsFromVisible } from '../models/gibbs.js';
import { nextName, type StateInput } from '../graph/state.js';
import { temperatureLadder, temperingStep } from './tempering.js';

/**
 * The negative phase: CD-k restarts the chains at the data each step; PCD-k keeps them (persistent chains);
 * FPCD is PCD whose chains sample the model plus fast weights (Tieleman & Hinton 2009); PT keeps persistent
 * chains at a ladder of temperatures that exchange states (parallel tempering, Desjardins et al. 2010).
 */
export type SamplerName = 'cd' | 'pcd' | 'fpcd' | 'pt';

/** The sampler's state and outputs in the step graph: the chains (state), F of the chains and PT's swap rates. */
export const samplerNames = { chains: 'chains', chainFreeEnergy: 'chain_free_energy', swapRate: 'swap_rate' } as const;

/** The fast copy of a parameter (FPCD). */
export const fastName = (name: string): string => `${name}_fast`;

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

/** The sampler's settings: which sampler, its Gibbs steps, its persistent chains (per temperature) and PT's temperatures. */
export interface NegativeSpec {
  readonly sampler: SamplerName;
  readonly k: number;
  readonly chains: number;
  readonly temperatures: number;
  readonly nVisible: number;
}

/**
 * The negative phase of a training step: the sampler's chains as state of the step graph (declared through
 * `stateInput`), from the data's hidden draw `dataHidden` [batch, nHidden]:
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
      return persistentChains(rbm, gibbsFromVisible(rbm, stateInput(samplerNames.chains, [chains, nVisible]), k).sample, {});
    case 'fpcd': {
      const fast = fastParameters(rbm, stateInput);
      const sampled: RbmValues = { ...rbm, weights: add(rbm.weights, fast.weights), visibleBias: add(rbm.visibleBias, fast.visibleBias), hiddenBias: add(rbm.hiddenBias, fast.hiddenBias) };
      const phase = persistentChains(sampled, gibbsFromVisible(sampled, stateInput(samplerNames.chains, [chains, nVisible]), k).sample, {});
      return { ...phase, fast };
    }
    case 'pt': {
      const ladder = temperatureLadder(spec.temperatures);
      const step = temperingStep(rbm, stateInput(samplerNames.chains, [spec.temperatures * chains, nVisible]), ladder, chains, k);
      const coldest = slice(step.chains, [0], [chains], [0]);
      return persistentChains(rbm, coldest, { [samplerNames.swapRate]: step.swapRate, [nextName(samplerNames.chains)]: step.chains });
    }
  }
}

/** v- of persistent chains, E[h | v-], and the outputs: the chains' next state (unless given) and F(v-). */
function persistentChains(rbm: RbmValues, visible: Value, outputs: Record<string, Value>): NegativePhase {
  const field = hiddenField(rbm, visible);
  return {
    visible,
    hiddenMean: rbm.hidden.mean(field),
    outputs: { [nextName(samplerNames.chains)]: visible, [samplerNames.chainFreeEnergy]: freeEnergy(rbm, visible, field), ...outputs },
  };
}

/** The fast parameters of FPCD as state inputs X_fast, shaped like the parameters (starting at 0). */
function fastParameters(rbm: RbmValues, stateInput: StateInput): Record<ParameterKey, Value> {
  return Object.fromEntries(parameterKeys.map((key) => [key, stateInput(fastName(parameterNames[key]), rbm[key].shape as number[])])) as Record<ParameterKey, Value>;
}

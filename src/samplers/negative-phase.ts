import type { Value } from '../graph/graph.js';
import { add, slice } from '../graph/ops/index.js';
import { freeEnergy, gibbsSweep, layerField, mapParameters, energyParameters, sampleLayers, type MachineValues } from '../models/machine.js';
import { nextName, type StateInput } from '../graph/state.js';
import { temperatureLadder, temperingStep } from './tempering.js';

/**
 * The negative phase: CD-k restarts the chains at the data each step; PCD-k keeps them (persistent chains);
 * FPCD is PCD whose chains sample the model plus fast weights (Tieleman & Hinton 2009); PT keeps persistent
 * chains at a ladder of temperatures that exchange states (parallel tempering, Desjardins et al. 2010).
 */
export type SamplerName = 'cd' | 'pcd' | 'fpcd' | 'pt';

/** The sampler's names in the step graph: the chains (state), F of the chains, PT's swap rates and FPCD's fast learning rate (input). */
export const samplerNames = { chains: 'chains', chainFreeEnergy: 'chain_free_energy', swapRate: 'swap_rate', fastLearningRate: 'fast_learning_rate' } as const;

/** The state input of layer l's persistent chains: `chains` for the visible layer, chains_l above it. */
export const chainsName = (l: number): string => (l === 0 ? samplerNames.chains : `${samplerNames.chains}_${l}`);

/** The fast copy of a parameter (FPCD). */
export const fastName = (name: string): string => `${name}_fast`;

/**
 * The negative phase's samples and what the step graph must output for the sampler's own state. The machine's
 * odd layers are coupled to even ones only (an RBM, a DBM); the chains are the even layers' states, and the
 * odd layers are summed out given them: their fields are returned, whose means E[x_odd | x_even] stand for the
 * odd layers in the model's statistics.
 */
export interface NegativePhase {
  /** The model's samples of the even layers [chains, n_l] (undefined at the odd layers): v- of an RBM. */
  readonly even: readonly (Value | undefined)[];
  /** The odd layers' fields given `even` [chains, n_l] (undefined at the even layers). */
  readonly oddFields: readonly (Value | undefined)[];
  /** Outputs by name: the chains' next state, and the diagnostics chain_free_energy [chains] and swap_rate. */
  readonly outputs: Readonly<Record<string, Value>>;
  /** FPCD: the fast parameters (state inputs, by their parameter's name), whose update the step graph adds. */
  readonly fast?: Readonly<Record<string, Value>>;
}

/** The sampler's settings: which sampler, its Gibbs steps, its persistent chains (per temperature) and PT's temperatures. */
export interface NegativeSpec {
  readonly sampler: SamplerName;
  readonly k: number;
  readonly chains: number;
  readonly temperatures: number;
}

/**
 * The negative phase of a training step of `machine`: the sampler's chains as state of the step graph
 * (declared through `stateInput`, one tensor per even layer, `chainsName(l)`):
 *   cd    from `dataOdd`, the data's draws of the odd layers [batch, n_l]: the even layers drawn, then k - 1
 *         sweeps (the chains restart every step and have the batch's rows)
 *   pcd   k sweeps (odd layers, then even ones) of the persistent chains [chains, n_l]
 *   fpcd  the same, sampling the machine whose parameters are the model's plus fast parameters (state inputs
 *         X_fast, updated by the step graph), which push the chains away from where they have been
 *   pt    k sweeps and two swap rounds of `temperatures` replicas of the chains (samplers/tempering.ts);
 *         the samples are the replica at beta = 1
 * Persistent samplers output the next chains and chain_free_energy F(x_even) [chains] (under the machine the
 * chains sample), PT also swap_rate [temperatures - 1].
 */
export function negativePhase(machine: MachineValues, dataOdd: readonly (Value | undefined)[], spec: NegativeSpec, stateInput: StateInput): NegativePhase {
  const { k, chains } = spec;
  const persistent = (rows: number): (Value | undefined)[] => machine.layers.map((layer, l) => (l % 2 === 0 ? stateInput(chainsName(l), [rows, layer.bias.shape![0] as number]) : undefined));
  switch (spec.sampler) {
    case 'cd': {
      let x = sampleLayers(machine, dataOdd, 0).states;
      for (let s = 1; s < k; s++) x = gibbsSweep(machine, x);
      const even = evenOf(x);
      return { even, oddFields: oddFieldsOf(machine, even), outputs: {} };
    }
    case 'pcd':
      return persistentChains(machine, sweeps(machine, persistent(chains), k), {});
    case 'fpcd': {
      const fast = Object.fromEntries(energyParameters(machine).map((p) => [p.name, stateInput(fastName(p.name), p.shape as number[])]));
      const sampled = mapParameters(machine, (p) => add(p, fast[p.name]));
      return { ...persistentChains(sampled, sweeps(sampled, persistent(chains), k), {}), fast };
    }
    case 'pt': {
      const step = temperingStep(machine, persistent(spec.temperatures * chains), temperatureLadder(spec.temperatures), chains, k);
      const coldest = step.chains.map((x) => x && slice(x, [0], [chains], [0]));
      return persistentChains(machine, coldest, { [samplerNames.swapRate]: step.swapRate, ...nextChains(step.chains) });
    }
  }
}

/** k sweeps from the chains' states. */
function sweeps(machine: MachineValues, x: readonly (Value | undefined)[], k: number): (Value | undefined)[] {
  let next = [...x];
  for (let s = 0; s < k; s++) next = gibbsSweep(machine, next);
  return next;
}

/** The outputs X_next of the chains of the even layers. */
const nextChains = (even: readonly (Value | undefined)[]): Record<string, Value> =>
  Object.fromEntries(even.flatMap((state, l) => (state === undefined ? [] : [[nextName(chainsName(l)), state]])));

/** The even layers' states of x, undefined at the odd layers. */
const evenOf = (x: readonly (Value | undefined)[]): (Value | undefined)[] => x.map((state, l) => (l % 2 === 0 ? state : undefined));

/** The odd layers' fields given the even layers' states. */
const oddFieldsOf = (machine: MachineValues, even: readonly (Value | undefined)[]): (Value | undefined)[] => even.map((_, l) => (l % 2 === 1 ? layerField(machine, even, l) : undefined));

/** The chains' samples, the odd layers' fields given them, and the outputs: the chains' next state (unless given) and F(x_even). */
function persistentChains(machine: MachineValues, x: readonly (Value | undefined)[], outputs: Record<string, Value>): NegativePhase {
  const even = evenOf(x);
  const oddFields = oddFieldsOf(machine, even);
  return { even, oddFields, outputs: { ...nextChains(even), [samplerNames.chainFreeEnergy]: freeEnergy(machine, even, oddFields), ...outputs } };
}

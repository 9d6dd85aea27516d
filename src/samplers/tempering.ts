import type { Value } from '../graph/graph.js';
import { add, cast, concat, gather, less, log, matmul, mul, randomUniformLike, reduceMean, reshape, transpose } from '../graph/ops/index.js';
import { gibbsSweep, toUnits, type MachineValues } from '../models/machine.js';

/**
 * Parallel tempering (replica exchange) for a machine whose odd layers are coupled to even ones only (an RBM,
 * a DBM). Replica r samples the machine with its couplings tempered by beta_r,
 *   E_beta(x) = -sum_l a_l(x_l) - beta C(x),   C(x) = sum of the couplings' terms (v / sigma)^T W h, ...,
 * so that beta = 1 is the model and beta = 0 the independent model of the biases alone (every unit type is
 * tempered alike: only its field changes). The replicas are stacked replica-major as rows of one chain tensor
 * per even layer [replicas * chains, n_l], with beta_0 = 1 first. A step is k block Gibbs sweeps of every
 * replica, then two rounds of swap proposals between neighbours, pairs (0,1), (2,3), ... then (1,2), (3,4),
 * ...: chain c of replicas l and l + 1 exchange their states with probability
 *   min(1, exp((beta_l - beta_{l+1}) (C(x_{l+1}) - C(x_l)))),
 * the Metropolis ratio of the exchange under the product of the tempered joints, which the exchange leaves
 * invariant. The joint state x is the even layers' draws with the odd layers' draws they came from.
 */

/** The default ladder: `replicas` inverse temperatures evenly spaced from 1 down to 1 / replicas. */
export function temperatureLadder(replicas: number): Float32Array {
  if (!(Number.isInteger(replicas) && replicas >= 2)) throw new RangeError(`temperatures must be an integer >= 2, got ${replicas}`);
  return Float32Array.from({ length: replicas }, (_, r) => 1 - r / replicas);
}

/** A tempered step's result: the next chains of each even layer [replicas * chains, n_l] (undefined at odd layers) and the swaps accepted. */
export interface TemperingStep {
  readonly chains: readonly (Value | undefined)[];
  /** Fraction of chains whose exchange between replicas r and r + 1 was accepted: [replicas - 1]. */
  readonly swapRate: Value;
}

/** One parallel-tempering step (k sweeps, then both swap rounds) of the even layers' `chains` [betas.length * nChains, n_l]. */
export function temperingStep(machine: MachineValues, chains: readonly (Value | undefined)[], betas: Float32Array, nChains: number, k: number): TemperingStep {
  const g = chains[0]!.graph;
  const replicas = betas.length;
  const rowBetas = Float32Array.from({ length: replicas * nChains }, (_, i) => betas[Math.floor(i / nChains)]);
  const couplingScale = g.constant(rowBetas, 'float32', [replicas * nChains, 1]);
  let x = [...chains];
  for (let s = 0; s < k; s++) x = gibbsSweep(machine, x, { couplingScale });
  const units = x.map((state, l) => toUnits(machine.layers[l], state!));
  const coupling = machine.couplings.map((c) => c.interaction(units[c.lower], units[c.upper])).reduce((sum, term) => add(sum, term));
  const even = x.map((state, l) => (l % 2 === 0 ? state : undefined));
  const first = swapRound(even, reshape(coupling, [replicas, nChains]), betas, nChains, 0);
  const second = swapRound(first.states, first.coupling, betas, nChains, 1);
  // Pair p of round `first` joins replicas first + 2p and first + 2p + 1: interleave the two rounds' rates.
  const rates = [...Array(replicas - 1).keys()].map((r) => (r % 2 === 0 ? first : second).rates[Math.floor(r / 2)]);
  return { chains: second.states, swapRate: concat(rates, 0) };
}

interface SwapRound {
  readonly states: readonly (Value | undefined)[];
  readonly coupling: Value;
  /** The acceptance rate of each pair of the round, each [1]. */
  readonly rates: Value[];
}

/**
 * Propose exchanges between replicas (first + 2p, first + 2p + 1) for every chain. Each layer's states [R * C, n] and
 * coupling C(x) [R, C] are permuted by gathering rows: row (l, c) takes row (l + 1, c) when the pair's swap is
 * accepted, and back. The pairs' sign matrix S [R, P] (+1 at the lower replica, -1 at the upper) gives both
 * the coupling differences S^T C and the row offsets S a.
 */
function swapRound(states: readonly (Value | undefined)[], coupling: Value, betas: Float32Array, nChains: number, first: 0 | 1): SwapRound {
  const g = coupling.graph;
  const replicas = betas.length;
  const pairs = Math.floor((replicas - first) / 2);
  if (pairs === 0) return { states, coupling, rates: [] };
  const signs = new Float32Array(replicas * pairs);
  const betaGaps = new Float32Array(pairs); // beta_upper - beta_lower <= 0
  for (let p = 0; p < pairs; p++) {
    const lower = first + 2 * p;
    signs[lower * pairs + p] = 1;
    signs[(lower + 1) * pairs + p] = -1;
    betaGaps[p] = betas[lower + 1] - betas[lower];
  }
  const s = g.constant(signs, 'float32', [replicas, pairs]);
  const couplingDrop = matmul(transpose(s, [1, 0]), coupling); // C(x_lower) - C(x_upper): [P, C]
  const logRatio = mul(g.constant(betaGaps, 'float32', [pairs, 1]), couplingDrop); // (beta_l - beta_u)(C_u - C_l)
  const accepted = cast(less(log(randomUniformLike(logRatio)), logRatio), 'float32');
  const offsets = mul(matmul(s, accepted), nChains); // [R, C]: +C rows for an accepted lower, -C for its upper
  const rows = g.constant(Float32Array.from({ length: replicas * nChains }, (_, i) => i), 'float32', [replicas, nChains]);
  const source = reshape(cast(add(rows, offsets), 'int64'), [replicas * nChains]);
  const permutedCoupling = reshape(gather(reshape(coupling, [replicas * nChains, 1]), source), [replicas, nChains]);
  const pairRates = reduceMean(accepted, [1]);
  const rates = [...Array(pairs).keys()].map((p) => gather(pairRates, g.constant([p], 'int64', [1])));
  return { states: states.map((x) => x && gather(x, source)), coupling: permutedCoupling, rates };
}

/**
 * How well persistent chains mix: the integrated autocorrelation time of a scalar traced along the chains
 * (their free energy, one value per chain per step), with Sokal's automatic window:
 *   tau = 1 + 2 sum_{t=1}^{M} rho(t),  M the smallest window with M >= WINDOW_FACTOR tau(M),
 * rho the autocorrelation averaged over chains. The chains' effective sample size is steps x chains / tau.
 * While the model learns, every chain's free energy drifts alike; that common drift is taken out first (the
 * mean over chains at each step), so what is measured is how fast the chains move relative to each other.
 */
import type { TensorMap } from '../runtime/engine.js';
import { samplerNames, type NegativeSpec } from '../samplers/negative-phase.js';

/** Sokal's window factor c: the window grows until it spans c autocorrelation times. */
const WINDOW_FACTOR = 5;

/** A trace shorter than this many autocorrelation times gives an unreliable estimate (emcee's rule of thumb). */
const RELIABLE_LENGTH = 50;

export interface Mixing {
  /** Integrated autocorrelation time, in steps of the sampler. */
  readonly autocorrelationTime: number;
  /** steps x chains / autocorrelationTime. */
  readonly effectiveSamples: number;
  /** Whether the trace spans at least 50 autocorrelation times (else tau is likely underestimated). */
  readonly reliable: boolean;
}

/** The mixing of `chains` chains traced over `steps` steps: trace [steps, chains], row-major. */
export function chainMixing(trace: ArrayLike<number>, steps: number, chains: number): Mixing {
  if (trace.length !== steps * chains || steps < 2 || chains < 1) throw new RangeError(`chainMixing: a trace of ${trace.length} values is not ${steps} steps x ${chains} chains (steps >= 2)`);
  const residual = driftRemoved(trace, steps, chains);
  const variance = autocovariance(residual, steps, chains, 0);
  let tau = 1;
  let window = 1;
  for (; window < steps && variance > 0; window++) {
    tau += (2 * autocovariance(residual, steps, chains, window)) / variance;
    if (window >= WINDOW_FACTOR * tau) break;
  }
  tau = Math.max(tau, 1 / steps); // anticorrelated chains can sum below 1; keep the time positive
  return { autocorrelationTime: tau, effectiveSamples: (steps * chains) / tau, reliable: window < steps && steps >= RELIABLE_LENGTH * tau };
}

/** x[t, c] minus the mean over chains at step t, then minus each chain's own mean over steps. */
function driftRemoved(trace: ArrayLike<number>, steps: number, chains: number): Float64Array {
  const r = Float64Array.from(trace);
  for (let t = 0; t < steps; t++) {
    let mean = 0;
    for (let c = 0; c < chains; c++) mean += r[t * chains + c] / chains;
    for (let c = 0; c < chains; c++) r[t * chains + c] -= mean;
  }
  for (let c = 0; c < chains; c++) {
    let mean = 0;
    for (let t = 0; t < steps; t++) mean += r[t * chains + c] / steps;
    for (let t = 0; t < steps; t++) r[t * chains + c] -= mean;
  }
  return r;
}

/** The autocovariance at `lag` summed over chains (the biased estimator: every lag divides by the same length). */
function autocovariance(r: Float64Array, steps: number, chains: number, lag: number): number {
  let sum = 0;
  for (let t = 0; t + lag < steps; t++) {
    for (let c = 0; c < chains; c++) sum += r[t * chains + c] * r[(t + lag) * chains + c];
  }
  return sum;
}

/** What a persistent sampler reports of an epoch (see `chainDiagnostics`). */
export interface ChainRecord {
  /** The integrated autocorrelation time of the chains' free energy over the epoch's steps, in steps. */
  readonly chainAutocorrelationTime?: number;
  /** The effective number of independent chain states. */
  readonly chainEffectiveSamples?: number;
  /** Whether the epoch's steps span 50 autocorrelation times, enough for the estimate to be trusted. */
  readonly chainMixingReliable?: boolean;
  /** PT: the fraction of accepted swaps between temperatures r and r + 1 over the epoch. */
  readonly swapRates?: number[];
}

/** An epoch's chain diagnostics, gathered from the step graph's outputs step by step. */
export interface ChainDiagnostics {
  readonly onStep: (outputs: TensorMap, step: number) => void;
  readonly record: () => ChainRecord;
}

/**
 * The diagnostics of an epoch of `steps` steps of `sampler` with `chains` chains (per temperature): the
 * free energy of the chains (output chain_free_energy [chains]) traced for `chainMixing`, and PT's swap_rate
 * [temperatures - 1] averaged. CD's chains restart each step: nothing to report.
 */
export function chainDiagnostics(sampler: NegativeSpec, steps: number): ChainDiagnostics {
  const { chains } = sampler;
  const trace = sampler.sampler === 'cd' ? undefined : new Float64Array(steps * chains);
  const swapRates = new Float64Array(sampler.sampler === 'pt' ? sampler.temperatures - 1 : 0);
  return {
    onStep: (outputs, step) => {
      trace?.set(outputs[samplerNames.chainFreeEnergy].data as Float32Array, step * chains);
      if (swapRates.length > 0) (outputs[samplerNames.swapRate].data as Float32Array).forEach((x, r) => (swapRates[r] += x / steps));
    },
    record: () => {
      const mixing = trace && steps >= 2 ? chainMixing(trace, steps, chains) : undefined;
      return {
        ...(mixing && { chainAutocorrelationTime: mixing.autocorrelationTime, chainEffectiveSamples: mixing.effectiveSamples, chainMixingReliable: mixing.reliable }),
        ...(swapRates.length > 0 && { swapRates: Array.from(swapRates) }),
      };
    },
  };
}

/**
 * How well persistent chains mix: the integrated autocorrelation time of a scalar traced along the chains
 * (their free energy, one value per chain per step), with Sokal's automatic window:
 *   tau = 1 + 2 sum_{t=1}^{M} rho(t),  M the smallest window with M >= WINDOW_FACTOR tau(M),
 * rho the autocorrelation averaged over chains. The chains' effective sample size is steps x chains / tau.
 * While the model learns, every chain's free energy drifts alike; that common drift is taken out first (the
 * mean over chains at each step), so what is measured is how fast the chains move relative to each other.
 */

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

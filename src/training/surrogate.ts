import { stopGradient } from '../autodiff/stop-gradient.js';
import type { Value } from '../graph/graph.js';
import { reduceMean, sub } from '../graph/ops/index.js';

/**
 * The contrastive surrogate loss of an energy-based model with free energy F (p(v) = exp(-F(v)) / Z):
 *   L = mean_rows F(v_data) - mean_rows F(v_model),  v_model treated as a constant (no gradient through it).
 * Its gradient is <dF/dtheta>_data - <dF/dtheta>_model, the negative of the log-likelihood gradient
 * estimate that CD and PCD use when v_model comes from their chains: minimising L by gradient descent
 * (`gradients` and an optimiser) is the learning rule, without deriving the statistics by hand.
 * `freeEnergy` maps [rows, nVisible] to [rows]; vData [batch, nVisible], vModel [chains, nVisible].
 */
export function contrastiveSurrogate(freeEnergy: (v: Value) => Value, vData: Value, vModel: Value): Value {
  return sub(reduceMean(freeEnergy(vData), [0]), reduceMean(freeEnergy(stopGradient(vModel)), [0]));
}

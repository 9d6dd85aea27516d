/**
 * A certain lower bound on log Z from states in hand. Z = sum over all visible states v of exp(-F(v)), every
 * term positive, so for any set S of distinct states
 *   log Z >= log sum_{v in S} exp(-F(v)) >= max_{v in S} -F(v).
 * An estimate of log Z below this floor is wrong for sure: AIS has missed modes that these states sit in (the
 * states of the data, or of its up-pass, are where a model puts its mass), and a log-likelihood computed
 * with it is too high, possibly above 0. The floor costs one free-energy pass over S; it is no estimate of
 * log Z (it can be far below it), only a check.
 */
import type { RBM } from '../models/rbm.js';
import type { Matrix } from '../tensor/matrix.js';

/** log sum over the distinct rows v of `states` [rows, nVisible] (visible states of `rbm`) of exp(-F(v)), in float64. */
export async function logPartitionFloor(rbm: RBM, states: Matrix): Promise<number> {
  const freeEnergies = await rbm.freeEnergy(states);
  const seen = new Set<string>();
  const terms: number[] = [];
  for (let r = 0; r < states.rows; r++) {
    const key = states.data.subarray(r * states.cols, (r + 1) * states.cols).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push(-freeEnergies[r]);
  }
  const max = Math.max(...terms);
  return max + Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0));
}

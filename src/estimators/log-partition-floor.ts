/**
 * A certain lower bound on log Z from states in hand, on either side of the RBM. Z is a sum of positive terms
 * over the visible states, Z = sum_v exp(-F(v)), and equally over the hidden ones, Z = sum_h exp(-G(h)), G the
 * free energy of the hidden side (the visible layer summed out). So for any sets of distinct states S_v, S_h
 *   log Z >= max(log sum_{v in S_v} exp(-F(v)), log sum_{h in S_h} exp(-G(h))).
 * (Not their sum: both count the pairs (v, h) of S_v x S_h.) S_v: the given rows, the states of the data (or
 * of its up-pass), where a model puts its mass. S_h, for two-state hidden units and visible units without a
 * learned scale: every hidden unit in its first state, every one in its second, and each given row's most
 * probable hidden state (E[h | v] rounded). The first catches a mode the data never visits: with every hidden
 * unit off, each visible unit is free with its bias alone, sum_v exp(b . v) = prod_i (1 + e^{b_i}), which a
 * model with small weights can make larger than all the rest. An estimate of log Z below the floor is wrong
 * for sure: AIS has missed modes, and a log-likelihood computed with it is too high. The floor costs a
 * free-energy pass over each set; it is no estimate of log Z (it can be far below it), only a check.
 */
import { RBM } from '../models/rbm.js';
import { matrix, type Matrix } from '../tensor/matrix.js';

/** log sum of exp(-F) over the distinct rows of `states` (rows of `rbm`'s visible layer), in float64. */
async function visibleFloor(rbm: RBM, states: Matrix): Promise<number> {
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

/** The RBM with its layers swapped (W^T, the biases and unit types exchanged): its F is the hidden side's G. */
function swapped(rbm: RBM): RBM {
  const { nVisible, nHidden } = rbm;
  const weights = new Float32Array(nVisible * nHidden);
  for (let i = 0; i < nVisible; i++) for (let j = 0; j < nHidden; j++) weights[j * nVisible + i] = rbm.params.weights[i * nHidden + j];
  return new RBM(rbm.engine, { nVisible: nHidden, nHidden: nVisible, visible: rbm.hidden, hidden: rbm.visible }, { weights, visibleBias: rbm.params.hiddenBias, hiddenBias: rbm.params.visibleBias });
}

/**
 * The hidden states S_h of the file comment, [2 + rows, nHidden]: all in the first state, all in the second,
 * then E[h | v] of each row of `states` rounded to the nearer state.
 */
async function hiddenStates(rbm: RBM, states: Matrix, [first, second]: readonly [number, number]): Promise<Matrix> {
  const means = await rbm.transform(states);
  const out = new Float32Array((2 + states.rows) * rbm.nHidden);
  out.fill(first, 0, rbm.nHidden);
  out.fill(second, rbm.nHidden, 2 * rbm.nHidden);
  means.data.forEach((m, k) => (out[2 * rbm.nHidden + k] = m > (first + second) / 2 ? second : first));
  return matrix(out, 2 + states.rows, rbm.nHidden);
}

/**
 * The floor under log Z of `rbm` (see the file comment) from `states` [rows, nVisible], visible states of
 * `rbm`: from them, and for two-state hidden units (and visible units without a learned scale) from the hidden
 * states they and the two uniform states give.
 */
export async function logPartitionFloor(rbm: RBM, states: Matrix): Promise<number> {
  const fromVisible = await visibleFloor(rbm, states);
  const hidden = rbm.hidden.states;
  if (hidden === undefined || rbm.visible.learnedStd !== undefined) return fromVisible;
  return Math.max(fromVisible, await visibleFloor(swapped(rbm), await hiddenStates(rbm, states, hidden)));
}

import { Graph, type Value } from '../graph/graph.js';
import { add, mul, neg, reduceSum, softplus, sub, unsqueeze } from '../graph/ops/index.js';
import { hiddenField, parameterInputs } from '../models/rbm-graph.js';
import type { RBM } from '../models/rbm.js';
import { mapRows } from '../runtime/rows.js';
import type { Matrix } from '../tensor/matrix.js';
import { isBinary } from '../units/index.js';

/** Rows per graph run: the graph holds a [rows, nVisible, nHidden] intermediate. */
const PLL_CHUNK = 10;

/**
 * The pseudo-log-likelihood of each row of v, over every visible unit (deterministic: no unit drawn at
 * random): PLL(v) = sum_i log p(v_i | v_-i) = -sum_i softplus(F(v) - F(v with unit i flipped)), for
 * Bernoulli visible units. For those, with x = b + W^T v and s_i = 1 - 2 v_i,
 *   F(flip_i v) - F(v) = -a_i s_i - sum_mu [lp(x_mu + s_i W_i,mu) - lp(x_mu)],   lp = the hidden log-partition.
 * visible [rows, nVisible] -> pseudo_log_likelihood [rows], in nats.
 */
export function pseudoLikelihoodGraph(rbm: Pick<RBM, 'nVisible' | 'nHidden' | 'visible' | 'hidden'>): Graph {
  if (!isBinary(rbm.visible)) throw new Error('pseudo-log-likelihood: only Bernoulli visible units so far');
  const g = new Graph('pseudo-log-likelihood');
  const p = parameterInputs(g, rbm.nVisible, rbm.nHidden, rbm);
  const v = g.input('visible', 'float32', ['rows', rbm.nVisible]);
  const x = hiddenField(p, v); // [rows, nHidden]
  const flip = sub(1, mul(v, 2)); // s = 1 - 2v, [rows, nVisible]
  const flippedFields = add(unsqueeze(x, [1]), mul(unsqueeze(flip, [2]), p.weights)); // [rows, nVisible, nHidden]
  const hiddenChange: Value = sub(
    reduceSum(p.hidden.logPartition(flippedFields), [2]),
    unsqueeze(reduceSum(p.hidden.logPartition(x), [1]), [1]),
  ); // [rows, nVisible]
  const freeEnergyChange = neg(add(mul(flip, p.visibleBias), hiddenChange)); // F(flip_i v) - F(v)
  g.output('pseudo_log_likelihood', neg(reduceSum(softplus(neg(freeEnergyChange)), [1])));
  return g;
}

/** Mean pseudo-log-likelihood of the rows of v under `rbm`, in nats per example. */
export async function pseudoLogLikelihood(rbm: RBM, v: Matrix): Promise<number> {
  const program = await rbm.engine.compile(pseudoLikelihoodGraph(rbm));
  const out = await mapRows(rbm.engine, program, rbm.parameterFeeds(), 'visible', v, ['pseudo_log_likelihood'], PLL_CHUNK);
  let sum = 0;
  for (const x of out.pseudo_log_likelihood.data) sum += x;
  return sum / v.rows;
}

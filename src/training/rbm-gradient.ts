import type { Value } from '../graph/graph.js';
import { add, concat, gemm, mul, reduceMean, reshape, sign, sub, unsqueeze } from '../graph/ops/index.js';
import { standardize, type ParameterKey, type RbmValues } from '../models/rbm-graph.js';

/**
 * The two phases' samples that the log-likelihood gradient of an RBM is estimated from, in the visible units'
 * own coordinates u = v / sigma (v itself without a std): the data rows and their hidden conditional means,
 * and the model's (negative phase) rows and theirs.
 */
export interface PhaseStatistics {
  readonly dataU: Value; // [batch, nVisible]
  readonly dataHidden: Value; // [batch, nHidden]
  readonly modelU: Value; // [chains, nVisible]
  readonly modelHidden: Value; // [chains, nHidden]
}

/** Centering's offsets: running means of the data's u (mu [nVisible]) and of its hidden activations (lambda [nHidden]). */
export interface Offsets {
  readonly visible: Value;
  readonly hidden: Value;
}

/** The sparsity penalty: the running estimate q [nHidden] of the hidden units' mean activation on data, its target and cost. */
export interface Sparsity {
  readonly estimate: Value;
  readonly target: number;
  readonly cost: number;
}

/** What shapes the ascent direction besides the statistics. */
export interface GradientTerms {
  readonly offsets?: Offsets;
  readonly sparsity?: Sparsity;
  /** L2 coefficient (a scalar graph input). */
  readonly weightDecay: Value;
  readonly l1: number;
}

/** The batch means of the two phases: <u>, <h> of the data, and their differences from the model's. */
export interface PhaseMeans {
  readonly dataU: Value;
  readonly dataHidden: Value;
  readonly uDifference: Value;
  readonly hiddenDifference: Value;
}

/** The statistics' part of the gradient: <u h^T>_data - <u h^T>_model [nVisible, nHidden] and the phases' means. */
export interface PlainGradient {
  readonly correlation: Value;
  readonly means: PhaseMeans;
}

/** The correlations and means of the two phases (two Gemms, the second adding to the first). */
export function plainGradient(s: PhaseStatistics): PlainGradient {
  const batch = s.dataU.shape![0] as number;
  const chains = s.modelU.shape![0] as number;
  const data = gemm(s.dataU, s.dataHidden, undefined, { transA: true, alpha: 1 / batch });
  const dataU = reduceMean(s.dataU, [0]);
  const dataHidden = reduceMean(s.dataHidden, [0]);
  return {
    correlation: gemm(s.modelU, s.modelHidden, data, { transA: true, alpha: -1 / chains }),
    means: {
      dataU,
      dataHidden,
      uDifference: sub(dataU, reduceMean(s.modelU, [0])),
      hiddenDifference: sub(dataHidden, reduceMean(s.modelHidden, [0])),
    },
  };
}

/**
 * The log-likelihood gradient of W, a and b (a of Gaussian visible units through a / sigma):
 *   dW = <u h^T>_data - <u h^T>_model,  da = (<u>_data - <u>_model) / sigma,  db = <h>_data - <h>_model.
 */
export function likelihoodGradient(rbm: RbmValues, plain: PlainGradient): Record<ParameterKey, Value> {
  return { weights: plain.correlation, visibleBias: standardize(rbm, plain.means.uDifference), hiddenBias: plain.means.hiddenDifference };
}

/**
 * The ascent direction of one training step: the gradient of the log-likelihood, centred when offsets are
 * given, with the penalties.
 * Centering (Melchior et al. 2016, algorithm 1) follows the gradient of the energy
 * -(u - mu)^T W (h - lambda) - a~.(u - mu) - b~.(h - lambda) and maps it back to the plain parameters:
 *   dW = <(u - mu)(h - lambda)^T>_data - <...>_model = dW_plain - mu dh^T - du lambda^T,
 *   d(a / sigma) = du - dW lambda,   db = dh - dW^T mu,
 * with du, dh the differences of the phases' means. Penalties: L2 (-weightDecay W), L1 (-l1 sign(W)) and
 * sparsity (Hinton's guide, section 11): -cost (q - target) on b and -cost <u>_data (q - target)^T on W.
 * The rank-one terms of centering and sparsity are one Gemm [nVisible, K] x [K, nHidden].
 */
export function ascentDirection(rbm: RbmValues, plain: PlainGradient, terms: GradientTerms): Record<ParameterKey, Value> {
  const { means } = plain;
  const columns: Value[] = []; // [nVisible] each
  const rows: Value[] = []; // [nHidden] each: W loses sum_k columns_k rows_k^T
  if (terms.offsets !== undefined) {
    columns.push(terms.offsets.visible, means.uDifference);
    rows.push(means.hiddenDifference, terms.offsets.hidden);
  }
  const sparsityExcess = terms.sparsity && mul(sub(terms.sparsity.estimate, terms.sparsity.target), terms.sparsity.cost);
  if (sparsityExcess !== undefined) {
    columns.push(means.dataU);
    rows.push(sparsityExcess);
  }
  const statistic = columns.length === 0 ? plain.correlation : gemm(concat(columns.map((c) => unsqueeze(c, [1])), 1), concat(rows.map((r) => unsqueeze(r, [0])), 0), plain.correlation, { alpha: -1 });
  let weights = sub(statistic, mul(terms.weightDecay, rbm.weights));
  if (terms.l1 > 0) weights = sub(weights, mul(sign(rbm.weights), terms.l1));

  let visibleBias = means.uDifference;
  let hiddenBias = means.hiddenDifference;
  if (terms.offsets !== undefined) {
    const { visible: mu, hidden: lambda } = terms.offsets;
    const nVisible = mu.shape![0] as number;
    const nHidden = lambda.shape![0] as number;
    visibleBias = sub(visibleBias, reshape(gemm(statistic, unsqueeze(lambda, [1])), [nVisible]));
    hiddenBias = sub(hiddenBias, reshape(gemm(statistic, unsqueeze(mu, [1]), undefined, { transA: true }), [nHidden]));
  }
  if (sparsityExcess !== undefined) hiddenBias = sub(hiddenBias, sparsityExcess);
  return { weights, visibleBias: standardize(rbm, visibleBias), hiddenBias };
}

/** A running mean's next value: decay x + (1 - decay) batchMean. */
export const runningMean = (x: Value, batchMean: Value, decay: number): Value => add(mul(x, decay), mul(batchMean, 1 - decay));

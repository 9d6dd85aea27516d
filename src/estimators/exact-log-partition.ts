import { UserError } from '../errors.js';
import { Graph } from '../graph/graph.js';
import { add, gemm, reduceSum } from '../graph/ops/index.js';
import type { RBM } from '../models/rbm.js';
import type { Matrix } from '../tensor/matrix.js';
import { clip, type UnitType } from '../units/index.js';

/** The largest layer `exactLogPartition` enumerates: 2^25 states, minutes for 784 x 25 (784 x 20 takes about 6 s). */
export const MAX_EXACT_UNITS = 25;

/** Whether `exactLogPartition` can enumerate an RBM of these sizes: its smaller layer has at most MAX_EXACT_UNITS units. */
export const canEnumerate = (shape: { readonly nVisible: number; readonly nHidden: number }): boolean => Math.min(shape.nVisible, shape.nHidden) <= MAX_EXACT_UNITS;

/** Values of the other layer's field per graph run, at most (2 MB: cache-sized chunks run faster than larger ones). */
const FIELD_VALUES_PER_RUN = 1 << 19;

/** Graph names of the enumeration graph. */
const names = {
  weights: 'low_weights',
  bias: 'low_bias',
  offset: 'offset',
  offsetBias: 'offset_bias',
  negFreeEnergy: 'neg_free_energy',
} as const;

/**
 * -F of every state of the enumerated layer whose low `bits` units run through all 2^bits values (a constant
 * in the graph, state s having unit j at its high value when bit j of s is 1, else at its low value; the
 * values are the units' two `states`) while the others are fixed: their contribution
 * to the other layer's field and to the bias term comes in as `offset` [nOther] and `offset_bias` [].
 * -F(s) = bias.s + offset_bias + sum_k lp(offset_k + (W_low^T s)_k), lp the other layer's log-partition.
 * Inputs low_weights [bits, nOther], low_bias [bits]; output neg_free_energy [2^bits].
 */
function enumerationGraph(bits: number, nOther: number, enumerated: UnitType, values: readonly [number, number], other: UnitType): Graph {
  const g = new Graph(`enumerate-${bits}x${nOther}`);
  const states = new Float32Array((1 << bits) * bits);
  for (let s = 0; s < 1 << bits; s++) for (let j = 0; j < bits; j++) states[s * bits + j] = values[(s >> j) & 1];
  const low = g.constant(states, 'float32', [1 << bits, bits]);
  const weights = g.input(names.weights, 'float32', [bits, nOther]);
  const bias = g.input(names.bias, 'float32', [bits]);
  const offset = g.input(names.offset, 'float32', [nOther]);
  const offsetBias = g.input(names.offsetBias, 'float32', []);
  const otherTerm = reduceSum(other.logPartition(gemm(low, weights, offset)), [1]);
  g.output(names.negFreeEnergy, add(add(enumerated.biasTerm(low, bias), offsetBias), otherTerm));
  return g;
}

/** Clamped sigma of visible units with a learned std, as the graphs use it. */
function visibleStds(rbm: RBM): Float64Array | undefined {
  const logStd = rbm.params.visibleLogStd;
  const range = rbm.visible.learnedStd?.logStdRange;
  return logStd && range && Float64Array.from(logStd, (s) => Math.exp(clip(s, range)));
}

/**
 * The layer to enumerate (the smaller one of two-state units; visible on a tie) as row-major weights
 * [n, nOther] and biases. A Gaussian visible layer summed out works in its coordinates u = v / sigma: its bias
 * is a / sigma, and dv = sigma du adds `logJacobian` = sum_i log sigma_i to log Z.
 */
function enumeratedLayer(rbm: RBM) {
  const { nVisible, nHidden, params } = rbm;
  const enumerable = (units: UnitType): boolean => units.states !== undefined;
  const visibleFirst = enumerable(rbm.visible) && (nVisible <= nHidden || !enumerable(rbm.hidden));
  if (visibleFirst) {
    return { n: nVisible, nOther: nHidden, weights: params.weights, bias: params.visibleBias, otherBias: params.hiddenBias, units: rbm.visible, other: rbm.hidden, layer: 'visible', logJacobian: 0 };
  }
  const transposed = new Float32Array(nVisible * nHidden);
  for (let i = 0; i < nVisible; i++) for (let mu = 0; mu < nHidden; mu++) transposed[mu * nVisible + i] = params.weights[i * nHidden + mu];
  const std = visibleStds(rbm);
  const otherBias = std === undefined ? params.visibleBias : params.visibleBias.map((a, i) => a / std[i]);
  const logJacobian = std === undefined ? 0 : std.reduce((acc, s) => acc + Math.log(s), 0);
  return { n: nHidden, nOther: nVisible, weights: transposed, bias: params.hiddenBias, otherBias, units: rbm.hidden, other: rbm.visible, layer: 'hidden', logJacobian };
}

/**
 * log Z of `rbm`, exactly: enumerate the 2^n states s of the smaller layer of two-state units (Bernoulli or
 * spin; n <= MAX_EXACT_UNITS) and sum (or integrate) the other layer out analytically with its unit type's
 * log-partition,
 *   Z = sum_s exp(-F(s)),  -F(s) = bias.s + sum_k lp(otherBias_k + (W s)_k)
 * (Gaussian visible units: otherBias a / sigma, plus sum_i log sigma_i).
 * The -F values come from the engine in chunks (float32); the log-sum-exp over them runs in float64.
 */
export async function exactLogPartition(rbm: RBM): Promise<number> {
  const layer = enumeratedLayer(rbm);
  const { n, nOther } = layer;
  if (n > MAX_EXACT_UNITS) {
    throw new UserError(
      `exact log Z: the smaller layer has ${n} units and enumerating its 2^${n} states is out of reach (the limit is ${MAX_EXACT_UNITS}); use AIS`,
    );
  }
  const values = layer.units.states;
  if (values === undefined) throw new UserError(`exact log Z: enumerates binary states, the ${layer.layer} units are ${layer.units.name as string}`);
  const bits = Math.max(1, Math.min(n, Math.floor(Math.log2(Math.max(1, FIELD_VALUES_PER_RUN / nOther)))));
  const program = await rbm.engine.compile(enumerationGraph(bits, nOther, layer.units, values, layer.other));
  const e = rbm.engine;
  const feeds = {
    [names.weights]: e.float32(layer.weights.subarray(0, bits * nOther), [bits, nOther]),
    [names.bias]: e.float32(layer.bias.subarray(0, bits), [bits]),
  };
  // Running log-sum-exp in float64 over chunks: total = exp(m) * s.
  let m = -Infinity;
  let s = 0;
  const offset = new Float32Array(nOther);
  for (let high = 0; high < 2 ** (n - bits); high++) {
    // The fixed units bits .. n-1 take the values the bits of `high` pick.
    let offsetBias = 0;
    const acc = Float64Array.from(layer.otherBias);
    for (let j = bits; j < n; j++) {
      const x = values[(high >> (j - bits)) & 1];
      if (x === 0) continue;
      offsetBias += x * layer.bias[j];
      for (let k = 0; k < nOther; k++) acc[k] += x * layer.weights[j * nOther + k];
    }
    offset.set(acc);
    const out = await program.run({ ...feeds, [names.offset]: e.float32(offset, [nOther]), [names.offsetBias]: e.scalar(offsetBias) });
    const negF = out[names.negFreeEnergy].data as Float32Array;
    let chunkMax = -Infinity;
    for (const x of negF) chunkMax = Math.max(chunkMax, x);
    if (chunkMax > m) {
      s *= Math.exp(m - chunkMax);
      m = chunkMax;
    }
    for (const x of negF) s += Math.exp(x - m);
  }
  return m + Math.log(s) + layer.logJacobian;
}

export interface ExactLogLikelihood {
  /** log Z, exact. */
  readonly logZ: number;
  /** Mean log p(v) over the rows, in nats per example. */
  readonly logLikelihood: number;
  /** log p(v) = -F(v) - log Z of each row, float64. */
  readonly perExample: Float64Array;
}

/** The exact log-likelihood of each row of `data` [examples, nVisible], log p(v) = -F(v) - log Z, and their mean. */
export async function exactLogLikelihood(rbm: RBM, data: Matrix, logZ?: number): Promise<ExactLogLikelihood> {
  const z = logZ ?? (await exactLogPartition(rbm));
  const freeEnergy = await rbm.freeEnergy(data);
  const perExample = Float64Array.from(freeEnergy, (f) => -f - z);
  return { logZ: z, logLikelihood: perExample.reduce((a, b) => a + b, 0) / perExample.length, perExample };
}

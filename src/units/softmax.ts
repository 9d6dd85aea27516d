import type { Value } from '../graph/graph.js';
import {
  cast,
  concat,
  exp,
  greater,
  log,
  matmul,
  mul,
  randomUniformLike,
  reduceMax,
  reduceSum,
  reshapeTo,
  slice,
  softmax as softmaxOp,
  sub,
  add,
} from '../graph/ops/index.js';
import { clip, keptLogOdds, MEAN_RANGE } from './host-math.js';
import type { UnitType } from './unit-type.js';

/**
 * Softmax groups (one-hot categorical variables): the layer's units, in consecutive groups of K, are n / K
 * variables each taking one of K values, x_g one-hot. a(x) = a . x, so p(x_g = e_k | field) =
 * softmax(field_g)_k, E[x | field] = softmax within each group, and the log-partition of a group is
 * log sum_k exp(field_gk). Shapes: [rows, n] (n a multiple of K); the log-partition is [rows, n / K].
 */
export function softmax(k: number): UnitType {
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`softmax groups need an integer size K >= 2, got ${k}`);
  return {
    name: `softmax:${k}`,
    groupSize: k,
    mean: (field) => ungroup(softmaxOp(group(field, k), -1)),
    sample: (_field, mean) => ungroup(drawOneHot(group(mean, k))),
    logPartition: (field) => {
      const x = group(field, k);
      const m = reduceMax(x, [-1], { keepDims: true });
      return add(reduceSum(log(reduceSum(exp(sub(x, m)), [-1], { keepDims: true })), [-1]), reduceSum(m, [-1]));
    },
    biasTerm: (x, bias) => matmul(x, bias),
    support: {
      contains: (x) => x === 0 || x === 1,
      need: (layer) => `softmax:${k} ${layer} units need one-hot groups: values 0 or 1`,
      groupFault: (group, layer) => {
        let ones = 0;
        for (let i = 0; i < group.length; i++) ones += group[i];
        return ones === 1 ? undefined : `hold ${ones} ones, but softmax:${k} ${layer} units need exactly one per group`;
      },
    },
    binarization: 'none',
    /** softmax(bias) = m within each group (its means summing to 1): log m_k. */
    initialBias: (mean) => Math.log(clip(mean, MEAN_RANGE)),
    /** Each group moves with probability p to one of its K - 1 other values, uniformly. */
    addNoise: (x, p, rng) => {
      for (let g = 0; g < x.length; g += k) {
        if (rng.uniform() >= p) continue;
        const group = x.subarray(g, g + k);
        const other = (group.indexOf(1) + rng.int(1, k - 1)) % k;
        group.fill(0);
        group[other] = 1;
      }
    },
    /** p(x~ | x) = 1 - p when x~ = x, else p / (K - 1): field x~ log((1 - p)(K - 1) / p). */
    noiseEvidence: (noisy, p) => ({ field: noisy * keptLogOdds(p, k - 1) }),
  };
}

/** [..., n] -> [..., n / k, k]; the width n must be known. */
function group(x: Value, k: number): Value {
  const shape = x.shape ?? [];
  const n = shape[shape.length - 1];
  if (typeof n !== 'number') throw new Error('softmax units: the width of the field must be known');
  if (n % k !== 0) throw new Error(`softmax:${k} units: a layer of ${n} units is not made of groups of ${k}`);
  const lead = shape.slice(0, -1);
  const target = x.graph.constant([...lead.map(() => 0), -1, k], 'int64', [lead.length + 2]);
  return reshapeTo(x, target, [...lead, n / k, k]);
}

/** [..., g, k] -> [..., g * k] (g and k known, as `group` makes them). */
function ungroup(x: Value): Value {
  const shape = x.shape!;
  const lead = shape.slice(0, -2);
  const [g, k] = shape.slice(-2) as [number, number];
  const target = x.graph.constant([...lead.map(() => 0), -1], 'int64', [lead.length + 1]);
  return reshapeTo(x, target, [...lead, g * k]);
}

/**
 * One-hot draws from the probabilities p [..., g, k] by inverse CDF, one uniform u per group: the chosen
 * value is the first k with cdf_k > u cdf_K. Written as x_k = s_k - s_{k-1} with s_k = [cdf_k > u cdf_K] for
 * k < K, s_K = 1 and s_0 = 0: exactly one 1 per group whatever the rounding, since cdf is non-decreasing.
 */
function drawOneHot(p: Value): Value {
  const shape = p.shape!;
  const rank = shape.length;
  const k = shape[rank - 1] as number;
  const cdf = p.graph.node('CumSum', [p, p.graph.constant([rank - 1], 'int64', [])], [{ dtype: p.dtype, shape }])[0];
  const total = slice(cdf, [k - 1], [k], [rank - 1]);
  const u = mul(randomUniformLike(total), total);
  const below = cast(greater(slice(cdf, [0], [k - 1], [rank - 1]), u), p.dtype);
  const ones = add(mul(total, 0), 1);
  const zeros = mul(total, 0);
  return sub(concat([below, ones], -1), concat([zeros, below], -1));
}

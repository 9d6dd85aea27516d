/**
 * Float64 references for the unit types, independent of the graphs: each group of units has
 * p(x | f) proportional to exp(a0(x) + x . f), summed over its states (discrete types) or integrated numerically
 * (Gaussian). Used by the unit tests and the free energies of small RBMs with any unit types.
 */
export interface GroupReference {
  /** Units per group. */
  readonly size: number;
  /** The bias-free energy term a0(x) of one group's state x. */
  a0(x: readonly number[]): number;
  /** log sum_x exp(a0(x) + x . f), or the integral. */
  logPartition(f: readonly number[]): number;
  /** E[x | f]. */
  mean(f: readonly number[]): number[];
  /** The states of a discrete group, else undefined. */
  readonly states: readonly (readonly number[])[] | undefined;
}

const dot = (x: readonly number[], f: readonly number[]): number => x.reduce((acc, xi, i) => acc + xi * f[i], 0);

function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((acc, x) => acc + Math.exp(x - m), 0));
}

/** A group of discrete units with the given states and base measure a0 (default 0). */
function discrete(states: number[][], a0: (x: readonly number[]) => number = () => 0): GroupReference {
  const logWeights = (f: readonly number[]): number[] => states.map((x) => a0(x) + dot(x, f));
  return {
    size: states[0].length,
    states,
    a0,
    logPartition: (f) => logSumExp(logWeights(f)),
    mean: (f) => {
      const logs = logWeights(f);
      const logZ = logSumExp(logs);
      const m = new Array<number>(f.length).fill(0);
      for (const [s, x] of states.entries()) {
        const p = Math.exp(logs[s] - logZ);
        x.forEach((xi, i) => (m[i] += p * xi));
      }
      return m;
    },
  };
}

/** Simpson's rule for integral of exp(g(x)) over [lo, hi], as a log, with n (even) intervals. */
export function logIntegral(g: (x: number) => number, lo: number, hi: number, n = 4000): number {
  const h = (hi - lo) / n;
  const logs = Array.from({ length: n + 1 }, (_, i) => g(lo + i * h));
  const m = Math.max(...logs);
  let sum = 0;
  logs.forEach((l, i) => (sum += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * Math.exp(l - m)));
  return m + Math.log((sum * h) / 3);
}

/** A unit-variance Gaussian unit by numerical integration over [f - 15, f + 15]. */
const gaussianReference: GroupReference = {
  size: 1,
  states: undefined,
  a0: ([x]) => -(x * x) / 2,
  logPartition: ([f]) => logIntegral((x) => -(x * x) / 2 + x * f, f - 15, f + 15),
  mean: ([f]) => {
    const logZ = logIntegral((x) => -(x * x) / 2 + x * f, f - 15, f + 15);
    // E[x] = E[x - f + 20] + f - 20 with x - f + 20 > 0 on the grid: its log-integral is defined.
    return [Math.exp(logIntegral((x) => Math.log(x - f + 20) - (x * x) / 2 + x * f, f - 15, f + 15) - logZ) + f - 20];
  },
};

/** ReLU units as the library defines them (the documented approximations): mean max(0, f), log-partition max(0, f)^2 / 2. */
const reluReference: GroupReference = {
  size: 1,
  states: undefined,
  a0: () => 0,
  logPartition: ([f]) => Math.max(0, f) ** 2 / 2,
  mean: ([f]) => [Math.max(0, f)],
};

/**
 * N tied Bernoulli copies seen through their sum x: every one of the 2^N copy states is enumerated, so that
 * C(N, x) arises by counting rather than from a formula.
 */
function binomialReference(trials: number): GroupReference {
  const counts = new Array<number>(trials + 1).fill(0);
  for (let copies = 0; copies < 2 ** trials; copies++) counts[copies.toString(2).split('').filter((b) => b === '1').length] += 1;
  return discrete(
    counts.map((_, x) => [x]),
    ([x]) => Math.log(counts[x]),
  );
}

/** The reference of the unit type called `name`. */
export function groupReference(name: string): GroupReference {
  const k = /^softmax:(\d+)$/.exec(name);
  if (k !== null) {
    const size = Number(k[1]);
    return discrete(Array.from({ length: size }, (_, j) => Array.from({ length: size }, (_, i) => (i === j ? 1 : 0))));
  }
  const n = /^binomial:(\d+)$/.exec(name);
  if (n !== null) return binomialReference(Number(n[1]));
  switch (name) {
    case 'bernoulli':
      return discrete([[0], [1]]);
    case 'spin':
      return discrete([[-1], [1]]);
    case 'gaussian':
      return gaussianReference;
    case 'relu':
      return reluReference;
    default:
      throw new Error(`no reference for ${name}`);
  }
}

/**
 * A small RBM with any unit types, in float64: weights [nVisible * nHidden] row-major; Gaussian visible units
 * have std sigma_i = exp(visibleLogStd_i) (1 when absent) and energy (v - a)^2 / (2 sigma^2) - (v / sigma) W h.
 */
export interface SmallGeneralRbm {
  readonly nVisible: number;
  readonly nHidden: number;
  readonly weights: ArrayLike<number>;
  readonly visibleBias: ArrayLike<number>;
  readonly hiddenBias: ArrayLike<number>;
  readonly visibleLogStd?: ArrayLike<number>;
  readonly visible: string;
  readonly hidden: string;
}

/** sigma_i of the visible units (1 without a log std). */
export const visibleStdOf = (rbm: SmallGeneralRbm): number[] =>
  Array.from({ length: rbm.nVisible }, (_, i) => (rbm.visibleLogStd === undefined ? 1 : Math.exp(rbm.visibleLogStd[i])));

/** The hidden field b + W^T (v / sigma). */
export function hiddenFieldOfGeneral(rbm: SmallGeneralRbm, v: ArrayLike<number>): number[] {
  const std = visibleStdOf(rbm);
  return Array.from({ length: rbm.nHidden }, (_, mu) => {
    let x = rbm.hiddenBias[mu];
    for (let i = 0; i < rbm.nVisible; i++) x += (v[i] / std[i]) * rbm.weights[i * rbm.nHidden + mu];
    return x;
  });
}

/** The visible field a + W h. */
export function visibleFieldOfGeneral(rbm: SmallGeneralRbm, h: ArrayLike<number>): number[] {
  return Array.from({ length: rbm.nVisible }, (_, i) => {
    let x = rbm.visibleBias[i];
    for (let mu = 0; mu < rbm.nHidden; mu++) x += h[mu] * rbm.weights[i * rbm.nHidden + mu];
    return x;
  });
}

/** Apply a group function to a layer's field, group by group. */
function byGroups<T>(ref: GroupReference, field: readonly number[], f: (group: number[]) => T): T[] {
  const out: T[] = [];
  for (let s = 0; s < field.length; s += ref.size) out.push(f(field.slice(s, s + ref.size)));
  return out;
}

/** E[x | field] of a whole layer. */
export const layerMean = (name: string, field: readonly number[]): number[] =>
  byGroups(groupReference(name), field, (g) => groupReference(name).mean(g)).flat();

/**
 * F(v) = -sum_i a_i(v_i) - sum_groups log sum_h exp(b0(h) + h . field), the hidden groups summed or integrated
 * out; Gaussian visible units: a_i(v_i) = a_i v_i / sigma_i^2 - v_i^2 / (2 sigma_i^2).
 */
export function freeEnergyOfGeneral(rbm: SmallGeneralRbm, v: ArrayLike<number>): number {
  const visible = groupReference(rbm.visible);
  const hidden = groupReference(rbm.hidden);
  const vs = Array.from(v);
  let negF = 0;
  if (rbm.visible === 'gaussian') {
    const std = visibleStdOf(rbm);
    for (let i = 0; i < rbm.nVisible; i++) negF += (rbm.visibleBias[i] * vs[i] - vs[i] ** 2 / 2) / std[i] ** 2;
  } else {
    negF += byGroups(visible, vs, (x) => visible.a0(x)).reduce((a, b) => a + b, 0);
    for (let i = 0; i < rbm.nVisible; i++) negF += rbm.visibleBias[i] * vs[i];
  }
  negF += byGroups(hidden, hiddenFieldOfGeneral(rbm, vs), (f) => hidden.logPartition(f)).reduce((a, b) => a + b, 0);
  return -negF;
}

/** Every visible state of a discrete visible layer (all combinations of its groups' states). */
export function visibleStates(rbm: SmallGeneralRbm): number[][] {
  const ref = groupReference(rbm.visible);
  if (ref.states === undefined) throw new Error(`${rbm.visible} units have no finite set of states`);
  let states: number[][] = [[]];
  for (let g = 0; g < rbm.nVisible / ref.size; g++) states = states.flatMap((s) => ref.states!.map((x) => [...s, ...x]));
  return states;
}

/** Every state of n Bernoulli units, as 0/1 vectors. */
const binaryStates = (n: number): number[][] => Array.from({ length: 2 ** n }, (_, s) => Array.from({ length: n }, (_, i) => (s >> i) & 1));

/**
 * A Gaussian-Bernoulli RBM as the mixture it is: for each hidden state h, log of its weight
 * integral exp(-E(v, h)) dv = b.h + sum_i [log(sigma_i sqrt(2 pi)) + (a_i / sigma_i + (W h)_i)^2 / 2], and the
 * mean a + sigma W h of v | h (variance sigma^2). Enumerates the 2^nHidden hidden states.
 */
export function gaussianBernoulliMixture(rbm: SmallGeneralRbm): { logWeights: number[]; means: number[][]; logZ: number } {
  const std = visibleStdOf(rbm);
  const states = binaryStates(rbm.nHidden);
  const logWeights: number[] = [];
  const means: number[][] = [];
  for (const h of states) {
    let lw = h.reduce((acc, hm, mu) => acc + hm * rbm.hiddenBias[mu], 0);
    const mean: number[] = [];
    for (let i = 0; i < rbm.nVisible; i++) {
      let wh = 0;
      for (let mu = 0; mu < rbm.nHidden; mu++) wh += rbm.weights[i * rbm.nHidden + mu] * h[mu];
      lw += Math.log(std[i] * Math.sqrt(2 * Math.PI)) + (rbm.visibleBias[i] / std[i] + wh) ** 2 / 2;
      mean.push(rbm.visibleBias[i] + std[i] * wh);
    }
    logWeights.push(lw);
    means.push(mean);
  }
  return { logWeights, means, logZ: logSumExp(logWeights) };
}

/** Mean exact log-likelihood of the rows of data under a Gaussian-Bernoulli RBM: mean(-F(v)) - log Z. */
export function gaussianBernoulliLogLikelihood(rbm: SmallGeneralRbm, data: ArrayLike<number>, rows: number): number {
  const { logZ } = gaussianBernoulliMixture(rbm);
  let sum = 0;
  for (let r = 0; r < rows; r++) sum -= freeEnergyOfGeneral(rbm, Array.from({ length: rbm.nVisible }, (_, i) => data[r * rbm.nVisible + i]));
  return sum / rows - logZ;
}

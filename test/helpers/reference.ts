/**
 * Plain-JS float64 references for graph ops, and the comparisons the op tests make against them.
 * Arrays are row-major: `data[i]` with `shape` [d0, d1, ...], last axis fastest.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

export type Shape = readonly number[];

/** A dense row-major array computed in float64. */
export interface NdArray {
  readonly data: Float64Array;
  readonly shape: Shape;
}

/** An array over a copy of `data` (float32 inputs are widened exactly). */
export function nd(data: ArrayLike<number>, shape: Shape): NdArray {
  if (data.length !== size(shape)) throw new Error(`nd: ${data.length} values cannot have shape [${shape.join(', ')}]`);
  return { data: Float64Array.from(data), shape: [...shape] };
}

export function size(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** numpy's broadcast rule on known sizes; throws when the shapes are incompatible. */
export function broadcastShape(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
    const y = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`incompatible shapes [${a.join(',')}] and [${b.join(',')}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** x repeated along its size-1 (and missing leading) axes to `shape`. */
export function broadcastTo(x: NdArray, shape: Shape): NdArray {
  const rank = shape.length;
  const offset = rank - x.shape.length;
  const xs = strides(x.shape);
  const out = new Float64Array(size(shape));
  const os = strides(shape);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = offset; d < rank; d++) {
      const coord = Math.floor(i / os[d]) % shape[d];
      if (x.shape[d - offset] !== 1) src += coord * xs[d - offset];
    }
    out[i] = x.data[src];
  }
  return { data: out, shape: [...shape] };
}

export function map(x: NdArray, f: (v: number) => number): NdArray {
  return { data: x.data.map(f), shape: x.shape };
}

/** f applied element-wise to a and b broadcast together. */
export function zip(a: NdArray, b: NdArray, f: (x: number, y: number) => number): NdArray {
  const shape = broadcastShape(a.shape, b.shape);
  const x = broadcastTo(a, shape);
  const y = broadcastTo(b, shape);
  return { data: x.data.map((v, i) => f(v, y.data[i])), shape };
}

/** Sum, mean or max over `axes` (negative counts from the end). */
export function reduce(x: NdArray, axes: readonly number[], keepDims: boolean, kind: 'sum' | 'mean' | 'max'): NdArray {
  const rank = x.shape.length;
  const reduced = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const keptShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const out = new Float64Array(size(keptShape)).fill(kind === 'max' ? -Infinity : 0);
  const counts = new Float64Array(out.length);
  const xs = strides(x.shape);
  const ks = strides(keptShape);
  for (let i = 0; i < x.data.length; i++) {
    let dst = 0;
    for (let d = 0; d < rank; d++) {
      if (!reduced.has(d)) dst += (Math.floor(i / xs[d]) % x.shape[d]) * ks[d];
    }
    out[dst] = kind === 'max' ? Math.max(out[dst], x.data[i]) : out[dst] + x.data[i];
    counts[dst] += 1;
  }
  if (kind === 'mean') for (let i = 0; i < out.length; i++) out[i] /= counts[i];
  const shape = keepDims ? keptShape : x.shape.filter((_, i) => !reduced.has(i));
  return { data: out, shape };
}

/** x with axes permuted: result axis i is x's axis perm[i]. */
export function transpose(x: NdArray, perm: readonly number[]): NdArray {
  const shape = perm.map((p) => x.shape[p]);
  const xs = strides(x.shape);
  const os = strides(shape);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += (Math.floor(i / os[d]) % shape[d]) * xs[perm[d]];
    out[i] = x.data[src];
  }
  return { data: out, shape };
}

/** The matrix product of a [m, k] and b [k, n]. */
export function matmul2(a: NdArray, b: NdArray): NdArray {
  const [m, k] = a.shape;
  const [k2, n] = b.shape;
  if (k !== k2) throw new Error('matmul2: inner dimensions differ');
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a.data[i * k + l] * b.data[l * n + j];
      out[i * n + j] = s;
    }
  }
  return { data: out, shape: [m, n] };
}

/** numpy matmul of a [..., m, k] and b [k, n]. */
export function matmul(a: NdArray, b: NdArray): NdArray {
  const [m, k] = a.shape.slice(-2);
  const batch = a.data.length / (m * k);
  const n = b.shape[1];
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const slice = { data: a.data.subarray(t * m * k, (t + 1) * m * k), shape: [m, k] };
    out.set(matmul2(slice, b).data, t * m * n);
  }
  return { data: out, shape: [...a.shape.slice(0, -1), n] };
}

/** alpha op(a) op(b) + beta c, as ONNX Gemm. */
export function gemm(
  a: NdArray,
  b: NdArray,
  c: NdArray | undefined,
  o: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number },
): NdArray {
  const opA = o.transA ? transpose(a, [1, 0]) : a;
  const opB = o.transB ? transpose(b, [1, 0]) : b;
  const ab = map(matmul2(opA, opB), (v) => v * (o.alpha ?? 1));
  return c === undefined ? ab : zip(ab, c, (x, y) => x + (o.beta ?? 1) * y);
}

/** The arrays joined along `axis` (negative counts from the end). */
export function concat(xs: readonly NdArray[], axis: number): NdArray {
  const rank = xs[0].shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  const outer = size(xs[0].shape.slice(0, ax));
  const shape = xs[0].shape.map((d, i) => (i === ax ? xs.reduce((s, x) => s + x.shape[ax], 0) : d));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const x of xs) {
      const block = size(x.shape.slice(ax));
      for (let j = 0; j < block; j++) out.push(x.data[o * block + j]);
    }
  }
  return { data: Float64Array.from(out), shape };
}

export interface Tolerance {
  /** Relative tolerance (default 1e-6). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  readonly atol?: number;
}

/**
 * Assert |actual - expected| <= atol + rtol |expected| element-wise, with equal lengths; infinities must
 * match exactly and NaN only NaN. The failure message lists the first mismatches.
 */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}, label = ''): void {
  const rtol = tol.rtol ?? 1e-6;
  const atol = tol.atol ?? 1e-6;
  expect(actual.length, `${label} length`).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Number.isNaN(e)
      ? Number.isNaN(a)
      : !Number.isFinite(e)
        ? a === e
        : Number.isFinite(a) && Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok && bad.length < 5) bad.push(`[${i}] got ${a}, want ${e}`);
  }
  expect(bad, `${label} values differ (rtol ${rtol}, atol ${atol})`).toEqual([]);
}

/** A seeded uniform [0, 1) generator (mulberry32), for inputs that fast-check does not draw. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n float32 values uniform in [lo, hi). */
export function randomFloat32(n: number, rand: () => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** A shape of rank in [minRank, maxRank] with dims in [1, maxDim]. */
export function shapeArb(minRank: number, maxRank: number, maxDim = 4): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/** Exactly n finite float32 values in [min, max]. */
export function valuesArb(n: number, min: number, max: number): fc.Arbitrary<Float32Array> {
  return fc.float32Array({
    minLength: n,
    maxLength: n,
    min: Math.fround(min),
    max: Math.fround(max),
    noNaN: true,
    noDefaultInfinity: true,
  });
}

/**
 * Two shapes that broadcast together: a common shape, from which each operand drops some leading axes and
 * turns some dims into 1.
 */
export function broadcastPairArb(maxRank = 4, maxDim = 4): fc.Arbitrary<[number[], number[]]> {
  const operand = (base: number[]): fc.Arbitrary<number[]> =>
    fc
      .tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }))
      .map(([drop, ones]) => base.map((d, i) => (ones[i] ? 1 : d)).slice(drop));
  return shapeArb(0, maxRank, maxDim).chain((base) => fc.tuple(operand(base), operand(base)));
}

/** The smallest and largest of xs (no spread: samples can be long). */
export function extent(xs: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    lo = Math.min(lo, xs[i]);
    hi = Math.max(hi, xs[i]);
  }
  return [lo, hi];
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** The unbiased sample variance. */
export function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return s / (xs.length - 1);
}

/** Pearson correlation of two equally long samples. */
export function correlation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

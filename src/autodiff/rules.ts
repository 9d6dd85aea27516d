import type { Dim } from '../graph/dtype.js';
import { int, Value, type Attribute, type Graph } from '../graph/graph.js';
import {
  add,
  cast,
  div,
  equal,
  expand,
  gemm,
  greater,
  log,
  matmul,
  mul,
  neg,
  pow,
  reduceSum,
  reshape,
  reshapeTo,
  shapeOf,
  sigmoid,
  sign,
  sizeOf,
  slice,
  softmax,
  sub,
  transpose,
  unsqueeze,
  where,
} from '../graph/ops/index.js';

/** What a vector-Jacobian product rule sees of one node. */
export interface VjpContext {
  readonly graph: Graph;
  readonly opType: string;
  /** The node's inputs (undefined where an optional input is omitted). */
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs: readonly Value[];
  readonly attributes: Readonly<Record<string, Attribute>>;
  /** Which inputs need a gradient: a rule computes only those. */
  readonly needs: readonly boolean[];
}

/**
 * A vector-Jacobian product: given the gradient g of the loss with respect to the node's (first) output,
 * the gradients with respect to its inputs (undefined: not needed, or zero), built from other ops.
 */
export type VjpRule = (c: VjpContext, g: Value) => readonly (Value | undefined)[];

/** Ops whose outputs carry no gradient: comparisons, signs, shapes and random draws (stop-gradient). */
export const nonDifferentiable: ReadonlySet<string> = new Set([
  'Less',
  'Greater',
  'Equal',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Sign',
  'Shape',
  'Size',
  'RandomUniformLike',
  'RandomNormalLike',
  'RandomUniform',
  'RandomNormal',
  'Bernoulli',
  'ConstantOfShape',
  'ArgMax',
  'ArgMin',
]);

/** The rules by ONNX op type. x, y: the inputs a, b or x; y also the output; g: the output's gradient. */
export const vjpRules: Readonly<Record<string, VjpRule>> = {
  // d(a + b): ga = g, gb = g (each summed over its broadcast axes, as every binary rule below)
  Add: (c, g) => each(c, () => sumTo(c, 0, g), () => sumTo(c, 1, g)),
  // d(a - b): ga = g, gb = -g
  Sub: (c, g) => each(c, () => sumTo(c, 0, g), () => sumTo(c, 1, neg(g))),
  // d(a b): ga = g b, gb = g a
  Mul: (c, g) => each(c, () => sumTo(c, 0, mul(g, input(c, 1))), () => sumTo(c, 1, mul(g, input(c, 0)))),
  // d(a / b): ga = g / b, gb = -g y / b
  Div: (c, g) => each(c, () => sumTo(c, 0, div(g, input(c, 1))), () => sumTo(c, 1, neg(div(mul(g, c.outputs[0]), input(c, 1))))),
  // d max(a, b): ga = g [a > b] + g/2 [a = b] = g (1 + sign(a - b)) / 2, gb = g (1 - sign(a - b)) / 2
  Max: (c, g) => minMax(c, g, 1),
  // d min(a, b): ga = g (1 - sign(a - b)) / 2, gb = g (1 + sign(a - b)) / 2
  Min: (c, g) => minMax(c, g, -1),
  // d a^b: ga = g b a^(b-1), gb = g y log(a)
  Pow: (c, g) =>
    each(
      c,
      () => sumTo(c, 0, mul(mul(g, input(c, 1)), pow(input(c, 0), sub(input(c, 1), 1)))),
      () => sumTo(c, 1, mul(mul(g, c.outputs[0]), log(input(c, 0)))),
    ),
  // d(c ? a : b): gc none, ga = g [c], gb = g [not c]
  Where: (c, g) => [undefined, c.needs[1] ? sumTo(c, 1, where(input(c, 0), g, 0)) : undefined, c.needs[2] ? sumTo(c, 2, where(input(c, 0), 0, g)) : undefined],
  // d(-x) = -g
  Neg: (_c, g) => [neg(g)],
  // d e^x = g y
  Exp: (c, g) => [mul(g, c.outputs[0])],
  // d log x = g / x
  Log: (c, g) => [div(g, input(c, 0))],
  // d |x| = g sign(x)
  Abs: (c, g) => [mul(g, sign(input(c, 0)))],
  // d sqrt(x) = g / (2 y)
  Sqrt: (c, g) => [div(mul(g, 0.5), c.outputs[0])],
  // d tanh(x) = g (1 - y^2)
  Tanh: (c, g) => [mul(g, sub(1, mul(c.outputs[0], c.outputs[0])))],
  // d max(x, 0) = g [x > 0]
  Relu: (c, g) => [where(greater(input(c, 0), 0), g, 0)],
  // d sigmoid(x) = g y (1 - y)
  Sigmoid: (c, g) => [mul(g, mul(c.outputs[0], sub(1, c.outputs[0])))],
  // d softplus(x) = g sigmoid(x)
  Softplus: (c, g) => [mul(g, sigmoid(input(c, 0)))],
  // d softmax(x) = y (g - sum_axis(g y))
  Softmax: (c, g) => {
    const y = c.outputs[0];
    return [mul(y, sub(g, reduceSum(mul(g, y), [intAttribute(c, 'axis', -1)], { keepDims: true })))];
  },
  // d logsoftmax(x) = g - softmax(x) sum_axis(g)
  LogSoftmax: (c, g) => {
    const axis = intAttribute(c, 'axis', -1);
    return [sub(g, mul(softmax(input(c, 0), axis), reduceSum(g, [axis], { keepDims: true })))];
  },
  // d x = g
  Identity: (_c, g) => [g],
  // d cast(x) = cast(g) back to x's type (no gradient into integers or booleans)
  Cast: (c, g) => [isFloat(input(c, 0)) && isFloat(c.outputs[0]) ? cast(g, input(c, 0).dtype) : undefined],
  // d (alpha op(A) op(B) + beta C): g_op(A) = alpha g op(B)^T, g_op(B) = alpha op(A)^T g, gC = beta g
  Gemm: gemmRule,
  // d (a b): ga = g b^T, gb = a^T g (batched a: summed over its leading axes; 1-D b: outer products)
  MatMul: matmulRule,
  // d sum_axes(x) = g broadcast back over the axes
  ReduceSum: (c, g) => [expandBack(c, g, reduceAxes(c))],
  // d mean_axes(x) = g broadcast back over the axes / count
  ReduceMean: (c, g) => [div(expandBack(c, g, reduceAxes(c)), reducedCount(c))],
  // d max_axes(x) = g broadcast back, shared among the maxima: g [x = y] / #{x = y}
  ReduceMax: (c, g) => reduceExtremum(c, g),
  ReduceMin: (c, g) => reduceExtremum(c, g),
  // d transpose(x, p) = transpose(g, p^-1)
  Transpose: (c, g) => {
    const x = input(c, 0);
    const perm = intsAttribute(c, 'perm') ?? knownRank(x, c).map((_, i, a) => a.length - 1 - i);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [transpose(g, inverse)];
  },
  // d reshape(x) = g reshaped to x's shape (likewise Unsqueeze, Squeeze, Flatten)
  Reshape: (c, g) => [reshapeLike(g, input(c, 0))],
  Unsqueeze: (c, g) => [reshapeLike(g, input(c, 0))],
  Squeeze: (c, g) => [reshapeLike(g, input(c, 0))],
  Flatten: (c, g) => [reshapeLike(g, input(c, 0))],
  // d expand(x) = g summed over the broadcast axes
  Expand: (c, g) => [sumTo(c, 0, g)],
  // d concat(x_1, ..., x_n) = the slices of g along the axis
  Concat: concatRule,
  // d slice(x) = g padded with zeros back to x's shape
  Slice: sliceRule,
};

// ----- helpers -----

/** Compute the gradient of each input that needs one. */
function each(c: VjpContext, ...fs: (() => Value)[]): (Value | undefined)[] {
  return fs.map((f, i) => (c.needs[i] ? f() : undefined));
}

function input(c: VjpContext, k: number): Value {
  const v = c.inputs[k];
  if (v === undefined) throw new Error(`gradients: ${c.opType} has no input ${k}`);
  return v;
}

function isFloat(v: Value): boolean {
  return v.dtype === 'float32' || v.dtype === 'float64';
}

function intAttribute(c: VjpContext, name: string, fallback: number): number {
  const a = c.attributes[name];
  return a !== undefined && (a.kind === 'int' || a.kind === 'float') ? a.value : fallback;
}

function floatAttribute(c: VjpContext, name: string, fallback: number): number {
  return intAttribute(c, name, fallback);
}

function intsAttribute(c: VjpContext, name: string): readonly number[] | undefined {
  const a = c.attributes[name];
  return a !== undefined && a.kind === 'ints' ? a.value : undefined;
}

function knownRank(v: Value, c: VjpContext): readonly Dim[] {
  if (v.shape === undefined) throw new Error(`gradients: ${c.opType}: the shape of ${v.name} is unknown (declare input shapes)`);
  return v.shape;
}

const isNumeric = (shape: readonly Dim[] | undefined): shape is readonly number[] =>
  shape !== undefined && shape.every((d) => typeof d === 'number');

const sameShape = (a: readonly Dim[], b: readonly Dim[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The numbers of the constant `v` (axes, shapes), or a clear error when it is computed at run time. */
function constantOf(c: VjpContext, v: Value): number[] {
  const numbers = c.graph.constantNumbers(v.name);
  if (numbers === undefined) throw new Error(`gradients: ${c.opType}: ${v.name} must be a constant`);
  return numbers;
}

/**
 * The gradient `g` of the output, summed to the shape of input k (the inverse of broadcasting): over the
 * output's leading axes that input k lacks, and over the axes where input k has size 1.
 */
function sumTo(c: VjpContext, k: number, g: Value): Value {
  const from = c.outputs[0].shape;
  const to = input(c, k).shape;
  if (from !== undefined && to !== undefined && sameShape(from, to)) return g;
  if (to !== undefined && to.every((d) => d === 1)) {
    const total = g.graph.node('ReduceSum', [g], [{ dtype: g.dtype, shape: [] }], { keepdims: int(0) })[0];
    return to.length === 0 ? total : reshape(total, [...(to as number[])]);
  }
  if (to === undefined) {
    // A shape that broadcasting with scalars alone cannot change. Every other input counts: Where's condition
    // and Expand's shape broadcast input k too.
    const others = c.inputs.filter((v, i) => i !== k && v !== undefined);
    if (others.every((v) => v!.shape !== undefined && v!.shape.length === 0)) return g;
  }
  if (from === undefined || to === undefined) {
    throw new Error(`gradients: ${c.opType}: cannot undo broadcasting with unknown shapes (of ${c.outputs[0].name} or ${input(c, k).name})`);
  }
  const lead = from.length - to.length;
  let out = g;
  if (lead > 0) out = reduceSum(out, Array.from({ length: lead }, (_, i) => i));
  const ones = to.flatMap((d, i) => (d === 1 && from[lead + i] !== 1 ? [i] : []));
  if (ones.length > 0) out = reduceSum(out, ones, { keepDims: true });
  const mismatch = to.findIndex((d, i) => d !== 1 && d !== from[lead + i]);
  if (mismatch >= 0) {
    throw new Error(`gradients: ${c.opType}: cannot tell how [${to.join(', ')}] broadcast to [${from.join(', ')}] (symbolic dims)`);
  }
  return out;
}

function minMax(c: VjpContext, g: Value, direction: 1 | -1): (Value | undefined)[] {
  const s = sign(sub(input(c, 0), input(c, 1)));
  const half = mul(g, 0.5);
  return each(
    c,
    () => sumTo(c, 0, mul(half, direction === 1 ? add(1, s) : sub(1, s))),
    () => sumTo(c, 1, mul(half, direction === 1 ? sub(1, s) : add(1, s))),
  );
}

function gemmRule(c: VjpContext, g: Value): (Value | undefined)[] {
  const [a, b] = [input(c, 0), input(c, 1)];
  const transA = intAttribute(c, 'transA', 0) === 1;
  const transB = intAttribute(c, 'transB', 0) === 1;
  const alpha = floatAttribute(c, 'alpha', 1);
  const beta = floatAttribute(c, 'beta', 1);
  const gradA = (): Value =>
    transA
      ? gemm(b, g, undefined, { transA: transB, transB: true, alpha }) // A^T: alpha op(B) g^T
      : gemm(g, b, undefined, { transB: !transB, alpha }); // alpha g op(B)^T
  const gradB = (): Value =>
    transB
      ? gemm(g, a, undefined, { transA: true, transB: transA, alpha }) // B^T: alpha g^T op(A)
      : gemm(a, g, undefined, { transA: !transA, alpha }); // alpha op(A)^T g
  const gradC = (): Value => sumTo(c, 2, beta === 1 ? g : mul(g, beta));
  return [c.needs[0] ? gradA() : undefined, c.needs[1] ? gradB() : undefined, c.needs[2] ? gradC() : undefined];
}

function matmulRule(c: VjpContext, g: Value): (Value | undefined)[] {
  const [a, b] = [input(c, 0), input(c, 1)];
  const ra = knownRank(a, c).length;
  const rb = knownRank(b, c).length;
  if (rb === 1) {
    // y = a b over a's last axis: ga = g[..., None] b, gb = sum over a's leading axes of a g[..., None]
    const gradA = (): Value => mul(unsqueeze(g, [-1]), b);
    const gradB = (): Value => {
      if (ra === 1) return mul(g, a);
      if (ra === 2) return matmul(g, a);
      return reduceSum(mul(a, unsqueeze(g, [-1])), Array.from({ length: ra - 1 }, (_, i) => i));
    };
    return each(c, gradA, gradB);
  }
  if (rb !== 2) throw new Error('gradients: MatMul with a batched right operand is not supported');
  if (ra === 1) {
    // y = a B, a [k]: ga = B g, gB = a g^T (an outer product)
    return each(
      c,
      () => matmul(b, g),
      () => mul(unsqueeze(a, [1]), g), // [k, 1] times [n]: broadcast to [k, n]
    );
  }
  if (ra === 2) return each(c, () => gemm(g, b, undefined, { transB: true }), () => gemm(a, g, undefined, { transA: true }));
  const [k, n] = knownRank(b, c);
  if (typeof k !== 'number' || typeof n !== 'number') throw new Error('gradients: MatMul: the right operand needs known sizes');
  // gB = sum over a's leading axes of a^T g: both flattened to rows (their count needs no value: Gemm contracts it)
  return each(
    c,
    () => matmul(g, transpose(b)),
    () => gemm(withShape(reshape(a, [-1, k]), ['rows', k]), withShape(reshape(g, [-1, n]), ['rows', n]), undefined, { transA: true }),
  );
}

/** The normalised axes of a reduction (its axes input or attribute; none: all axes). */
function reduceAxes(c: VjpContext): number[] {
  const x = input(c, 0);
  const rank = knownRank(x, c).length;
  const given = c.opType === 'ReduceSum' ? (c.inputs[1] === undefined ? undefined : constantOf(c, c.inputs[1])) : intsAttribute(c, 'axes');
  const axes = given === undefined || given.length === 0 ? Array.from({ length: rank }, (_, i) => i) : given;
  return [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
}

/** `v` (shaped like the reduction's output) broadcast back to the input's shape. */
function expandBack(c: VjpContext, v: Value, axes: readonly number[]): Value {
  const x = input(c, 0);
  const kept = intAttribute(c, 'keepdims', 1) === 1 ? v : unsqueeze(v, axes);
  return isNumeric(x.shape) ? expand(kept, x.shape) : expand(kept, shapeOf(x), x.shape);
}

/** How many inputs each output of a reduction averages: size(x) / size(y). */
function reducedCount(c: VjpContext): Value | number {
  const [x, y] = [input(c, 0), c.outputs[0]];
  if (isNumeric(x.shape) && isNumeric(y.shape)) {
    const size = (s: readonly number[]): number => s.reduce((p, q) => p * q, 1);
    return size(x.shape) / size(y.shape);
  }
  return div(cast(sizeOf(x), x.dtype), cast(sizeOf(y), x.dtype));
}

function reduceExtremum(c: VjpContext, g: Value): Value[] {
  const axes = reduceAxes(c);
  const x = input(c, 0);
  const hits = cast(equal(x, expandBack(c, c.outputs[0], axes)), x.dtype);
  return [div(mul(hits, expandBack(c, g, axes)), reduceSum(hits, axes, { keepDims: true }))];
}

function reshapeLike(g: Value, x: Value): Value {
  return isNumeric(x.shape) ? reshape(g, x.shape) : reshapeTo(g, shapeOf(x), x.shape);
}

function concatRule(c: VjpContext, g: Value): (Value | undefined)[] {
  const rank = knownRank(c.outputs[0], c).length;
  const attribute = intAttribute(c, 'axis', 0);
  const axis = attribute < 0 ? attribute + rank : attribute;
  let offset = 0;
  return c.inputs.map((v, i) => {
    const size = v === undefined ? undefined : knownRank(v, c)[axis];
    if (typeof size !== 'number') throw new Error(`gradients: Concat: input ${i} needs a known size along axis ${axis}`);
    const start = offset;
    offset += size;
    return c.needs[i] ? slice(g, [start], [start + size], [axis]) : undefined;
  });
}

function sliceRule(c: VjpContext, g: Value): (Value | undefined)[] {
  const x = input(c, 0);
  const shape = knownRank(x, c);
  if (!isNumeric(shape)) throw new Error('gradients: Slice needs an input of known sizes');
  const [starts, ends] = [constantOf(c, input(c, 1)), constantOf(c, input(c, 2))];
  const axes = c.inputs[3] === undefined ? starts.map((_, i) => i) : constantOf(c, c.inputs[3]);
  if (c.inputs[4] !== undefined && constantOf(c, c.inputs[4]).some((s) => s !== 1)) throw new Error('gradients: Slice with steps is not supported');
  const before = new Array<number>(shape.length).fill(0);
  const after = new Array<number>(shape.length).fill(0);
  axes.forEach((a, i) => {
    const axis = a < 0 ? a + shape.length : a;
    const d = shape[axis];
    const clamp = (p: number): number => Math.max(0, Math.min(d, p < 0 ? p + d : p));
    before[axis] = clamp(starts[i]);
    after[axis] = d - Math.max(clamp(ends[i]), before[axis]);
  });
  const pads = c.graph.constant([...before, ...after], 'int64', [2 * shape.length]);
  const padded = c.graph.node('Pad', [g, pads], [{ dtype: g.dtype, shape }])[0];
  return [padded];
}

/** A value with `shape` recorded when its own is unknown (the same tensor: shapes are only bookkeeping). */
export function withShape(v: Value, shape: readonly Dim[] | undefined): Value {
  return v.shape === undefined && shape !== undefined ? new Value(v.graph, v.name, v.dtype, shape) : v;
}

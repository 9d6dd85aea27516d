/**
 * A sweep of every VJP rule against central finite differences (grad-check.ts), in float64 (step 1e-5,
 * relative error 1e-6) and again in float32 (FLOAT32_CHECK: step 1e-2, relative error 1e-2; see there why),
 * so that the rules also build float32 graphs right. Each rule runs on seeded random inputs of shapes that
 * exercise what it reads: broadcasting on either side (size-1 dims, missing leading axes, scalars), every
 * attribute present and absent (ONNX defaults), every optional input present and omitted, and every input
 * position it differentiates. Ops that the graph builders always emit in one form (Softmax with its axis,
 * Transpose with its perm, MatMul with operands of rank 2 or more, ReduceSum with its axes) are also built
 * node by node, to reach the rules' other branches.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { vjpRules } from '../../src/autodiff/rules.js';
import type { Dim } from '../../src/graph/dtype.js';
import { int, ints, type Attribute, type Graph, type Value } from '../../src/graph/graph.js';
import * as op from '../../src/graph/ops/index.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { seededRandom, size } from '../helpers/reference.js';
import { checkGradients, FLOAT32_CHECK, type CheckInput, type CheckOptions } from './grad-check.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

/** A node of `opType` built directly (no builder), typed like `like`, with the declared output shape. */
function node(opType: string, inputs: readonly (Value | undefined)[], shape: readonly Dim[] | undefined, attributes: Record<string, Attribute> = {}, like?: Value): Value {
  const first = like ?? inputs.find((v) => v !== undefined)!;
  return first.graph.node(opType, inputs, [{ dtype: first.dtype, shape }], attributes)[0];
}
const int64 = (g: Graph, values: readonly number[]): Value => g.constant(values, 'int64', [values.length]);

/** n values k / 10 + offset, k random in -10..9: two such sets with offsets 0 and 0.05 never come within 0.05. */
const grid = (n: number, seed: number, offset: number): number[] => {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => Math.floor(r() * 20 - 10) / 10 + offset);
};
/** n distinct values in [-1, 1], at least 2/n apart, in random order (no near-ties for max and min). */
const distinct = (n: number, seed: number): number[] => {
  const r = seededRandom(seed);
  const values = Array.from({ length: n }, (_, i) => -1 + (2 * (i + 0.5)) / n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  return values;
};
/** n values at least 0.1 away from zero (for |x| and relu). */
const avoidZero = (n: number, seed: number): number[] => {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (0.1 + r()));
};
/** n values at least 0.25 away from the integers (a cast to int64 is flat there). */
const avoidIntegers = (n: number, seed: number): number[] => {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => Math.floor(r() * 6 - 3) + 0.25 + 0.5 * r());
};

interface SweepCase {
  readonly label: string;
  /** The rules the case differentiates through (the completeness check reads these). */
  readonly rules: readonly string[];
  readonly f: (xs: Value[], g: Graph) => Value;
  readonly inputs: readonly CheckInput[];
  /** Options for the float64 pass (default: grad-check's); null skips it. */
  readonly f64?: CheckOptions | null;
  /** false skips the float32 pass. */
  readonly f32?: boolean;
}

const cases: SweepCase[] = [];
const add = (c: SweepCase): void => {
  cases.push(c);
};
const x = (name: string, dims: readonly number[], more: Partial<CheckInput> = {}): CheckInput => ({ name, dims, ...more });

// ----- binary element-wise ops: every broadcast pattern, both operands differentiated -----

/** [a, b] shape pairs: equal; b a row, a column, a scalar, missing leading axes; the same with a the smaller. */
const broadcastPairs: [number[], number[]][] = [
  [[3, 4], [3, 4]],
  [[3, 4], [4]],
  [[3, 4], [1, 4]],
  [[3, 4], [3, 1]],
  [[3, 4], []],
  [[], [3, 4]],
  [[], []],
  [[4], [2, 3, 4]],
  [[2, 1, 4], [3, 1]],
  [[1], [2, 3]],
  [[2, 3], [1, 1]],
  [[3, 1], [1, 3, 4]],
];
const binaries: [string, (a: Value, b: Value) => Value, (dims: number[], seed: number) => Partial<CheckInput>, (dims: number[], seed: number) => Partial<CheckInput>][] = [
  ['Add', op.add, () => ({}), () => ({})],
  ['Sub', op.sub, () => ({}), () => ({})],
  ['Mul', op.mul, () => ({}), () => ({})],
  ['Div', op.div, () => ({}), () => ({ lo: 0.5, hi: 2 })],
  ['Max', op.maximum, (d, s) => ({ values: grid(size(d), s, 0) }), (d, s) => ({ values: grid(size(d), s + 100, 0.05) })],
  ['Min', op.minimum, (d, s) => ({ values: grid(size(d), s, 0) }), (d, s) => ({ values: grid(size(d), s + 100, 0.05) })],
  ['Pow', op.pow, () => ({ lo: 0.5, hi: 2 }), () => ({ lo: -2, hi: 2 })],
];
for (const [name, f, moreA, moreB] of binaries) {
  broadcastPairs.forEach(([sa, sb], i) => {
    add({ label: `${name} [${sa.join(', ')}] and [${sb.join(', ')}]`, rules: [name], f: ([a, b]) => f(a, b), inputs: [x('a', sa, moreA(sa, i)), x('b', sb, moreB(sb, i))] });
  });
}
add({ label: 'Add, Mul, Sub and Div with a number on either side', rules: ['Add', 'Mul', 'Sub', 'Div'], f: ([a]) => op.div(op.sub(3, op.mul(op.add(a, 1), 2)), 1.5), inputs: [x('a', [2, 3])] });

// Where: the condition broadcast too; a and b differentiated, the condition (bool) not.
const condition = (g: Graph, dims: number[], seed: number): Value => {
  const r = seededRandom(seed);
  return op.greater(g.constant(Array.from({ length: size(dims) }, () => r()), 'float32', dims), 0.5);
};
for (const [sc, sa, sb] of [
  [[2, 3], [2, 3], [3]],
  [[3], [2, 1], []],
  [[2, 1], [3], [2, 3]],
] as [number[], number[], number[]][]) {
  add({ label: `Where [${sc.join(', ')}] ? [${sa.join(', ')}] : [${sb.join(', ')}]`, rules: ['Where'], f: ([a, b], g) => op.where(condition(g, sc, size(sa)), a, b), inputs: [x('a', sa), x('b', sb)] });
}

// ----- unary ops -----

const unaries: [string, (v: Value) => Value, Partial<CheckInput>, Partial<SweepCase>][] = [
  ['Neg', op.neg, {}, {}],
  ['Exp', op.exp, {}, {}],
  ['Log', op.log, { lo: 0.2, hi: 3 }, {}],
  ['Abs', op.abs, { values: avoidZero(6, 1) }, {}],
  ['Sqrt', op.sqrt, { lo: 0.2, hi: 3 }, {}],
  ['Tanh', op.tanh, { lo: -2, hi: 2 }, {}],
  ['Relu', op.relu, { values: avoidZero(6, 2) }, {}],
  ['Sigmoid', op.sigmoid, { lo: -4, hi: 4 }, {}],
  ['Softplus', op.softplus, { lo: -4, hi: 4 }, { f64: null }], // onnxruntime has a float32 Softplus only
  ['Identity', (v) => node('Identity', [v], v.shape), {}, {}],
];
for (const [name, f, more, options] of unaries) add({ label: name, rules: [name], f: ([v]) => f(v), inputs: [x('x', [2, 3], more)], ...options });

for (const name of ['Softmax', 'LogSoftmax']) {
  const builder = name === 'Softmax' ? op.softmax : op.logSoftmax;
  add({ label: `${name} (the builder: last axis)`, rules: [name], f: ([v]) => builder(v), inputs: [x('x', [3, 4], { lo: -2, hi: 2 })] });
  add({ label: `${name} (the builder: axis 0)`, rules: [name], f: ([v]) => builder(v, 0), inputs: [x('x', [3, 4])] });
  add({ label: `${name} without an axis attribute (ONNX default -1), rank 3`, rules: [name], f: ([v]) => node(name, [v], v.shape), inputs: [x('x', [2, 3, 4])] });
  add({ label: `${name} on the middle axis (axis 1), rank 3`, rules: [name], f: ([v]) => node(name, [v], v.shape, { axis: int(1) }), inputs: [x('x', [2, 3, 2])] });
}

const otherFloat = (v: Value): 'float32' | 'float64' => (v.dtype === 'float64' ? 'float32' : 'float64');
add({
  label: 'Cast to the other float type and back',
  rules: ['Cast'],
  f: ([v]) => op.cast(op.cast(v, otherFloat(v)), v.dtype),
  inputs: [x('x', [2, 3])],
  f64: { h: 1e-3, rtol: 1e-3, atol: 1e-6 }, // the float64 graph goes through float32: finite differences see its rounding
});
add({
  label: 'Cast to int64 and back passes no gradient (a step function: flat away from the integers)',
  rules: ['Cast'],
  f: ([v]) => op.add(op.cast(op.cast(v, 'int64'), v.dtype), op.mul(v, v)),
  inputs: [x('x', [2, 3], { values: avoidIntegers(6, 3) })],
});

// ----- matrix products -----

{
  const [m, k, n] = [3, 4, 2];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const cDims of [[m, n], [n], [m, 1], [], undefined]) {
        const inputs = [x('a', transA ? [k, m] : [m, k]), x('b', transB ? [n, k] : [k, n])];
        if (cDims !== undefined) inputs.push(x('c', cDims));
        add({
          label: `Gemm transA ${transA} transB ${transB} alpha 0.7 beta 1.3, C ${cDims === undefined ? 'absent' : `[${cDims.join(', ')}]`}`,
          rules: ['Gemm'],
          f: ([a, b, c]) => op.gemm(a, b, c, { transA, transB, alpha: 0.7, beta: 1.3 }),
          inputs,
        });
      }
    }
  }
  add({ label: 'Gemm without attributes (alpha = beta = 1, no transposes)', rules: ['Gemm'], f: ([a, b, c]) => node('Gemm', [a, b, c], [m, n]), inputs: [x('a', [m, k]), x('b', [k, n]), x('c', [n])] });
}

const matmuls: [string, number[], number[], number[] | null][] = [
  // [label, a, b, the output shape of a MatMul node built directly (null: the builder)]
  ['matrix x matrix', [3, 4], [4, 2], null],
  ['batched x matrix', [2, 3, 4], [4, 2], null],
  ['rank-4 batch x matrix', [2, 2, 3, 4], [4, 2], null],
  ['vector x matrix (the builder: as a 1 x k matrix)', [4], [4, 2], null],
  ['matrix x vector (the builder: as a k x 1 matrix)', [3, 4], [4], null],
  ['matrix x vector (a MatMul node)', [3, 4], [4], [3]],
  ['vector x vector (a MatMul node)', [4], [4], []],
  ['batched x vector (a MatMul node)', [2, 3, 4], [4], [2, 3]],
  ['vector x matrix (a MatMul node)', [4], [4, 2], [2]],
];
for (const [label, sa, sb, direct] of matmuls) {
  add({ label: `MatMul ${label}`, rules: ['MatMul'], f: ([a, b]) => (direct === null ? op.matmul(a, b) : node('MatMul', [a, b], direct)), inputs: [x('a', sa), x('b', sb)] });
}

// ----- reductions -----

/** [input dims, axes]: one axis, the last by a negative index, several, all, unsorted, mixed signs. */
const reductions: [number[], number[]][] = [
  [[3, 4], [0]],
  [[3, 4], [-1]],
  [[3, 4], [0, 1]],
  [[2, 3, 4], [1]],
  [[2, 3, 4], [2, 0]],
  [[2, 3, 4], [-1, 0]],
];
const reduceNode = (opType: string, v: Value, axes: number[], keepDims: boolean): Value => {
  const rank = v.shape!.length;
  const norm = axes.map((a) => (a < 0 ? a + rank : a));
  const shape = v.shape!.flatMap((d, i) => (norm.includes(i) ? (keepDims ? [1] : []) : [d]));
  return opType === 'ReduceSum' ? op.reduceSum(v, axes, { keepDims }) : node(opType, [v], shape, { axes: ints(axes), keepdims: int(keepDims ? 1 : 0) });
};
for (const opType of ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin']) {
  const values = opType === 'ReduceMax' || opType === 'ReduceMin' ? (n: number, s: number) => ({ values: distinct(n, s) }) : () => ({});
  reductions.forEach(([dims, axes], i) => {
    for (const keepDims of [false, true]) {
      add({ label: `${opType} [${dims.join(', ')}] over [${axes.join(', ')}], keepdims ${keepDims}`, rules: [opType], f: ([v]) => reduceNode(opType, v, axes, keepDims), inputs: [x('x', dims, values(size(dims), i))] });
    }
  });
  // No axes (an attribute, or ReduceSum's input): all of them. No keepdims attribute: 1.
  add({ label: `${opType} without axes and keepdims 0: all axes, to a scalar`, rules: [opType], f: ([v]) => node(opType, [v], [], { keepdims: int(0) }), inputs: [x('x', [2, 3], values(6, 7))] });
  add({ label: `${opType} without axes and without keepdims (default 1)`, rules: [opType], f: ([v]) => node(opType, [v], [1, 1]), inputs: [x('x', [2, 3], values(6, 8))] });
  // Empty axes (opset 17): all of them too.
  const empty = (v: Value, g: Graph): Value => (opType === 'ReduceSum' ? node(opType, [v, int64(g, [])], [1, 1]) : node(opType, [v], [1, 1], { axes: ints([]) }));
  add({ label: `${opType} over empty axes: all axes`, rules: [opType], f: ([v], g) => empty(v, g), inputs: [x('x', [2, 3], values(6, 9))] });
}
add({
  label: 'ReduceMean to an output of unknown static shape (the count taken at run time)',
  rules: ['ReduceMean', 'Reshape'],
  f: ([v]) => op.reshape(node('ReduceMean', [v], undefined, { axes: ints([1]), keepdims: int(0) }), [2]),
  inputs: [x('x', [2, 3])],
});

// ----- shape ops -----

add({ label: 'Transpose with a perm', rules: ['Transpose'], f: ([v]) => op.transpose(v, [1, 2, 0]), inputs: [x('x', [2, 3, 4])] });
add({ label: 'Transpose without a perm (ONNX default: reversed), rank 3', rules: ['Transpose'], f: ([v]) => node('Transpose', [v], [4, 3, 2]), inputs: [x('x', [2, 3, 4])] });
add({ label: 'Reshape', rules: ['Reshape'], f: ([v]) => op.reshape(v, [3, 2, 2]), inputs: [x('x', [2, 6])] });
add({ label: 'Unsqueeze', rules: ['Unsqueeze'], f: ([v]) => op.unsqueeze(v, [0, 2]), inputs: [x('x', [2, 3])] });
add({ label: 'Squeeze', rules: ['Squeeze'], f: ([v]) => op.squeeze(v, [1, 3]), inputs: [x('x', [2, 1, 3, 1])] });
add({ label: 'Flatten (axis 2)', rules: ['Flatten'], f: ([v]) => node('Flatten', [v], [6, 4], { axis: int(2) }), inputs: [x('x', [2, 3, 4])] });
add({ label: 'Flatten without an axis attribute (default 1)', rules: ['Flatten'], f: ([v]) => node('Flatten', [v], [2, 12]), inputs: [x('x', [2, 3, 4])] });
for (const [from, to] of [
  [[3, 1], [2, 3, 4]],
  [[4], [3, 4]],
  [[], [2, 3]],
  [[1, 1], [2, 3]],
] as [number[], number[]][]) {
  add({ label: `Expand [${from.join(', ')}] to [${to.join(', ')}]`, rules: ['Expand'], f: ([v]) => op.expand(v, to), inputs: [x('x', from)] });
}
add({ label: 'Concat along axis 1, an input used twice', rules: ['Concat'], f: ([a, b]) => op.concat([a, b, a], 1), inputs: [x('a', [2, 3]), x('b', [2, 1])] });
add({ label: 'Concat along axis 0', rules: ['Concat'], f: ([a, b]) => op.concat([a, b], 0), inputs: [x('a', [2, 3]), x('b', [1, 3])] });
add({ label: 'Concat along axis -1', rules: ['Concat'], f: ([a, b]) => op.concat([a, b], -1), inputs: [x('a', [2, 2, 3]), x('b', [2, 2, 1])] });

const sliceNode = (v: Value, g: Graph, shape: number[], starts: number[], ends: number[], axes?: number[], steps?: number[]): Value =>
  node('Slice', [v, int64(g, starts), int64(g, ends), axes === undefined ? undefined : int64(g, axes), steps === undefined ? undefined : int64(g, steps)], shape);
add({ label: 'Slice along every axis', rules: ['Slice'], f: ([v]) => op.slice(v, [1, 0], [3, 2], [0, 1]), inputs: [x('x', [4, 3])] });
add({ label: 'Slice along the second axis only', rules: ['Slice'], f: ([v]) => op.slice(v, [1], [3], [1]), inputs: [x('x', [2, 4, 3])] });
add({ label: 'Slice along axis -1', rules: ['Slice'], f: ([v]) => op.slice(v, [2], [5], [-1]), inputs: [x('x', [2, 5])] });
add({ label: 'Slice with negative starts and ends, and an end past the size', rules: ['Slice'], f: ([v], g) => sliceNode(v, g, [2, 2], [-3, 1], [-1, 1000], [0, 1]), inputs: [x('x', [4, 3])] });
add({ label: 'Slice without axes (ONNX default: the first axes)', rules: ['Slice'], f: ([v], g) => sliceNode(v, g, [2, 3], [1], [3]), inputs: [x('x', [4, 3])] });
add({ label: 'Slice with steps of 1 and the axes input omitted', rules: ['Slice'], f: ([v], g) => sliceNode(v, g, [2, 2], [1, 0], [3, 2], undefined, [1, 1]), inputs: [x('x', [4, 3])] });

// ----- the sweep -----

describe('every rule against finite differences', () => {
  it('the sweep covers every rule', () => {
    const covered = new Set(cases.flatMap((c) => c.rules));
    expect(Object.keys(vjpRules).filter((name) => !covered.has(name))).toEqual([]);
  });

  describe('float64', () => {
    for (const c of cases.filter((k) => k.f64 !== null)) {
      it(c.label, async () => {
        await checkGradients(engine, c.f, c.inputs, c.f64 ?? {});
      });
    }
  });

  describe('float32', () => {
    for (const c of cases.filter((k) => k.f32 !== false)) {
      it(c.label, async () => {
        await checkGradients(engine, c.f, c.inputs, FLOAT32_CHECK);
      });
    }
  });
});

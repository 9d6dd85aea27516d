import type { Graph, Value } from '../graph/graph.js';
import { gradients } from '../autodiff/gradients.js';
import { add, div, maximum, minimum, mul, neg, pow, reduceSum, sqrt, sub } from '../graph/ops/index.js';
import { nextName } from '../graph/state.js';

/** Gradient-descent optimisers that run inside a training step's graph. */
export type OptimizerName = 'sgd' | 'adam';

/** Options of the optimiser fragment, with `defaultOptimizerOptions`. */
export interface OptimizerOptions {
  readonly optimizer: OptimizerName;
  /** SGD: momentum of the velocity, v <- momentum v - lr g (0: plain SGD, no velocity state). */
  readonly momentum: number;
  /** Adam: decay of the first moment estimate. */
  readonly beta1: number;
  /** Adam: decay of the second moment estimate. */
  readonly beta2: number;
  /** Adam: added to sqrt(v_hat) in the denominator. */
  readonly epsilon: number;
  /** L2 penalty: weightDecay * p is added to the gradient of each decayed parameter (after clipping). */
  readonly weightDecay: number;
  /** Rescale all gradients together when their global norm exceeds clipNorm (0: never). */
  readonly clipNorm: number;
}

export const defaultOptimizerOptions: OptimizerOptions = {
  optimizer: 'sgd',
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
  clipNorm: 0,
};

/** A parameter as an optimiser updates it: whether weight decay applies (default true), and a max-norm on its columns (none: 0 or absent). */
export interface UpdatedParameter {
  readonly param: Value;
  readonly decay?: boolean;
  /** After each update, each column (of a matrix) scaled back to this norm when longer. */
  readonly maxColumnNorm?: number;
}

/** A parameter to update with its gradient. */
export interface ParameterUpdate extends UpdatedParameter {
  readonly grad: Value;
}

/** W with each column scaled to norm at most c: W_j min(1, c / ||W_j||). [rows, cols]. */
export function limitColumnNorms(weights: Value, c: number): Value {
  const norms = sqrt(reduceSum(mul(weights, weights), [0], { keepDims: true })); // [1, cols]
  return mul(weights, minimum(div(c, maximum(norms, 1e-12)), 1));
}

/** A parameter's next value under its max-norm, if it has one. */
const constrained = (p: UpdatedParameter, next: Value): Value => (p.maxColumnNorm ? limitColumnNorms(next, p.maxColumnNorm) : next);

/** A state tensor of a training step: graph input `name` of `dims`, started at `fill`, with output name_next. */
export interface StateTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly fill: number;
}

/** Names of the optimiser's scalar input and shared state. */
export const optimizerNames = { learningRate: 'learning_rate', adamStep: 'adam_step' } as const;

/**
 * The gradients rescaled by min(1, maxNorm / ||g||), ||g|| the global norm sqrt(sum over all gradients of
 * their squared elements).
 */
export function clipByGlobalNorm(grads: readonly Value[], maxNorm: number | Value): Value[] {
  if (grads.length === 0) return [];
  const squares = grads.map((g) => {
    const axes = (g.shape ?? []).map((_, i) => i);
    const sq = mul(g, g);
    return axes.length === 0 ? sq : reduceSum(sq, axes);
  });
  const norm = sqrt(squares.reduce((a, b) => add(a, b)));
  const scale = div(maxNorm, maximum(norm, maxNorm)); // 1 while the norm is at most maxNorm
  return grads.map((g) => mul(g, scale));
}

/** SGD with momentum: v' = momentum v - lr g, p' = p + v'. */
export function sgdMomentumStep(p: Value, g: Value, velocity: Value, learningRate: Value, momentum: number): { param: Value; velocity: Value } {
  const v = sub(mul(velocity, momentum), mul(learningRate, g));
  return { param: add(p, v), velocity: v };
}

/**
 * Adam (Kingma & Ba) at step t (1-based): m' = b1 m + (1 - b1) g, v' = b2 v + (1 - b2) g^2,
 * p' = p - lr m_hat / (sqrt(v_hat) + eps) with m_hat = m' / (1 - b1^t), v_hat = v' / (1 - b2^t).
 */
export function adamStep(
  p: Value,
  g: Value,
  m: Value,
  v: Value,
  t: Value,
  learningRate: Value,
  o: Pick<OptimizerOptions, 'beta1' | 'beta2' | 'epsilon'>,
): { param: Value; m: Value; v: Value } {
  const graph = p.graph;
  const mNext = add(mul(m, o.beta1), mul(g, 1 - o.beta1));
  const vNext = add(mul(v, o.beta2), mul(mul(g, g), 1 - o.beta2));
  const mHat = div(mNext, sub(1, pow(graph.constant(o.beta1, t.dtype), t)));
  const vHat = div(vNext, sub(1, pow(graph.constant(o.beta2, t.dtype), t)));
  const param = sub(p, mul(learningRate, div(mHat, add(sqrt(vHat), o.epsilon))));
  return { param, m: mNext, v: vNext };
}

/**
 * Add the optimiser's update of `updates` to graph g, in the ping-pong style of a training step: a scalar
 * input `learning_rate`, the optimiser's state inputs, and for each parameter input P and state input S the
 * outputs P_next and S_next. Parameters must be graph inputs of known numeric shape. Returns the state
 * tensors (besides the parameters) that the training loop keeps: for SGD with momentum `P_velocity`; for Adam
 * `P_adam_m`, `P_adam_v` and the step count `adam_step`.
 */
export function addOptimizer(g: Graph, updates: readonly ParameterUpdate[], options: Partial<OptimizerOptions> = {}): StateTensor[] {
  const o: OptimizerOptions = { ...defaultOptimizerOptions, ...options };
  checkOptimizerOptions(o);
  const dtype = updates[0]?.param.dtype ?? 'float32';
  const learningRate = g.input(optimizerNames.learningRate, dtype, []);
  let grads = updates.map((u) => u.grad);
  if (o.clipNorm > 0) grads = clipByGlobalNorm(grads, o.clipNorm);
  grads = grads.map((gr, i) => (o.weightDecay > 0 && updates[i].decay !== false ? add(gr, mul(updates[i].param, o.weightDecay)) : gr));
  const state: StateTensor[] = [];
  const stateInput = (name: string, dims: readonly number[], fill = 0): Value => {
    state.push({ name, dims, fill });
    return g.input(name, dtype, dims);
  };
  const dimsOf = (p: Value): number[] => numericDims(p, 'addOptimizer');

  if (o.optimizer === 'adam') {
    const t = stateInput(optimizerNames.adamStep, []);
    const tNext = add(t, 1);
    g.output(nextName(optimizerNames.adamStep), tNext);
    updates.forEach((u, i) => {
      const dims = dimsOf(u.param);
      const m = stateInput(`${u.param.name}_adam_m`, dims);
      const v = stateInput(`${u.param.name}_adam_v`, dims);
      const next = adamStep(u.param, grads[i], m, v, tNext, learningRate, o);
      g.output(nextName(u.param.name), constrained(u, next.param));
      g.output(nextName(m.name), next.m);
      g.output(nextName(v.name), next.v);
    });
  } else if (o.momentum > 0) {
    updates.forEach((u, i) => {
      const velocity = stateInput(`${u.param.name}_velocity`, dimsOf(u.param));
      const next = sgdMomentumStep(u.param, grads[i], velocity, learningRate, o.momentum);
      g.output(nextName(u.param.name), constrained(u, next.param));
      g.output(nextName(velocity.name), next.velocity);
    });
  } else {
    updates.forEach((u, i) => g.output(nextName(u.param.name), constrained(u, sub(u.param, mul(learningRate, grads[i])))));
  }
  return state;
}

/**
 * Add to loss's graph the gradient of the scalar `loss` with respect to each parameter and the optimiser's
 * update, as `addOptimizer` does (same inputs, outputs and state). For SGD the backward pass starts from
 * -learning_rate instead of 1, so that it yields the steps -lr g themselves and the update is one addition
 * per parameter (p' = p + step, or v' = momentum v + step, p' = p + v') instead of a scaling and a
 * subtraction over every parameter; clipping and weight decay are applied to the steps, which is the same
 * update. Adam takes the plain gradients.
 */
export function addMinimizer(
  loss: Value,
  params: readonly UpdatedParameter[],
  options: Partial<OptimizerOptions> = {},
): StateTensor[] {
  const o: OptimizerOptions = { ...defaultOptimizerOptions, ...options };
  const g = loss.graph;
  if (o.optimizer === 'adam') {
    const grads = gradients(loss, params.map((p) => p.param));
    return addOptimizer(g, params.map((p, i) => ({ ...p, grad: grads[i] })), o);
  }
  checkOptimizerOptions(o);
  const learningRate = g.input(optimizerNames.learningRate, loss.dtype, []);
  let steps = gradients(loss, params.map((p) => p.param), { seed: neg(learningRate) });
  if (o.clipNorm > 0) {
    // ||steps|| = lr ||g||: clip to lr clipNorm (the floor keeps lr = 0 from dividing 0 by 0).
    steps = clipByGlobalNorm(steps, maximum(mul(learningRate, o.clipNorm), 1e-30));
  }
  if (o.weightDecay > 0) {
    const decay = mul(learningRate, -o.weightDecay);
    steps = steps.map((st, i) => (params[i].decay !== false ? add(st, mul(params[i].param, decay)) : st));
  }
  const state: StateTensor[] = [];
  params.forEach((p, i) => {
    const { param } = p;
    if (o.momentum > 0) {
      const dims = numericDims(param, 'addMinimizer');
      const name = `${param.name}_velocity`;
      state.push({ name, dims, fill: 0 });
      const velocity = add(mul(g.input(name, param.dtype, dims), o.momentum), steps[i]);
      g.output(nextName(name), velocity);
      g.output(nextName(param.name), constrained(p, add(param, velocity)));
    } else {
      g.output(nextName(param.name), constrained(p, add(param, steps[i])));
    }
  });
  return state;
}

function numericDims(p: Value, caller: string): number[] {
  const shape = p.shape;
  if (shape === undefined || !shape.every((d) => typeof d === 'number')) throw new Error(`${caller}: ${p.name} needs a known numeric shape`);
  return shape as number[];
}

/** Throws a RangeError naming the first option out of range. */
export function checkOptimizerOptions(o: OptimizerOptions): void {
  if (o.optimizer !== 'sgd' && o.optimizer !== 'adam') throw new RangeError(`optimizer must be sgd or adam, got ${String(o.optimizer)}`);
  for (const [name, x] of Object.entries({ momentum: o.momentum, beta1: o.beta1, beta2: o.beta2 })) {
    if (!(Number.isFinite(x) && x >= 0 && x < 1)) throw new RangeError(`${name} must be in [0, 1), got ${x}`);
  }
  for (const [name, x] of Object.entries({ epsilon: o.epsilon, weightDecay: o.weightDecay, clipNorm: o.clipNorm })) {
    if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`${name} must be a finite number >= 0, got ${x}`);
  }
}

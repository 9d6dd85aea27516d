import type { Dim } from '../graph/dtype.js';
import type { Value } from '../graph/graph.js';
import { add, expand, shapeOf } from '../graph/ops/index.js';
import { nonDifferentiable, vjpRules, withShape } from './rules.js';
import { isStopped } from './stop-gradient.js';

export interface GradientOptions {
  /**
   * The gradient of the loss itself, shaped like it: the result is then the vector-Jacobian product
   * seed^T d(loss)/d(wrt). Default: 1, which needs a scalar loss.
   */
  readonly seed?: Value;
}

/**
 * The gradients d(loss)/d(x) for each x of `wrt`, as new values of loss's graph (reverse-mode
 * differentiation): the graph's nodes are walked backwards from `loss`, and each node's rule (see
 * `vjpRules`) adds the ops of its vector-Jacobian product. Each gradient has the shape of its x. An x that
 * the loss does not depend on gets zeros. Random draws, comparisons and `stopGradient` pass no gradient.
 * Throws on an op without a rule on the path from an x to the loss.
 */
export function gradients(loss: Value, wrt: readonly Value[], options: GradientOptions = {}): Value[] {
  const graph = loss.graph;
  for (const x of wrt) if (x.graph !== graph) throw new Error(`gradients: ${x.name} belongs to another graph`);
  const nodes = graph.nodeList.slice(); // the forward graph: nodes added below are the backward pass

  // The values that depend on some x (and so may need a gradient).
  const active = new Set(wrt.map((x) => x.name));
  for (const node of nodes) {
    if (nonDifferentiable.has(node.opType) || !node.inputs.some((name) => active.has(name))) continue;
    for (const name of node.outputs) if (!isStopped(graph, name)) active.add(name);
  }

  const grads = new Map<string, Value>();
  grads.set(loss.name, seedGradient(loss, options.seed));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    // Reached through any of its outputs (a gradient into a second output must not be dropped silently).
    if (!node.outputs.some((name) => grads.has(name)) || nonDifferentiable.has(node.opType) || isStopped(graph, node.outputs[0])) continue;
    const needs = node.inputs.map((name) => name !== '' && active.has(name));
    if (!needs.some(Boolean)) continue;
    const out = grads.get(node.outputs[0]);
    if (node.outputs.length !== 1 || out === undefined) throw new Error(`gradients: ${node.opType} has several outputs; no rule covers it`);
    const rule = vjpRules[node.opType];
    if (rule === undefined) throw new Error(`gradients: no gradient rule for ${node.opType} (${node.outputs[0]} depends on a differentiated input)`);
    const outputs = node.outputs.map((name) => valueOf(graph, name));
    const inputs = node.inputs.map((name) => (name === '' ? undefined : valueOf(graph, name)));
    const inputGrads = rule(
      { graph, opType: node.opType, inputs, outputs, attributes: node.attributes, needs },
      withShape(out, outputs[0].shape),
    );
    inputs.forEach((x, k) => {
      const g = inputGrads[k];
      if (x === undefined || g === undefined || !needs[k]) return;
      checkShape(node.opType, g, x);
      const previous = grads.get(x.name);
      grads.set(x.name, withShape(previous === undefined ? g : add(previous, g), x.shape));
    });
  }
  return wrt.map((x) => grads.get(x.name) ?? zerosLike(x));
}

function valueOf(graph: Value['graph'], name: string): Value {
  const v = graph.valueNamed(name);
  if (v === undefined) throw new Error(`gradients: unknown value ${name}`);
  return v;
}

function seedGradient(loss: Value, seed: Value | undefined): Value {
  if (seed !== undefined) {
    if (seed.dtype !== loss.dtype) throw new Error(`gradients: the seed is ${seed.dtype}, the loss ${loss.dtype}`);
    return withShape(seed, loss.shape);
  }
  if (loss.shape === undefined || loss.shape.length !== 0) {
    throw new Error(`gradients: the loss ${loss.name} must be a scalar (shape [${loss.shape?.join(', ') ?? '?'}]); reduce it or give a seed`);
  }
  return loss.graph.constant(1, loss.dtype);
}

/** A rule's result must have its input's shape where both are known: a check on the rules themselves. */
function checkShape(opType: string, g: Value, x: Value): void {
  const [a, b] = [g.shape, x.shape];
  if (a === undefined || b === undefined) return;
  const clash = a.length !== b.length || a.some((d, i) => typeof d === 'number' && typeof b[i] === 'number' && d !== b[i]);
  if (clash) throw new Error(`gradients: ${opType} rule gave shape [${a.join(', ')}] for ${x.name} of shape [${b.join(', ')}]`);
}

function zerosLike(x: Value): Value {
  const zero = x.graph.constant(0, x.dtype);
  const shape = x.shape;
  if (isNumeric(shape)) return expand(zero, shape);
  return expand(zero, shapeOf(x), shape);
}

function isNumeric(shape: readonly Dim[] | undefined): shape is readonly number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

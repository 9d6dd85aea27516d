import type { Graph, Value } from '../graph/graph.js';

/** Names of the values marked by stopGradient, per graph. */
const stopped = new WeakMap<Graph, Set<string>>();

/**
 * x, treated as a constant by `gradients`: the value is x (an ONNX Identity), its gradient zero. For the
 * parts of a loss that must not be differentiated through, such as the model samples of a contrastive loss.
 */
export function stopGradient(x: Value): Value {
  const [y] = x.graph.node('Identity', [x], [{ dtype: x.dtype, shape: x.shape }]);
  let names = stopped.get(x.graph);
  if (names === undefined) {
    names = new Set();
    stopped.set(x.graph, names);
  }
  names.add(y.name);
  return y;
}

/** Whether the value called `name` of `graph` was made by stopGradient. */
export function isStopped(graph: Graph, name: string): boolean {
  return stopped.get(graph)?.has(name) ?? false;
}

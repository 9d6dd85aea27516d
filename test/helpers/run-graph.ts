/** Glue for op tests: declare outputs, compile, run, and check the runtime dims against `Value.shape`. */
import type { Tensor } from 'onnxruntime-common';
import { expect } from 'vitest';
import type { Graph, Value } from '../../src/graph/graph.js';
import type { Engine, TensorMap } from '../../src/runtime/engine.js';
import type { NdArray } from './reference.js';

/**
 * Declare each of `outputs` under its key, compile `graph` on `engine` and run it once on `feeds` (a random
 * graph in a fresh session, so its streams start from the beginning). Every output's
 * dims must agree with the shape the builder recorded (its rank, and each dim that is a known number).
 */
export async function evaluate(
  engine: Engine,
  graph: Graph,
  outputs: Readonly<Record<string, Value>>,
  feeds: TensorMap,
): Promise<TensorMap> {
  for (const [name, value] of Object.entries(outputs)) graph.output(name, value);
  const results = await engine.withProgram(graph, (program) => program.run(feeds));
  for (const [name, value] of Object.entries(outputs)) {
    const dims = results[name].dims;
    if (value.shape !== undefined) {
      expect(dims.length, `rank of ${name}`).toBe(value.shape.length);
      value.shape.forEach((d, i) => {
        if (typeof d === 'number') expect(dims[i], `dim ${i} of ${name}`).toBe(d);
      });
    }
  }
  return results;
}

/** A float32 feed for an array (rounded to float32). */
export function feed(engine: Engine, x: NdArray): Tensor {
  return engine.float32(Float32Array.from(x.data), x.shape);
}

/** The numbers of a tensor, checking its element type. */
export function numbers(t: Tensor, type: Tensor.Type = 'float32'): ArrayLike<number> {
  expect(t.type).toBe(type);
  const data = t.data;
  if (data instanceof BigInt64Array) return Array.from(data, Number);
  if (typeof data[0] === 'string') throw new Error('numbers: a string tensor');
  return data as ArrayLike<number>;
}

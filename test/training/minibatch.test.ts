/**
 * Minibatches gathered in the graph (src/training/minibatch.ts) against rows copied in JavaScript: every
 * minibatch of a permutation, for two inputs gathered at the same rows; bad sizes are refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { gatherRows, matrix } from '../../src/tensor/matrix.js';
import { batchRowsInput, gatheredMinibatch, MinibatchRows } from '../../src/training/minibatch.js';
import { evaluate } from '../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('MinibatchRows', () => {
  it('gathers minibatch b of the permutation from every input, as copying the rows would', async () => {
    const rng = new RandomStream(7);
    const examples = matrix(Float32Array.from({ length: 23 * 5 }, () => rng.normal()), 23, 5);
    const targets = matrix(Float32Array.from({ length: 23 * 3 }, (_, i) => i), 23, 3);
    const batch = 4;
    const minibatches = new MinibatchRows(engine, batch, { examples, targets });
    expect(minibatches.count).toBe(5);
    const order = rng.permutation(23);
    for (let b = 0; b < minibatches.count; b++) {
      const g = new Graph('gather-test');
      const rows = batchRowsInput(g, batch);
      const x = gatheredMinibatch(g, rows, 23, 5);
      const y = gatheredMinibatch(g, rows, 23, 3, 'targets');
      minibatches.select(order, b);
      const out = await evaluate(engine, g, { x, y }, minibatches.feeds);
      const picked = Int32Array.from(order.slice(b * batch, (b + 1) * batch));
      expect(Array.from(out.x.data as Float32Array)).toEqual(Array.from(gatherRows(examples, picked).data));
      expect(Array.from(out.y.data as Float32Array)).toEqual(Array.from(gatherRows(targets, picked).data));
    }
  });

  it('refuses a batch larger than the examples and inputs of different lengths', () => {
    const a = matrix(new Float32Array(6), 3, 2);
    expect(() => new MinibatchRows(engine, 4, { examples: a })).toThrow(/batchSize 4/);
    expect(() => new MinibatchRows(engine, 2, { examples: a, targets: matrix(new Float32Array(4), 2, 2) })).toThrow(/same rows/);
  });
});

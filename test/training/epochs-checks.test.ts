/**
 * The epoch loop's remaining promises (src/training/epochs.ts), on a step whose effect is known: p_next = p +
 * learning_rate * (the minibatch's column sums), q_next = q + 1. A parameter with a single NaN value, beside
 * one that is finite, is a divergence that leaves both as they were; an error of the trainer's own that is not
 * a divergence leaves the epoch's parameters copied back; `elapsedSeconds` counts seconds since the epoch began.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { add, mul, reduceSum } from '../../src/graph/ops/index.js';
import { nextName } from '../../src/graph/state.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import { DivergenceError } from '../../src/training/divergence.js';
import { runEpochs, type EpochLoop } from '../../src/training/epochs.js';
import { PingPongState } from '../../src/training/graph-state.js';
import { batchRowsInput, gatheredMinibatch, MinibatchRows } from '../../src/training/minibatch.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const [ROWS, COLS, BATCH] = [4, 3, 2];

function stepGraph(): Graph {
  const g = new Graph('two-parameter-step');
  const p = g.input('p', 'float32', [COLS]);
  const q = g.input('q', 'float32', [2]);
  const x = gatheredMinibatch(g, batchRowsInput(g, BATCH), ROWS, COLS);
  g.output(nextName('p'), add(p, mul(g.input('learning_rate', 'float32', []), reduceSum(x, [0]))));
  g.output(nextName('q'), add(q, 1));
  return g;
}

/** A loop over `examples` [ROWS, COLS] with parameters p [COLS] and q [2], learning rate 1. */
function loop(examples: Float32Array, p: Float32Array, q: Float32Array, finish: EpochLoop<number>['startEpoch']): EpochLoop<number> {
  return {
    engine,
    state: new PingPongState(engine, [
      { name: 'p', dims: [COLS], initial: p },
      { name: 'q', dims: [2], initial: q },
    ]),
    minibatches: new MinibatchRows(engine, BATCH, { examples: matrix(examples, ROWS, COLS) }),
    rng: new RandomStream(3),
    nExamples: ROWS,
    from: 0,
    to: 2,
    parameters: [
      { name: 'q', values: q },
      { name: 'p', values: p },
    ],
    graphAt: stepGraph,
    startEpoch: finish,
  };
}

const ones = (): Float32Array => new Float32Array(ROWS * COLS).fill(1);

describe('runEpochs', () => {
  it('treats a single NaN in one parameter, the other finite, as a divergence: both keep their last good values', async () => {
    const examples = ones();
    examples[1 * COLS + 2] = NaN; // column 2 of one row: p[2] becomes NaN once that row is visited, p[0], p[1] and q stay finite
    const p = new Float32Array(COLS);
    const q = new Float32Array(2);
    const error = await runEpochs(loop(examples, p, q, (epoch) => ({ scalars: { learning_rate: 1 }, finish: () => epoch + 1 }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).epoch).toBe(1);
    expect(Array.from(p)).toEqual([0, 0, 0]);
    expect(Array.from(q)).toEqual([0, 0]);
  });

  it('keeps the epoch\'s copied-back parameters when the trainer fails with an error that is not a divergence', async () => {
    const p = new Float32Array(COLS);
    const q = new Float32Array(2);
    const boom = new Error('the monitor failed');
    const run = runEpochs(
      loop(ones(), p, q, (epoch) => ({
        scalars: { learning_rate: 1 },
        finish: () => {
          if (epoch === 1) throw boom;
          return epoch + 1;
        },
      })),
    );
    await expect(run).rejects.toBe(boom);
    // Two epochs of two steps: q + 4; p + 2 rows of ones per step, 2 steps per epoch, 2 epochs.
    expect(Array.from(q)).toEqual([4, 4]);
    expect(Array.from(p)).toEqual([8, 8, 8]);
  });

  it('gives the trainer the seconds since the epoch began', async () => {
    const elapsed: number[] = [];
    const before = performance.now();
    await runEpochs(loop(ones(), new Float32Array(COLS), new Float32Array(2), (epoch) => ({ scalars: { learning_rate: 1 }, finish: ({ stepSeconds, elapsedSeconds }) => (elapsed.push(elapsedSeconds(), stepSeconds), epoch + 1) })));
    const wall = (performance.now() - before) / 1000;
    for (let e = 0; e < elapsed.length; e += 2) {
      expect(elapsed[e]).toBeGreaterThanOrEqual(elapsed[e + 1]);
      expect(elapsed[e]).toBeLessThanOrEqual(wall);
    }
  });
});

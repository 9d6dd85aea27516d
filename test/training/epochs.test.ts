/**
 * The epoch loop of every trainer (src/training/epochs.ts), on a step whose effect is known in closed form:
 * p_next = p + learning_rate * (the minibatch's column sums), so that one epoch adds learning_rate times the
 * sum of the rows it visited. Checked: the parameters copied back after each epoch, the scalars fed per epoch,
 * the shuffles drawn from the given stream, one graph per run of equal keys, and that a non-finite parameter
 * or a trainer's DivergenceError leaves the previous epoch's parameters.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { add, mul, reduceSum } from '../../src/graph/ops/index.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import { DivergenceError } from '../../src/training/divergence.js';
import { runEpochs, type EpochLoop } from '../../src/training/epochs.js';
import { PingPongState } from '../../src/training/graph-state.js';
import { batchRowsInput, gatheredMinibatch, MinibatchRows } from '../../src/training/minibatch.js';
import { nextName } from '../../src/graph/state.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const ROWS = 10;
const COLS = 3;
const BATCH = 3; // 3 full minibatches: one example sits each epoch out

function stepGraph(): Graph {
  const g = new Graph('sum-step');
  const p = g.input('p', 'float32', [COLS]);
  const x = gatheredMinibatch(g, batchRowsInput(g, BATCH), ROWS, COLS);
  g.output(nextName('p'), add(p, mul(g.input('learning_rate', 'float32', []), reduceSum(x, [0]))));
  return g;
}

/** A loop over `examples` with parameter p, learning rate 1 / (epoch + 1) and a seeded shuffle. */
function sumLoop(examples: Float32Array, p: Float32Array, overrides: Partial<EpochLoop<number>> = {}): EpochLoop<number> {
  const data = matrix(examples, ROWS, COLS);
  return {
    engine,
    state: new PingPongState(engine, [{ name: 'p', dims: [COLS], initial: p }]),
    minibatches: new MinibatchRows(engine, BATCH, { examples: data }),
    rng: new RandomStream(5),
    nExamples: ROWS,
    from: 0,
    to: 3,
    parameters: [{ name: 'p', values: p }],
    graphAt: stepGraph,
    startEpoch: (epoch) => ({ scalars: { learning_rate: 1 / (epoch + 1), unused_scalar: 7 }, finish: () => epoch + 1 }),
    ...overrides,
  };
}

/** p after the epochs, computed on the host from the same shuffles. */
function expected(examples: Float32Array, epochs: number): Float64Array {
  const rng = new RandomStream(5);
  const p = new Float64Array(COLS);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.permutation(ROWS);
    for (let r = 0; r < BATCH * Math.floor(ROWS / BATCH); r++) for (let j = 0; j < COLS; j++) p[j] += examples[order[r] * COLS + j] / (epoch + 1);
  }
  return p;
}

describe('runEpochs', () => {
  const examples = Float32Array.from({ length: ROWS * COLS }, (_, i) => (i * 7) % 11);

  it('copies the parameters back after every epoch, feeding each epoch its scalars and shuffle', async () => {
    const p = new Float32Array(COLS);
    const seen: number[][] = [];
    const records = await runEpochs(sumLoop(examples, p, { onEpoch: () => void seen.push(Array.from(p)) }));
    expect(records).toEqual([1, 2, 3]);
    for (let e = 1; e <= 3; e++) Array.from(expected(examples, e)).forEach((x, j) => expect(seen[e - 1][j]).toBeCloseTo(x, 4));
  });

  it('builds one graph for each run of epochs with the same key', async () => {
    const built: number[] = [];
    const loop = sumLoop(examples, new Float32Array(COLS), { to: 5, graphKey: (epoch) => Math.floor(epoch / 2), graphAt: (epoch) => (built.push(epoch), stepGraph()) });
    await runEpochs(loop);
    expect(built).toEqual([0, 2, 4]);
  });

  it('a DivergenceError from the trainer puts back the previous epoch\'s parameters', async () => {
    const p = new Float32Array(COLS);
    const loop = sumLoop(examples, p, {
      startEpoch: (epoch) => ({
        scalars: { learning_rate: 1 / (epoch + 1) },
        finish: () => {
          if (epoch === 1) throw new DivergenceError(epoch + 1, 'planted');
          return epoch + 1;
        },
      }),
    });
    await expect(runEpochs(loop)).rejects.toThrow(/diverged in epoch 2 \(planted\)/);
    Array.from(expected(examples, 1)).forEach((x, j) => expect(p[j]).toBeCloseTo(x, 4));
  });

  it('a non-finite parameter stops training with the previous epoch\'s parameters', async () => {
    const p = new Float32Array(COLS);
    const loop = sumLoop(examples, p, { startEpoch: (epoch) => ({ scalars: { learning_rate: epoch === 2 ? Infinity : 1 / (epoch + 1) }, finish: () => epoch + 1 }) });
    await expect(runEpochs(loop)).rejects.toBeInstanceOf(DivergenceError);
    Array.from(expected(examples, 2)).forEach((x, j) => expect(p[j]).toBeCloseTo(x, 4));
  });
});

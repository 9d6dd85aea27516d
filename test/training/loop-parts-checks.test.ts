/**
 * The small parts of the epoch loop at their edges: the state's refusals, the monitor's means and where its
 * pseudo-log-likelihood comes from, the divergence error's name and default reason, and the minibatch rows'
 * refusals of batch sizes, with no input at all among them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { pseudoLogLikelihood } from '../../src/estimators/pseudo-likelihood.js';
import { sliceRows } from '../../src/tensor/matrix.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { DivergenceError } from '../../src/training/divergence.js';
import { PingPongState } from '../../src/training/graph-state.js';
import { MinibatchRows } from '../../src/training/minibatch.js';
import { monitor } from '../../src/training/monitor.js';
import { randomBinary, randomRbm } from '../helpers/random-data.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('PingPongState', () => {
  it('refuses starting values of the wrong length and an unknown state, naming them', () => {
    expect(() => new PingPongState(engine, [{ name: 'w', dims: [2, 3], initial: [1, 2, 3] }])).toThrow('state w: 3 values for dims [2, 3]');
    const state = new PingPongState(engine, [{ name: 'w', dims: [2, 3], initial: [1, 2, 3, 4, 5, 6] }]);
    expect(Array.from(state.get('w'))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => state.get('v')).toThrow('no state tensor v');
  });
});

describe('monitor', () => {
  const rbm = randomRbm(engine, 6, 4, 1);
  const train = randomBinary(120, 6, 2);
  const heldOut = randomBinary(110, 6, 3);
  const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

  it('gives the means per example, and the pseudo-log-likelihood of the first 100 held-out rows', async () => {
    const r = await monitor(rbm, train, heldOut);
    expect(r.reconstructionError).toBeCloseTo(mean((await rbm.reconstruct(train)).squaredErrors), 5);
    expect(r.freeEnergyTrain).toBeCloseTo(mean(await rbm.freeEnergy(train)), 5);
    expect(r.freeEnergyHeldOut).toBeCloseTo(mean(await rbm.freeEnergy(heldOut)), 5);
    expect(r.pseudoLogLikelihood).toBeCloseTo(await pseudoLogLikelihood(rbm, sliceRows(heldOut, 0, 100)), 5);
  });

  it('without held-out data, takes the pseudo-log-likelihood of the first 100 training rows', async () => {
    const r = await monitor(rbm, train, undefined);
    expect(r.pseudoLogLikelihood).toBeCloseTo(await pseudoLogLikelihood(rbm, sliceRows(train, 0, 100)), 5);
    expect(r.freeEnergyHeldOut).toBeUndefined();
  });
});

describe('DivergenceError', () => {
  it('is named, and says by default that a parameter became NaN or infinite', () => {
    const e = new DivergenceError(3);
    expect(e.name).toBe('DivergenceError');
    expect(e.message).toBe('training diverged in epoch 3 (a parameter became NaN or infinite); kept the parameters of epoch 2: lower the learning rate');
  });
});

describe('MinibatchRows', () => {
  const x = randomBinary(5, 2, 1);

  it('refuses batch sizes outside 1 .. the examples, and any with no input to gather', () => {
    for (const batchSize of [0, -1, 1.5, 6]) expect(() => new MinibatchRows(engine, batchSize, { examples: x })).toThrow(`batchSize ${batchSize} must be an integer from 1 to the 5 examples`);
    for (const batchSize of [1, 5]) expect(new MinibatchRows(engine, batchSize, { examples: x }).count).toBe(Math.floor(5 / batchSize));
    expect(() => new MinibatchRows(engine, 1, {})).toThrow('batchSize 1 must be an integer from 1 to the 0 examples');
  });
});

import { describe, expect, it } from 'vitest';
import { barsAndStripes, barsAndStripesEntropy } from '../../src/data/bars-and-stripes.js';
import { RBM } from '../../src/models/rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { DivergenceError } from '../../src/training/divergence.js';
import { fit } from '../../src/training/fit.js';
import { exactLogLikelihood } from '../reference/rbm-exact.js';

const engine = createNodeEngine({ threads: 1 });

/** The 30 patterns of 4x4 bars and stripes, each repeated `copies` times (so an epoch has more steps). */
function repeatedBars(copies: number): Matrix {
  const bars = barsAndStripes(4).examples;
  const data = new Float32Array(copies * bars.data.length);
  for (let c = 0; c < copies; c++) data.set(bars.data, c * bars.data.length);
  return matrix(data, copies * bars.rows, bars.cols);
}

const logLikelihoodOn = (rbm: RBM, data: Matrix): number => exactLogLikelihood({ ...rbm, ...rbm.params }, data.data, data.rows);

describe('fit', () => {
  it('learns 4x4 bars and stripes: exact log-likelihood within 1.1 nats of the optimum -log 30', async () => {
    const bars = barsAndStripes(4).examples;
    const rbm = RBM.create(engine, { nVisible: 16, nHidden: 16, seed: 1, weightScale: 0.1 });
    const before = logLikelihoodOn(rbm, bars);
    const options = { sampler: 'pcd', learningRate: 0.01, initialMomentum: 0, finalMomentum: 0, weightDecay: 0 } as const;
    await fit(rbm, repeatedBars(10), { ...options, epochs: 1000, batchSize: 10, chains: 100, seed: 2, monitorSize: 30 });
    const after = logLikelihoodOn(rbm, bars);
    // Measured -3.91 with these settings; the optimum is -3.40, a fresh model about -16 log 2 = -11.1.
    expect(before).toBeLessThan(-10);
    expect(after).toBeGreaterThan(-barsAndStripesEntropy(4) - 1.1);
    expect(after).toBeLessThanOrEqual(-barsAndStripesEntropy(4) + 1e-6);
  });

  it('is reproducible: the same seed gives the same parameters, bit for bit; another seed others', async () => {
    const train = async (seed: number): Promise<Float32Array> => {
      const rbm = RBM.create(engine, { nVisible: 16, nHidden: 8, seed });
      await fit(rbm, repeatedBars(2), { epochs: 3, batchSize: 10, seed, monitorSize: 10 });
      return rbm.params.weights;
    };
    const [a, b, c] = [await train(5), await train(5), await train(6)];
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('stops on divergence and keeps the last good parameters', async () => {
    const rbm = RBM.create(engine, { nVisible: 16, nHidden: 8, seed: 3 });
    const epochs: number[] = [];
    const run = fit(rbm, repeatedBars(2), { epochs: 50, batchSize: 10, learningRate: 1e30, seed: 3, monitorSize: 10 }, { onEpoch: (r) => void epochs.push(r.epoch) });
    await expect(run).rejects.toBeInstanceOf(DivergenceError);
    expect(rbm.params.weights.every(Number.isFinite)).toBe(true);
    expect(rbm.epochsTrained).toBe(epochs.length);
  });

  it('rejects options that make no sense', async () => {
    const rbm = RBM.create(engine, { nVisible: 16, nHidden: 8 });
    await expect(fit(rbm, repeatedBars(1), { batchSize: 31 })).rejects.toThrow(/batchSize 31 is larger than the 30 examples/);
    await expect(fit(rbm, repeatedBars(1), { batchSize: 10, k: 0 })).rejects.toThrow(/k must be a positive integer/);
    await expect(fit(rbm, repeatedBars(1), { batchSize: 10, learningRate: NaN })).rejects.toThrow(/learningRate/);
  });
});

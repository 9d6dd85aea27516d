/**
 * The classifier from a DBM (src/nn/dbm-classifier.ts): at the mean-field fixed point its first two layers
 * compute the DBM's own mean-field means (mu_1 from [v, mu_2], then mu_2 from mu_1), and it trains.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DBM } from '../../src/models/dbm.js';
import { meanFieldInput, mlpFromDbm } from '../../src/nn/dbm-classifier.js';
import { Mlp } from '../../src/nn/mlp.js';
import { trainClassifier } from '../../src/training/fit-classifier.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('mlpFromDbm', () => {
  const rng = new RandomStream(5);
  const dbm = DBM.create(engine, { sizes: [7, 5, 4], seed: 2, weightScale: 0.8 });
  dbm.params.biases.forEach((b) => b.forEach((_, i, a) => (a[i] = 0.5 * rng.normal())));
  const v = matrix(Float32Array.from({ length: 20 * 7 }, () => (rng.uniform() < 0.5 ? 1 : 0)), 20, 7);

  it('takes [v, mu_2] and its layers reproduce the mean-field fixed point: mu_1, then mu_2', async () => {
    const [mu1, mu2] = await dbm.meanField(v, 300);
    const x = await meanFieldInput(dbm, v, 300);
    expect([x.rows, x.cols]).toEqual([20, 11]);
    for (let r = 0; r < 20; r++) for (let k = 0; k < 4; k++) expect(x.data[r * 11 + 7 + k]).toBe(mu2.data[r * 4 + k]);
    const mlp = mlpFromDbm(dbm, 3, { seed: 1 });
    expect(mlp.sizes).toEqual([11, 5, 4, 3]);
    const h1 = await new Mlp(engine, mlp.layers.slice(0, 1)).logits(x);
    h1.data.forEach((y, i) => expect(y).toBeCloseTo(mu1.data[i], 4));
    const h2 = await new Mlp(engine, mlp.layers.slice(0, 2)).logits(x);
    h2.data.forEach((y, i) => expect(y).toBeCloseTo(mu2.data[i], 4));
  });

  it('fine-tunes on labels: the training error falls', async () => {
    const labels = Int32Array.from({ length: 20 }, (_, r) => (v.data[r * 7] + v.data[r * 7 + 1] > 0 ? 1 : 0));
    const mlp = mlpFromDbm(dbm, 2, { seed: 1 });
    const x = await meanFieldInput(dbm, v);
    const before = await mlp.errorRate(x, labels);
    await trainClassifier(mlp, x, labels, { epochs: 200, batchSize: 5, learningRate: 0.5, seed: 3 });
    expect(await mlp.errorRate(x, labels)).toBeLessThan(Math.min(before, 0.15));
  });
});

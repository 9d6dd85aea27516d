/** trainClassifier's refusals of options and held-out rows, each with its exact message. */
import { afterAll, describe, expect, it } from 'vitest';
import { Mlp } from '../../src/nn/mlp.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { trainClassifier } from '../../src/training/fit-classifier.js';
import { randomBinary } from '../helpers/random-data.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('trainClassifier refuses', () => {
  const mlp = Mlp.create(engine, { sizes: [4, 3, 2], seed: 1 });
  const x = randomBinary(8, 4, 2);
  const labels = Int32Array.from({ length: 8 }, (_, r) => r % 2);

  it('epochs and batch sizes that are not positive integers, and a negative learning rate', async () => {
    await expect(trainClassifier(mlp, x, labels, { epochs: 0, batchSize: 4 })).rejects.toThrow('epochs must be a positive integer, got 0');
    await expect(trainClassifier(mlp, x, labels, { epochs: 1, batchSize: 0 })).rejects.toThrow('batchSize must be a positive integer, got 0');
    await expect(trainClassifier(mlp, x, labels, { epochs: 1, batchSize: 4, learningRate: -1 })).rejects.toThrow('learningRate must be a finite number >= 0, got -1');
  });

  it('held-out rows of the wrong width, and held-out labels that do not fit', async () => {
    const heldOut = randomBinary(4, 4, 3);
    const options = { epochs: 1, batchSize: 4 };
    await expect(trainClassifier(mlp, x, labels, { ...options, heldOut: { examples: randomBinary(4, 5, 3), labels: Int32Array.of(0, 1, 0, 1) } })).rejects.toThrow('held-out data has 5 features per example but the network takes 4');
    await expect(trainClassifier(mlp, x, labels, { ...options, heldOut: { examples: heldOut, labels: Int32Array.of(0, 1, 0) } })).rejects.toThrow('held-out labels: 3 labels for 4 examples');
    await expect(trainClassifier(mlp, x, labels, { ...options, heldOut: { examples: heldOut, labels: Int32Array.of(0, 1, 2, 1) } })).rejects.toThrow('held-out labels: example 2 (0-based) has label 2, not a class from 0 to 1');
    const [record] = await trainClassifier(mlp, x, labels, { ...options, heldOut: { examples: heldOut, labels: Int32Array.of(0, 1, 1, 1) } });
    expect(record.heldOutError).toBe(await mlp.errorRate(heldOut, Int32Array.of(0, 1, 1, 1)));
  });
});

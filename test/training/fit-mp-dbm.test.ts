/**
 * Multi-prediction training end to end: on noisy images of two prototypes the trainer learns to classify
 * where the untrained model cannot; centering and
 * the mask probability do what their options say; bad input is refused with one line.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MpDBM } from '../../src/models/mp-dbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import { labelledPrototypes } from '../helpers/mp-dbm.js';
import { classification } from '../../src/training/fit-class-rbm.js';
import { buildMpDbmStep, defaultMpDbmFitOptions, fitMpDbm } from '../../src/training/fit-mp-dbm.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('fitMpDbm', () => {
  it('learns to classify the prototypes by mean field, from chance', async () => {
    const data = labelledPrototypes();
    const model = MpDBM.create(engine, { sizes: [9, 16, 8], nClasses: 2, seed: 1, weightScale: 0.1 });
    expect((await classification(model, data)).error).toBeGreaterThan(0.3);
    const records = await fitMpDbm(model, data, { epochs: 60, batchSize: 10, heldOut: data, seed: 2 });
    expect(records).toHaveLength(60);
    expect(records.at(-1)!.heldOutError).toBe(0);
    expect(records.at(-1)!.loss).toBeLessThan(records[0].loss / 2);
    expect(model.epochsTrained).toBe(60);
  });

  it('carries centering offsets as state only when centred, and draws its masks in the graph', () => {
    const shape = { sizes: [9, 4, 3], nClasses: 2 };
    const offsets = (centering: boolean): boolean[] => {
      const { graph } = buildMpDbmStep(shape, 10, { ...defaultMpDbmFitOptions, batchSize: 5, centering }, 1);
      return [0, 1, 2, 3, 4].map((l) => graph.valueNamed(`offset_${l}`) !== undefined);
    };
    expect(offsets(true)).toEqual([true, true, true, true, false]);
    expect(offsets(false)).toEqual([false, false, false, false, false]);
    expect(buildMpDbmStep(shape, 10, { ...defaultMpDbmFitOptions, batchSize: 5 }, 1).graph.isRandom).toBe(true);
  });

  it('refuses labels out of range, Adam with centering and masks that hide nothing or everything, with one line each', async () => {
    const data = labelledPrototypes();
    const model = MpDBM.create(engine, { sizes: [9, 4, 3], nClasses: 2, seed: 1 });
    const bad = { examples: data.examples, labels: data.labels.map((y, r) => (r === 3 ? 2 : y)) };
    await expect(fitMpDbm(model, bad, { epochs: 1, batchSize: 10 })).rejects.toThrow('labels: example 3 (0-based) has label 2, not a class from 0 to 1');
    await expect(fitMpDbm(model, data, { epochs: 1, batchSize: 10, optimizer: 'adam' })).rejects.toThrow('centering follows the centred gradient by SGD');
    for (const dropProbability of [0, 1]) await expect(fitMpDbm(model, data, { epochs: 1, batchSize: 10, dropProbability })).rejects.toThrow(`dropProbability must be between 0 and 1 (exclusive), got ${dropProbability}`);
    await expect(fitMpDbm(model, { examples: matrix(new Float32Array(data.examples.rows * 8), data.examples.rows, 8), labels: data.labels }, { epochs: 1, batchSize: 10 })).rejects.toThrow();
  });
});

/** fitDbn: it skips the RBMs trained to `epochs`, refuses bad data with fit's messages, and trains (and monitors) layer l on the up-pass draws of the data (and of the held-out data). */
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { DBN } from '../../src/models/dbn.js';
import type { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { fitDbn } from '../../src/training/fit-dbn.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const data = matrix(Float32Array.from([1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]), 4, 6);
const heldOut = matrix(Float32Array.from([1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1]), 2, 6);
const options = { epochs: 1, batchSize: 2, chains: 4, k: 1, seed: 3 };
const fresh = (): DBN => DBN.create(engine, { sizes: [6, 4, 3], seed: 1, weightScale: 0.5 });

/** The error that `p` rejects with (a UserError). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return error as Error;
}

/** The mean over the rows of m of F(v) = -a.v - sum_j softplus(c_j + (W^T v)_j), in float64. */
function meanFreeEnergy(rbm: RBM, m: Matrix): number {
  const { weights, visibleBias, hiddenBias } = rbm.params;
  let sum = 0;
  for (let r = 0; r < m.rows; r++) {
    const v = m.data.subarray(r * m.cols, (r + 1) * m.cols);
    for (let i = 0; i < m.cols; i++) sum -= visibleBias[i] * v[i];
    for (let j = 0; j < rbm.nHidden; j++) {
      let x = hiddenBias[j];
      for (let i = 0; i < m.cols; i++) x += weights[i * rbm.nHidden + j] * v[i];
      sum -= Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }
  }
  return sum / m.rows;
}

describe('fitDbn', () => {
  it('skips an RBM trained to exactly `epochs` (no onLayer, no records) and trains the next on the up-pass of the data', async () => {
    const dbn = fresh();
    dbn.rbms[0].epochsTrained = 1;
    const before = Array.from(dbn.rbms[0].params.weights);
    const seen: [number, Matrix][] = [];
    const records = await fitDbn(dbn, data, options, { onLayer: (l, x) => seen.push([l, x]) });
    expect(seen.map(([l]) => l)).toEqual([1]);
    expect(records.map((r) => r.layer)).toEqual([1]);
    expect(dbn.rbms.map((r) => r.epochsTrained)).toEqual([1, 1]);
    expect(Array.from(dbn.rbms[0].params.weights)).toEqual(before);
    // Layer 1's rows: one up-pass draw of the data, from the second seed of layer 1 (seeds: layer, up-pass, held-out per layer).
    const seeds = new RandomStream(options.seed);
    const drawn = Array.from({ length: 6 }, () => seeds.seed());
    const up = await dbn.sampleUp(data, 1, drawn[4]);
    expect(Array.from(seen[0][1].data)).toEqual(Array.from(up.data));
    expect([seen[0][1].rows, seen[0][1].cols]).toEqual([4, 4]);
  });

  it('hands layer 0 the data itself', async () => {
    const layers: Matrix[] = [];
    await fitDbn(fresh(), data, options, { onLayer: (l, x) => layers.push(x) });
    expect(layers[0]).toBe(data);
  });

  it('refuses data and held-out data of the wrong width with fit\'s messages (no up-pass at layer 0)', async () => {
    const narrow = matrix(new Float32Array(10), 2, 5);
    expect((await rejection(fitDbn(fresh(), narrow, options))).message).toBe('data: data has 5 features per example but the model has 6 visible units');
    expect((await rejection(fitDbn(fresh(), data, { ...options, heldOut: narrow }))).message).toBe('held-out data: data has 5 features per example but the model has 6 visible units');
  });

  it('monitors layer 0 on the held-out data and layer 1 on one up-pass draw of it', async () => {
    const dbn = fresh();
    const records = await fitDbn(dbn, data, { ...options, heldOut });
    expect(records.map((r) => r.layer)).toEqual([0, 1]);
    const seeds = new RandomStream(options.seed);
    const drawn = Array.from({ length: 6 }, () => seeds.seed());
    expect(records[0].freeEnergyHeldOut).toBeCloseTo(meanFreeEnergy(dbn.rbms[0], heldOut), 4);
    const up = await dbn.sampleUp(heldOut, 1, drawn[5]);
    expect(records[1].freeEnergyHeldOut).toBeCloseTo(meanFreeEnergy(dbn.rbms[1], up), 4);
    expect(records[1].freeEnergyTrain).toBeCloseTo(meanFreeEnergy(dbn.rbms[1], await dbn.sampleUp(data, 1, drawn[4])), 4);
  });
});

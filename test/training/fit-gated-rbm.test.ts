/**
 * Training of the gated RBM: on shifted random dots of 6 x 6 pixels, CD must teach a tiny model the conditional
 * p(y | x) (scored exactly by enumeration of its 8 mapping units) past independent pixels, and through x: the
 * same outputs given other pairs' inputs must score far lower; the
 * max-norm holds each factor's filters; the same seed gives the same model; bad settings are one-line refusals.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataSpec } from '../../src/data/spec.js';
import { UserError } from '../../src/errors.js';
import { gatedRbmLogLikelihood } from '../../src/estimators/gated-rbm-likelihood.js';
import { GatedRBM } from '../../src/models/gated-rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { gatherRows, joinColumns, matrix, sliceColumns, sliceRows, type Matrix } from '../../src/tensor/matrix.js';
import { fitGatedRbm } from '../../src/training/fit-gated-rbm.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const pairs = loadDataSpec('pairs:shift:dots:5100:6').examples;
const train = sliceRows(pairs, 0, 5000);
const test = sliceRows(pairs, 5000, 5100);
const settings = { learningRate: 0.01, learningRateSchedule: 'constant', batchSize: 20, momentum: 0.9 } as const;
const tiny = (seed = 3): GatedRBM => GatedRBM.create(engine, { nInput: 36, nOutput: 36, nHidden: 8, nFactors: 32, seed, weightScale: 0.3 });

/** The mean log-likelihood of the test outputs under independent pixels with the training outputs' frequencies (add-one smoothed). */
function independentPixels(trainOut: Matrix, testOut: Matrix): number {
  let total = 0;
  for (let j = 0; j < trainOut.cols; j++) {
    let ones = 1;
    for (let r = 0; r < trainOut.rows; r++) ones += trainOut.data[r * trainOut.cols + j];
    const p = ones / (trainOut.rows + 2);
    for (let r = 0; r < testOut.rows; r++) total += testOut.data[r * testOut.cols + j] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / testOut.rows;
}

/** The pairs with each input replaced by the next pair's: outputs no longer made from their inputs. */
const mismatched = (m: Matrix): Matrix => joinColumns(sliceColumns(gatherRows(m, Array.from({ length: m.rows }, (_, r) => (r + 1) % m.rows)), 0, 36), sliceColumns(m, 36, 72));

describe('fitGatedRbm', () => {
  it('learns p(y | x) of shifted dots from x: exactly scored, above independent pixels, and only with the pair\'s own x', async () => {
    const model = tiny();
    const exact = async (m: Matrix): Promise<number> => (await gatedRbmLogLikelihood(model, m, { method: 'exact' })).logLikelihood;
    const before = await exact(test);
    const records = await fitGatedRbm(model, train, { ...settings, epochs: 20 });
    const after = await exact(test);
    expect(records.map((r) => r.epoch)).toEqual(Array.from({ length: 20 }, (_, e) => e + 1));
    expect(model.epochsTrained).toBe(20);
    expect(after).toBeGreaterThan(before + 0.5);
    expect(after).toBeGreaterThan(independentPixels(sliceColumns(train, 36, 72), sliceColumns(test, 36, 72)) + 0.25);
    expect(after).toBeGreaterThan((await exact(mismatched(test))) + 0.5);
    expect(records.at(-1)!.reconstructionError).toBeLessThan(records[0].reconstructionError);
  });

  it.each([
    ['sgd', 0.05],
    ['adam', 0.05],
  ] as const)('holds every factor\'s filters within the max-norm (%s)', async (optimizer, learningRate) => {
    const model = tiny();
    await fitGatedRbm(model, sliceRows(train, 0, 1000), { ...settings, epochs: 3, optimizer, learningRate, maxNorm: 0.8 });
    const { nFactors } = model.shape;
    let reached = 0;
    for (const [w, rows] of [[model.params.inputFactors, 36], [model.params.outputFactors, 36], [model.params.hiddenFactors, 8]] as const) {
      for (let f = 0; f < nFactors; f++) {
        let norm = 0;
        for (let i = 0; i < rows; i++) norm += w[i * nFactors + f] ** 2;
        expect(Math.sqrt(norm)).toBeLessThanOrEqual(0.8 + 1e-5);
        reached += Number(Math.sqrt(norm) > 0.8 - 1e-4);
      }
    }
    expect(reached).toBeGreaterThan(0);
  });

  it('gives the same model for the same seed, another for another', async () => {
    const run = async (seed: number): Promise<Float32Array> => {
      const model = tiny();
      await fitGatedRbm(model, train, { ...settings, epochs: 2, seed });
      return model.params.hiddenFactors;
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
  });

  it('refuses pairs of another width, bad batch sizes and k with one line', async () => {
    const model = tiny();
    await expect(fitGatedRbm(model, matrix(new Float32Array(30), 1, 30))).rejects.toThrow(/30 features per example but the model has 72 visible units/);
    await expect(fitGatedRbm(model, train, { batchSize: 5001 })).rejects.toThrow(/^batchSize 5001 must be an integer from 1 to the 5000 pairs$/);
    await expect(fitGatedRbm(model, train, { k: 0 })).rejects.toThrow(UserError);
    await expect(fitGatedRbm(model, train, { maxNorm: -1 })).rejects.toThrow(/^maxNorm must be a finite number >= 0 \(0: none\), got -1$/);
    expect(model.epochsTrained).toBe(0);
  });
});

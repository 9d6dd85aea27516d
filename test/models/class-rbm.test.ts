/**
 * The classification RBM against brute-force float64 enumeration of every (x, h, y) of a tiny 4-visible,
 * 3-hidden, 3-class machine (test/reference/class-rbm-exact.ts): p(y | x), E[h | x], log p(x) and log Z, the
 * RBM given a class; and its joint Gibbs chain, whose samples of x must follow p(x) state by state.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { score } from '../../src/estimators/score.js';
import { classRbmLogLikelihood } from '../../src/estimators/class-rbm-likelihood.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { expectAllClose } from '../helpers/reference.js';
import { randomClassRbm } from '../helpers/class-rbm.js';
import { everyBinaryState, randomBinary } from '../helpers/random-data.js';
import { exactClassLogProbabilities, exactClassLogZ, exactHiddenMean, exactLogMarginal, logJointOverHidden } from '../reference/class-rbm-exact.js';
import { stateIndex } from '../reference/rbm-exact.js';
import { UserError } from '../../src/errors.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const states = everyBinaryState(4);
const row = (r: number): Float32Array => states.data.subarray(r * 4, (r + 1) * 4);

describe('ClassRBM against enumeration', () => {
  const model = randomClassRbm(engine, 1);

  it('gives log p(y | x) of every x and class', async () => {
    const logP = await model.classLogProbabilities(states);
    expect([logP.rows, logP.cols]).toEqual([16, 3]);
    for (let r = 0; r < 16; r++) expectAllClose(logP.data.subarray(r * 3, r * 3 + 3), exactClassLogProbabilities(model, row(r)), { atol: 1e-5 }, `x ${r}`);
  });

  it('predicts the most probable class', async () => {
    const model = randomClassRbm(engine, 4, { scale: 3 });
    const predicted = await model.predict(states);
    const expected = Array.from({ length: 16 }, (_, r) => {
      const p = exactClassLogProbabilities(model, row(r));
      return p.indexOf(Math.max(...p));
    });
    expect(Array.from(predicted)).toEqual(expected);
    expect(new Set(expected).size).toBeGreaterThan(1);
  });

  it('gives E[h | x] with the class summed out as its features', async () => {
    const h = await model.transform(states);
    for (let r = 0; r < 16; r++) expectAllClose(h.data.subarray(r * 3, r * 3 + 3), exactHiddenMean(model, row(r)), { atol: 1e-5 }, `x ${r}`);
  });

  it('is, given class k, the RBM whose p(x) is p(x | y = k)', async () => {
    const logZ = exactClassLogZ(model);
    for (let k = 0; k < 3; k++) {
      const rbm = model.givenClass(k);
      const negF = Array.from(await rbm.freeEnergy(states), (f) => -f);
      // log p(x | y = k) = log sum_h exp(-E(x, h, k)) - log p(y = k) - log Z, up to the same constant for every x.
      const exact = Array.from({ length: 16 }, (_, r) => logJointOverHidden(model, row(r))[k] - logZ);
      const shift = exact[0] - negF[0];
      expectAllClose(negF.map((f) => f + shift), exact, { atol: 1e-5 }, `class ${k}`);
    }
    expect(() => model.givenClass(3)).toThrow(UserError);
    expect(() => model.givenClass(-1)).toThrow(/classes 0 to 2/);
  });

  it('scores log p(x) exactly, the class summed out', async () => {
    const data = randomBinary(20, 4, 3);
    const exactLogZ = exactClassLogZ(model);
    let expected = 0;
    for (let r = 0; r < 20; r++) expected += exactLogMarginal(model, data.data.subarray(r * 4, r * 4 + 4), exactLogZ) / 20;
    const s = await score(model, data);
    expect(s.method).toBe('exact');
    expect(s.logLikelihood).toBeCloseTo(expected, 4);
    expect(s.logZ).toBeCloseTo(exactLogZ, 4);
    expect([s.low, s.high]).toEqual([s.logLikelihood, s.logLikelihood]);
    expect(s.logZFloor).toBeLessThanOrEqual(exactLogZ + 1e-6);
    expect(s.belowFloor).toBe(false);
  });

  it('brackets log p(x) by AIS within its range, each class annealed', async () => {
    const data = randomBinary(20, 4, 4);
    const r = await classRbmLogLikelihood(model, data, { method: 'ais', chains: 50, betas: 500 });
    const exactLogZ = exactClassLogZ(model);
    expect(r.logZLow).toBeLessThanOrEqual(exactLogZ);
    expect(r.logZHigh).toBeGreaterThanOrEqual(exactLogZ);
    expect(r.classLogZ).toHaveLength(3);
    expect(r.logZHigh - r.logZLow).toBeLessThan(0.5);
  });
});

describe('ClassRBM sampling', () => {
  it('draws x from p(x), the class summed out (every state within 5 standard errors)', async () => {
    const model = randomClassRbm(engine, 2, { scale: 0.8 });
    const chains = 3000;
    const { samples } = await model.sample(chains, { steps: 50, seed: 7 });
    const counts = new Float64Array(16);
    for (let r = 0; r < chains; r++) counts[stateIndex(samples.data, r, 4)]++;
    const logZ = exactClassLogZ(model);
    for (let s = 0; s < 16; s++) {
      const p = Math.exp(exactLogMarginal(model, row(s), logZ));
      const se = Math.sqrt((p * (1 - p)) / chains);
      expect(Math.abs(counts[s] / chains - p), `state ${s}: p ${p.toFixed(4)}`).toBeLessThan(5 * se + 1e-3);
    }
  });

  it('continues chains from given rows, and refuses rows of another width', async () => {
    const model = randomClassRbm(engine, 3);
    const start = randomBinary(5, 4, 1);
    const a = await model.sample(5, { start, steps: 3, seed: 1 });
    const b = await model.sample(5, { start, steps: 3, seed: 1 });
    expect(a.samples.data).toEqual(b.samples.data);
    expect(a.means.data.every((m) => m > 0 && m < 1)).toBe(true);
    await expect(model.sample(5, { start: randomBinary(5, 3, 1) })).rejects.toThrow(/3 features per example but the model has 4/);
  });
});

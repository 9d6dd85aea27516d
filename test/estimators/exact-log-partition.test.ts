import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { exactLogLikelihood, exactLogPartition, MAX_EXACT_UNITS } from '../../src/estimators/exact-log-partition.js';
import { reconstructionError } from '../../src/estimators/reconstruction-error.js';
import { RBM } from '../../src/models/rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { exactLogLikelihood as referenceLogLikelihood, exactLogZ, hiddenMeanOf, visibleMeanOf } from '../reference/rbm-exact.js';
import { freeEnergyOfGeneral, visibleStates } from '../reference/units-exact.js';
import { randomFloat32, seededRandom } from '../helpers/reference.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

/** An RBM with N(0, scale^2) weights and uniform biases in [-1, 1): far from the uniform distribution. */
function randomRbm(nVisible: number, nHidden: number, seed: number, scale = 1): RBM {
  const rand = seededRandom(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, seed, weightScale: scale });
  rbm.params.visibleBias.set(randomFloat32(nVisible, rand));
  rbm.params.hiddenBias.set(randomFloat32(nHidden, rand));
  return rbm;
}

const reference = (rbm: RBM) => ({ nVisible: rbm.nVisible, nHidden: rbm.nHidden, ...rbm.params });

/** n random binary rows of width cols. */
function binaryRows(n: number, cols: number, seed: number) {
  const rand = seededRandom(seed);
  return { data: Float32Array.from({ length: n * cols }, () => (rand() < 0.5 ? 1 : 0)), rows: n, cols };
}

describe('exactLogPartition', () => {
  it.each([
    ['the visible layer is smaller', 8, 12],
    ['the hidden layer is smaller', 12, 6],
    ['both layers have the same size', 7, 7],
    ['one unit to enumerate', 1, 9],
  ])('matches the float64 enumeration when %s (%i x %i)', async (_what, nVisible, nHidden) => {
    for (const seed of [1, 2]) {
      const rbm = randomRbm(nVisible, nHidden, seed);
      const logZ = await exactLogPartition(rbm);
      expect(Math.abs(logZ - exactLogZ(reference(rbm)))).toBeLessThan(1e-5 * Math.max(1, Math.abs(logZ)));
    }
  });

  it('enumerates in several graph runs when 2^n states do not fit in one (14 visible x 784 hidden)', async () => {
    const rbm = randomRbm(14, 784, 3, 0.1);
    const logZ = await exactLogPartition(rbm);
    expect(Math.abs(logZ - exactLogZ(reference(rbm)))).toBeLessThan(1e-5 * Math.abs(logZ));
  });

  it('stays finite and exact for large parameters (log-sum-exp in float64)', async () => {
    const rbm = randomRbm(10, 10, 4, 8);
    const logZ = await exactLogPartition(rbm);
    expect(Number.isFinite(logZ)).toBe(true);
    expect(Math.abs(logZ - exactLogZ(reference(rbm)))).toBeLessThan(1e-5 * Math.abs(logZ));
  });

  it(`refuses a model whose smaller layer has more than ${MAX_EXACT_UNITS} units`, async () => {
    const rbm = RBM.create(engine, { nVisible: 30, nHidden: 40 });
    await expect(exactLogPartition(rbm)).rejects.toThrow(UserError);
    await expect(exactLogPartition(rbm)).rejects.toThrow(/30 units.*limit is 25/);
  });
});

describe('exactLogPartition with spin, softmax, Gaussian and binomial units', () => {
  /** log sum_v exp(-F(v)) over every visible state, F from the float64 reference of any unit types. */
  function referenceLogZ(rbm: RBM): number {
    const small = { ...rbm, ...rbm.params, visible: rbm.visible.name, hidden: rbm.hidden.name };
    const negF = visibleStates(small).map((v) => -freeEnergyOfGeneral(small, v));
    const m = Math.max(...negF);
    return m + Math.log(negF.reduce((acc, x) => acc + Math.exp(x - m), 0));
  }

  it.each([
    ['spin', 'bernoulli', 6, 9, 'the spin visible layer enumerated'],
    ['spin', 'bernoulli', 9, 5, 'the Bernoulli hidden layer enumerated, spins summed out'],
    ['spin', 'spin', 8, 5, 'the spin hidden layer enumerated'],
    ['softmax:3', 'spin', 9, 4, 'the spin hidden layer enumerated, softmax groups summed out'],
    ['spin', 'gaussian', 7, 3, 'the spin layer enumerated, Gaussian hiddens integrated out'],
    ['binomial:2', 'bernoulli', 6, 5, 'the Bernoulli hidden layer enumerated, binomial units summed out'],
    ['spin', 'bernoulli', 11, 1000, 'in several graph runs: the fixed spins at -1 or +1 from the host'],
  ] as const)('%s visible, %s hidden (%i x %i): %s', async (visible, hidden, nVisible, nHidden, _what) => {
    const rand = seededRandom(nVisible * 10 + nHidden);
    const rbm = RBM.create(engine, { nVisible, nHidden, visible, hidden, seed: 4, weightScale: 0.5 });
    rbm.params.visibleBias.set(randomFloat32(nVisible, rand));
    rbm.params.hiddenBias.set(randomFloat32(nHidden, rand));
    const logZ = await exactLogPartition(rbm);
    expect(Math.abs(logZ - referenceLogZ(rbm))).toBeLessThan(1e-5 * Math.max(1, Math.abs(logZ)));
  });

  it('refuses when neither layer has two states, in the same words as before', async () => {
    const rbm = RBM.create(engine, { nVisible: 3, nHidden: 4, visible: 'gaussian', hidden: 'softmax:2' });
    await expect(exactLogPartition(rbm)).rejects.toThrow('exact log Z: enumerates binary states, the hidden units are softmax:2');
  });
});

describe('exactLogLikelihood', () => {
  it('gives -F(v) - log Z per example and their mean, as the float64 reference', async () => {
    const rbm = randomRbm(9, 6, 5);
    const data = binaryRows(20, 9, 6);
    const r = await exactLogLikelihood(rbm, data);
    expect(r.perExample.length).toBe(20);
    expect(Math.abs(r.logLikelihood - referenceLogLikelihood(reference(rbm), data.data, 20))).toBeLessThan(1e-4);
    expect(r.perExample.every((x) => x < 0)).toBe(true);
  });
});

describe('reconstructionError', () => {
  it('is the mean over examples of sum_i (v_i - E[v | E[h | v]]_i)^2', async () => {
    const rbm = randomRbm(7, 5, 7);
    const data = binaryRows(10, 7, 8);
    let expected = 0;
    for (let r = 0; r < 10; r++) {
      const v = data.data.subarray(r * 7, (r + 1) * 7);
      const back = visibleMeanOf(reference(rbm), hiddenMeanOf(reference(rbm), v));
      for (let i = 0; i < 7; i++) expected += (v[i] - back[i]) ** 2 / 10;
    }
    expect(Math.abs((await reconstructionError(rbm, data)) - expected)).toBeLessThan(1e-5);
  });
});

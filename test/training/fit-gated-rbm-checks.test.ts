/**
 * The optimiser settings of gated RBM training, step by step on 40 pairs of shifted 4 x 4 dots, one minibatch
 * of all 40 per epoch (so the first step's CD draws and gradient g are the same whatever the settings):
 *   weight decay      the first step of SGD is -lr (g + lambda W) on the factors W, -lr g on the biases: the
 *                     decayed run differs from the plain one by -lr lambda W0 on the factors alone;
 *   momentum          the second step adds momentum times the first: p2(mu) - p2(0) = mu (p1 - p0);
 *   Adam              its first step is -lr m_hat / (sqrt(v_hat) + eps) = -lr g / (|g| + eps): lr against
 *                     the sign of g, the direction SGD's first step takes, whatever g's size.
 * And the epoch records: a model without factors reconstructs every output pixel as sigmoid(0) = 1/2, so
 * the reconstruction error of binary outputs is exactly nOutput / 4 per pair; samples per second count the
 * pairs seen per second of stepping. Bad settings are refused with one exact line.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataSpec } from '../../src/data/spec.js';
import { UserError } from '../../src/errors.js';
import { GatedRBM } from '../../src/models/gated-rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { fitGatedRbm, type GatedRbmFitOptions } from '../../src/training/fit-gated-rbm.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const pairs = loadDataSpec('pairs:shift:dots:40:4:3').examples;
const [N_IN, N_OUT] = [16, 16];
const fresh = (weightScale = 0.3): GatedRBM => GatedRBM.create(engine, { nInput: N_IN, nOutput: N_OUT, nHidden: 4, nFactors: 6, seed: 5, weightScale });
const oneBatch = { batchSize: 40, learningRate: 0.05, learningRateSchedule: 'constant', maxNorm: 0, seed: 7 } as const;

type Params = GatedRBM['params'];
const FACTORS = ['inputFactors', 'outputFactors', 'hiddenFactors'] as const;
const BIASES = ['outputBias', 'hiddenBias'] as const;

/** A fresh model's parameters before and after `epochs` epochs with `options`. */
async function trained(epochs: number, options: Partial<GatedRbmFitOptions>): Promise<{ before: Params; after: Params }> {
  const model = fresh();
  const before = Object.fromEntries(Object.entries(model.params).map(([k, v]: [string, Float32Array]) => [k, Float32Array.from(v)])) as unknown as Params;
  await fitGatedRbm(model, pairs, { ...oneBatch, ...options, epochs });
  return { before, after: model.params };
}

/** The largest |a_i - b_i|. */
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('fitGatedRbm optimiser settings', () => {
  it('decays the factors (not the biases) by lr lambda W in the first SGD step', async () => {
    const lambda = 0.2;
    const plain = await trained(1, { weightDecay: 0 });
    const decayed = await trained(1, { weightDecay: lambda });
    for (const key of FACTORS) {
      const expected = Array.from(plain.after[key], (v, i) => v - oneBatch.learningRate * lambda * plain.before[key][i]);
      expect(maxDiff(decayed.after[key], expected), key).toBeLessThan(1e-6);
      expect(maxDiff(decayed.after[key], plain.after[key]), key).toBeGreaterThan(1e-3);
    }
    for (const key of BIASES) expect(decayed.after[key], key).toEqual(plain.after[key]);
  });

  it('adds momentum times the first step to the second: p2(mu) - p2(0) = mu (p1 - p0)', async () => {
    const mu = 0.5;
    const first = await trained(1, { momentum: 0 });
    const without = await trained(2, { momentum: 0 });
    const withMomentum = await trained(2, { momentum: mu });
    for (const key of [...FACTORS, ...BIASES]) {
      const step1 = Array.from(first.after[key], (v, i) => v - first.before[key][i]);
      const expected = Array.from(without.after[key], (v, i) => v + mu * step1[i]);
      expect(maxDiff(withMomentum.after[key], expected), key).toBeLessThan(1e-6);
    }
    expect(maxDiff(withMomentum.after.hiddenFactors, without.after.hiddenFactors)).toBeGreaterThan(1e-4);
  });

  it('takes Adam\'s first step of size lr against the gradient\'s sign, where SGD steps by lr times the gradient', async () => {
    const lr = oneBatch.learningRate;
    const sgd = await trained(1, { optimizer: 'sgd', momentum: 0 });
    const adam = await trained(1, { optimizer: 'adam' });
    let checked = 0;
    let sgdOffSize = 0;
    for (const key of [...FACTORS, ...BIASES]) {
      adam.after[key].forEach((v, i) => {
        const sgdStep = sgd.after[key][i] - sgd.before[key][i];
        if (Math.abs(sgdStep) < 1e-5) return; // |g| near eps: Adam's step is shorter
        const adamStep = v - adam.before[key][i];
        expect(Math.abs(adamStep), `${key}[${i}]`).toBeCloseTo(lr, 4);
        expect(Math.sign(adamStep), `${key}[${i}]`).toBe(Math.sign(sgdStep));
        checked++;
        sgdOffSize += Number(Math.abs(Math.abs(sgdStep) - lr) > 1e-3);
      });
    }
    expect(checked).toBeGreaterThan(100);
    expect(sgdOffSize).toBeGreaterThan(checked / 2);
  });
});

describe('fitGatedRbm epoch records', () => {
  it('reports the reconstruction error per pair: nOutput / 4 for a model without factors, before its update', async () => {
    const model = fresh(0);
    const [record] = await fitGatedRbm(model, pairs, { ...oneBatch, epochs: 1 });
    expect(record.reconstructionError).toBeCloseTo(N_OUT / 4, 5);
  });

  it('reconstructs y from x and the drawn h: E[y_j | x, h] = sigmoid(b_j + sum_f Wy_jf (x . Wx_f)(h . Wh_f))', async () => {
    // Mapping units of bias 40 are on whatever x and y (their coupling field is a few units at most): h = 1.
    const model = GatedRBM.create(engine, { nInput: N_IN, nOutput: N_OUT, nHidden: 4, nFactors: 6, seed: 9, weightScale: 0.8 });
    model.params.hiddenBias.fill(40);
    model.params.outputBias.set(Array.from({ length: N_OUT }, (_, j) => 0.25 * (j % 5) - 0.5));
    const { inputFactors: wx, outputFactors: wy, hiddenFactors: wh, outputBias: b } = model.params;
    const F = model.shape.nFactors;
    const gh = Array.from({ length: F }, (_, f) => [0, 1, 2, 3].reduce((s, k) => s + wh[k * F + f], 0));
    let expected = 0;
    for (let r = 0; r < pairs.rows; r++) {
      const row = pairs.data.subarray(r * 32, (r + 1) * 32);
      const gx = Array.from({ length: F }, (_, f) => Array.from({ length: N_IN }, (_, i) => row[i] * wx[i * F + f]).reduce((s, v) => s + v, 0));
      for (let j = 0; j < N_OUT; j++) {
        const field = b[j] + gx.reduce((s, g, f) => s + wy[j * F + f] * g * gh[f], 0);
        expected += (row[N_IN + j] - 1 / (1 + Math.exp(-field))) ** 2 / pairs.rows;
      }
    }
    // Without the factors' term (E[y | b] alone) the error would be another.
    const biasOnly = Array.from({ length: pairs.rows }, (_, r) => Array.from({ length: N_OUT }, (_, j) => (pairs.data[r * 32 + N_IN + j] - 1 / (1 + Math.exp(-b[j]))) ** 2).reduce((s, v) => s + v, 0)).reduce((s, v) => s + v, 0) / pairs.rows;
    const [record] = await fitGatedRbm(model, pairs, { ...oneBatch, epochs: 1 });
    expect(record.reconstructionError).toBeCloseTo(expected, 4);
    expect(Math.abs(expected - biasOnly)).toBeGreaterThan(0.1);
  });

  it('counts pairs seen per second of stepping: at least the pairs over the epoch\'s whole time', async () => {
    const model = fresh();
    const records = await fitGatedRbm(model, pairs, { ...oneBatch, batchSize: 20, epochs: 2 });
    for (const r of records) {
      expect(r.seconds).toBeGreaterThan(0);
      expect(Number.isFinite(r.samplesPerSecond)).toBe(true);
      expect(r.samplesPerSecond).toBeGreaterThanOrEqual(40 / r.seconds);
    }
  });
});

describe('fitGatedRbm refusals', () => {
  const model = fresh();

  /** The UserError message of training `model` on `data` with `options`. */
  async function refusal(data: Matrix, options: Partial<GatedRbmFitOptions>): Promise<string> {
    const caught = await fitGatedRbm(model, data, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught).toBeInstanceOf(UserError);
    return (caught as UserError).message;
  }

  it('names the pairs when they do not fit the model', async () => {
    expect(await refusal(matrix(new Float32Array(30), 1, 30), {})).toBe('pairs: data has 30 features per example but the model has 32 visible units');
    const halves = Float32Array.from(pairs.data);
    halves[3] = 0.5;
    expect(await refusal(matrix(halves, 40, 32), {})).toMatch(/^pairs: example 0, feature 3 \(0-based\) is 0\.5, but Bernoulli visible units need values 0 or 1/);
  });

  it('refuses batch sizes that are not whole numbers from 1 to the pairs', async () => {
    for (const batchSize of [0, -1, 2.5, 41, Number.NaN]) {
      expect(await refusal(pairs, { batchSize })).toBe(`batchSize ${batchSize} must be an integer from 1 to the 40 pairs`);
    }
    expect(model.epochsTrained).toBe(0);
  });

  it('accepts batch sizes of 1 and of every pair', async () => {
    for (const batchSize of [1, 40]) {
      const m = fresh();
      const records = await fitGatedRbm(m, pairs, { ...oneBatch, batchSize, epochs: 1 });
      expect(records).toHaveLength(1);
      expect(m.epochsTrained).toBe(1);
    }
  });

  it('refuses k that is not a positive integer, quoting it', async () => {
    for (const k of [0, 1.5, -2]) expect(await refusal(pairs, { k })).toBe(`k must be a positive integer, got ${k}`);
  });
});

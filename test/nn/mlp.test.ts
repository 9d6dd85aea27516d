/**
 * The feed-forward network API: initialisation (fresh and from RBMs), inference against float64 references,
 * training by one graph run per minibatch (learns, reproducible, stops on divergence), model files.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { RBM } from '../../src/models/rbm.js';
import { decodeMlp, encodeMlp } from '../../src/nn/mlp-file.js';
import { Mlp } from '../../src/nn/mlp.js';
import { trainClassifier } from '../../src/training/fit-classifier.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { DivergenceError } from '../../src/training/divergence.js';
import { expectAllClose } from '../helpers/reference.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

/** Two classes that no linear classifier separates: XOR of the signs of two coordinates, plus noise dims. */
function xorData(rows: number, seed: number): { x: Matrix; labels: Int32Array } {
  const rng = new RandomStream(seed);
  const x = new Float32Array(rows * 4);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const [a, b] = [rng.uniform() * 2 - 1, rng.uniform() * 2 - 1];
    x.set([a, b, 0.1 * rng.normal(), 0.1 * rng.normal()], r * 4);
    labels[r] = a * b > 0 ? 1 : 0;
  }
  return { x: matrix(x, rows, 4), labels };
}

/** Float64 forward pass of an MLP's layers on one row. */
function forward(mlp: Mlp, row: ArrayLike<number>): number[] {
  let h = Array.from(row);
  for (const l of mlp.layers) {
    const out: number[] = [];
    for (let j = 0; j < l.nOut; j++) {
      let z = l.bias[j];
      for (let i = 0; i < l.nIn; i++) z += h[i] * l.weights[i * l.nOut + j];
      out.push(l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : l.activation === 'tanh' ? Math.tanh(z) : l.activation === 'relu' ? Math.max(0, z) : z);
    }
    h = out;
  }
  return h;
}

describe('Mlp', () => {
  it('create: layer sizes, hidden activation, linear output, Glorot-scaled weights, zero biases', () => {
    const mlp = Mlp.create(engine, { sizes: [6, 5, 4, 3], activation: 'tanh', seed: 2 });
    expect(mlp.sizes).toEqual([6, 5, 4, 3]);
    expect(mlp.layers.map((l) => l.activation)).toEqual(['tanh', 'tanh', 'linear']);
    const limit = Math.sqrt(6 / 11);
    expect(mlp.layers[0].weights.every((w) => Math.abs(w) <= limit)).toBe(true);
    expect(Math.max(...mlp.layers[0].weights.map(Math.abs))).toBeGreaterThan(limit / 2);
    expect(mlp.layers.every((l) => l.bias.every((b) => b === 0))).toBe(true);
    expect(() => Mlp.create(engine, { sizes: [3] })).toThrow(/sizes/);
  });

  it('logits, predict and errorRate agree with a float64 forward pass', async () => {
    const mlp = Mlp.create(engine, { sizes: [4, 6, 3], activation: 'relu', seed: 3 });
    mlp.layers[1].bias.set([0.1, -0.2, 0.3]);
    const { x } = xorData(30, 1);
    const logits = await mlp.logits(x);
    const want = Array.from({ length: x.rows }, (_, r) => forward(mlp, x.data.subarray(r * 4, r * 4 + 4)));
    expectAllClose(logits.data, want.flat(), { rtol: 1e-5, atol: 1e-6 });
    const predicted = await mlp.predict(x);
    expect(Array.from(predicted)).toEqual(want.map((z) => z.indexOf(Math.max(...z))));
    const labels = Int32Array.from(predicted, (p, r) => (r < 6 ? (p + 1) % 3 : p));
    expect(await mlp.errorRate(x, labels)).toBeCloseTo(6 / 30, 12);
  });

  it('fromRbms: each RBM becomes a sigmoid layer computing E[h | v]; fresh layers on top', async () => {
    const bottom = RBM.create(engine, { nVisible: 6, nHidden: 5, seed: 1, weightScale: 0.5 });
    bottom.params.hiddenBias.set([0.1, -0.3, 0.2, 0, 0.5]);
    const top = RBM.create(engine, { nVisible: 5, nHidden: 4, seed: 2, weightScale: 0.5 });
    const mlp = Mlp.fromRbms(engine, [bottom, top], 3, { hiddenLayers: [7], activation: 'relu', seed: 4 });
    expect(mlp.sizes).toEqual([6, 5, 4, 7, 3]);
    expect(mlp.layers.map((l) => l.activation)).toEqual(['sigmoid', 'sigmoid', 'relu', 'linear']);
    expect(mlp.layers[0].weights).toEqual(bottom.params.weights);
    expect(mlp.layers[0].weights).not.toBe(bottom.params.weights);
    expect(mlp.layers[0].bias).toEqual(bottom.params.hiddenBias);
    // With an identity output layer on the bottom RBM alone, the logits are the RBM's features.
    const single = Mlp.fromRbms(engine, [bottom], 5);
    single.layers[1].weights.set(Float32Array.from({ length: 25 }, (_, i) => (i % 6 === 0 ? 1 : 0)));
    const v = matrix(Float32Array.from({ length: 18 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), 3, 6);
    expectAllClose((await single.logits(v)).data, (await bottom.transform(v)).data, { rtol: 1e-6, atol: 1e-7 });
    expect(() => Mlp.fromRbms(engine, [top, bottom], 3)).toThrow(/RBM 1 has 6 visible units but RBM 0 has 4 hidden/);
  });
});

describe('trainClassifier', () => {
  const train = xorData(400, 5);
  const test = xorData(200, 6);

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`learns XOR with one hidden layer (${optimizer}), with held-out error per epoch`, async () => {
      const mlp = Mlp.create(engine, { sizes: [4, 16, 2], activation: 'tanh', seed: 1 });
      const records = await trainClassifier(mlp, train.x, train.labels, {
        optimizer,
        learningRate: optimizer === 'sgd' ? 0.2 : 0.02,
        momentum: 0.9,
        epochs: 40,
        batchSize: 20,
        seed: 3,
        heldOut: { examples: test.x, labels: test.labels },
      });
      expect(records).toHaveLength(40);
      expect(records[39].loss).toBeLessThan(records[0].loss / 3);
      expect(records[39].heldOutError).toBeLessThan(0.06);
      expect(await mlp.errorRate(test.x, test.labels)).toBe(records[39].heldOutError);
    });
  }

  it('same seed, same network, bit for bit', async () => {
    const run = async () => {
      const mlp = Mlp.create(engine, { sizes: [4, 8, 2], seed: 9 });
      await trainClassifier(mlp, train.x, train.labels, { epochs: 3, batchSize: 32, seed: 4, weightDecay: 1e-3, clipNorm: 5 });
      return mlp.layers.map((l) => [Array.from(l.weights), Array.from(l.bias)]);
    };
    expect(await run()).toEqual(await run());
  });

  it('divergence stops training and keeps the last good parameters', async () => {
    const mlp = Mlp.create(engine, { sizes: [4, 8, 2], activation: 'relu', seed: 9 });
    const big = matrix(train.x.data.map((v) => v * 1e18), train.x.rows, 4);
    const before = mlp.layers.map((l) => l.weights.slice());
    await expect(trainClassifier(mlp, big, train.labels, { epochs: 2, learningRate: 1e6, momentum: 0 })).rejects.toBeInstanceOf(DivergenceError);
    mlp.layers.forEach((l, i) => expect(l.weights).toEqual(before[i]));
  });

  it('rejects labels out of range, a wrong width, and bad options', async () => {
    const mlp = Mlp.create(engine, { sizes: [4, 2] });
    const bad = Int32Array.from(train.labels, (y, r) => (r === 7 ? 2 : y));
    await expect(trainClassifier(mlp, train.x, bad)).rejects.toThrow('labels: example 7 (0-based) has label 2, not a class from 0 to 1');
    await expect(trainClassifier(mlp, train.x, train.labels.subarray(1))).rejects.toThrow(/399 labels for 400 examples/);
    await expect(trainClassifier(Mlp.create(engine, { sizes: [3, 2] }), train.x, train.labels)).rejects.toThrow(/4 features per example but the network takes 3/);
    await expect(trainClassifier(mlp, train.x, train.labels, { batchSize: 401 })).rejects.toThrow(/batchSize 401/);
    await expect(trainClassifier(mlp, train.x, train.labels, { momentum: 1.5 })).rejects.toThrow(/momentum/);
  });
});

describe('MLP model files', () => {
  it('round-trip: tensors weights_i, bias_i and metadata kind "mlp" with the activations', async () => {
    const mlp = Mlp.create(engine, { sizes: [4, 3, 2], activation: 'relu', seed: 5 });
    const { mlp: back, metadata } = decodeMlp(engine, encodeMlp(mlp, { seed: '5' }), 'm.safetensors');
    expect(metadata.kind).toBe('mlp');
    expect(metadata.seed).toBe('5');
    expect(JSON.parse(metadata.activations)).toEqual(['relu', 'linear']);
    expect(back.sizes).toEqual([4, 3, 2]);
    back.layers.forEach((l, i) => {
      expect(l.weights).toEqual(mlp.layers[i].weights);
      expect(l.bias).toEqual(mlp.layers[i].bias);
    });
    const { x } = xorData(5, 1);
    expect((await back.logits(x)).data).toEqual((await mlp.logits(x)).data);
  });

  it('rejects an RBM file, unknown activations and shapes that do not chain, naming the file', () => {
    const rbmLike = encodeSafetensors({ weights: { dtype: 'F32', shape: [1, 1], data: new Float32Array(1) } }, { kind: 'rbm' });
    expect(() => decodeMlp(engine, rbmLike, 'x.safetensors')).toThrow(new UserError('x.safetensors: a "rbm" model, not an MLP'));
    const layer = (nIn: number, nOut: number, i: number) => ({
      [`weights_${i}`]: { dtype: 'F32' as const, shape: [nIn, nOut], data: new Float32Array(nIn * nOut) },
      [`bias_${i}`]: { dtype: 'F32' as const, shape: [nOut], data: new Float32Array(nOut) },
    });
    const badActivation = encodeSafetensors(layer(2, 2, 0), { kind: 'mlp', activations: '["swish"]' });
    expect(() => decodeMlp(engine, badActivation, 'a.safetensors')).toThrow(/a.safetensors: metadata "activations"/);
    const unchained = encodeSafetensors({ ...layer(2, 3, 0), ...layer(4, 2, 1) }, { kind: 'mlp', activations: '["sigmoid","linear"]' });
    expect(() => decodeMlp(engine, unchained, 'u.safetensors')).toThrow(/u.safetensors: layer 1 takes 4 inputs but layer 0 gives 3/);
  });
});

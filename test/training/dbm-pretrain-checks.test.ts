/** pretrainDbm: its refusal of fewer than 2 hidden layers, its seed, and the DBM it composes from copies of its RBMs' weights and biases. */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { RBM } from '../../src/models/rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import { pretrainDbm } from '../../src/training/dbm-pretrain.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());
afterEach(() => vi.restoreAllMocks());

const data = matrix(Float32Array.from([1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1]), 4, 4);
const options = { epochs: 1, batchSize: 2, chains: 4, k: 1, learningRate: 0.5 };
const copy = (x: Float32Array): number[] => Array.from(x);

describe('pretrainDbm', () => {
  it('refuses a DBM with one hidden layer', async () => {
    const error = await pretrainDbm(engine, [4, 3], data, options).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('a DBM has 2 or more hidden layers, got 1');
  });

  it('draws from options.seed (default 0)', async () => {
    const weights = async (seed?: number) => (await pretrainDbm(engine, [4, 3, 2], data, { ...options, seed })).params.weights.map(copy);
    const zero = await weights(0);
    expect(await weights(undefined)).toEqual(zero);
    expect(await weights(7)).not.toEqual(zero);
  });

  it('composes W_l, the bottom visible bias, the top hidden bias and the mean of the middle ones, as copies of the RBMs\' arrays', async () => {
    const create = vi.spyOn(RBM, 'create');
    const dbm = await pretrainDbm(engine, [4, 3, 3, 2], data, { ...options, seed: 2 });
    const rbms = create.mock.results.map((r) => r.value as RBM);
    expect(rbms.map((r) => [r.nVisible, r.nHidden])).toEqual([[4, 3], [3, 3], [3, 2]]);
    const weights = rbms.map((r) => copy(r.params.weights));
    const biases = [
      copy(rbms[0].params.visibleBias),
      ...[1, 2].map((l) => Array.from(rbms[l].params.visibleBias, (b, j) => Math.fround((rbms[l - 1].params.hiddenBias[j] + b) / 2))),
      copy(rbms[2].params.hiddenBias),
    ];
    expect(biases.flat().every((b) => b !== 0)).toBe(true); // every term is felt
    // The RBMs' arrays change afterwards; the DBM keeps its own.
    for (const r of rbms) for (const x of [r.params.weights, r.params.visibleBias, r.params.hiddenBias]) x.fill(0);
    expect(dbm.params.weights.map(copy)).toEqual(weights);
    expect(dbm.params.biases.map(copy)).toEqual(biases);
  });
});

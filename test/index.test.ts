import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { barsAndStripes, createNodeEngine, fit, loadRbm, RBM, saveModel } from '../src/index.js';

describe('the library entry point', () => {
  const engine = createNodeEngine({ threads: 1 });
  afterAll(() => engine.dispose());

  it('creates, fits, transforms, saves and loads an RBM', async () => {
    const data = barsAndStripes(3).examples;
    const rbm = RBM.create(engine, { nVisible: 9, nHidden: 6, seed: 1 });
    const records = await fit(rbm, data, { epochs: 3, batchSize: 2, seed: 1 });
    expect(records.map((r) => r.epoch)).toEqual([1, 2, 3]);
    const dir = await mkdtemp(join(tmpdir(), 'boltzmann-index-'));
    try {
      const path = join(dir, 'model.safetensors');
      await saveModel(path, rbm);
      const { rbm: loaded } = await loadRbm(engine, path);
      expect(loaded.epochsTrained).toBe(3);
      expect((await loaded.transform(data)).data).toEqual((await rbm.transform(data)).data);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

/** Same seed, same backend, same machine: the same model, bit for bit (DESIGN.md, "Reliability contract"). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { makeTempDir, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();
let runCount = 0;

/** Trains a tiny model (3 epochs of CD-2, PCD-2, FPCD-2 or PT with 2 steps) into a fresh run folder and returns the model file's bytes. */
async function trainBytes(sampler: 'cd' | 'pcd' | 'fpcd' | 'pt', seed: number, threads = 1): Promise<Buffer> {
  const out = join(dir, `run-${runCount++}`);
  await runOk(
    ...tinyTrainArgs(out, '--sampler', sampler, '--k', '2', '--chains', '4', '--epochs', '3', '--seed', String(seed), '--threads', String(threads)),
  );
  return readFileSync(join(out, 'model.safetensors'));
}

/** The weight values of a model file's bytes. */
const weights = (bytes: Buffer): number[] => {
  const t = decodeSafetensors(bytes, 'model').tensors.weights;
  expect(t.dtype).toBe('F32');
  return Array.from(t.data, Number);
};

describe.each(['cd', 'pcd', 'fpcd', 'pt'] as const)('train --sampler %s', (sampler) => {
  it('the same seed twice gives a byte-identical model file', async () => {
    const a = await trainBytes(sampler, 42);
    const b = await trainBytes(sampler, 42);
    expect(b.equals(a)).toBe(true);
  });

  it('another seed gives other weights, not only other metadata', async () => {
    const a = await trainBytes(sampler, 42);
    const b = await trainBytes(sampler, 43);
    expect(b.equals(a)).toBe(false);
    expect(weights(b)).not.toEqual(weights(a));
  });
});

it('the same seed twice with 2 threads per graph run gives a byte-identical model file', async () => {
  const a = await trainBytes('pcd', 5, 2);
  const b = await trainBytes('pcd', 5, 2);
  expect(b.equals(a)).toBe(true);
});

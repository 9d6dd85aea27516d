/** The CLI with other unit types: a Gaussian-Bernoulli RBM on standardised real data, trained, inspected and used. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { RandomStream } from '../../src/random/stream.js';
import { makeTempDir, runCli, runOk } from './run-cli.js';

const dir = makeTempDir();
const csv = join(dir, 'real.csv');
const run = join(dir, 'run');
const model = join(run, 'model.safetensors');

beforeAll(async () => {
  // 60 examples of 4 real features on scales from 0.01 to 100: standardisation is needed.
  const rng = new RandomStream(1);
  const lines = Array.from({ length: 60 }, () => [0.01, 1, 10, 100].map((s) => (s * (3 + rng.normal())).toFixed(5)).join(','));
  writeFileSync(csv, lines.join('\n') + '\n');
  await runOk(
    'train', '--data', `csv:${csv}`, '--visible-units', 'gaussian', '--hidden-units', 'bernoulli', '--standardize',
    '--hidden', '5', '--epochs', '3', '--batch-size', '10', '--learning-rate', '0.01', '--sample-steps', '5', '--out', run, '--quiet', '--threads', '1',
  );
});

describe('train --visible-units gaussian --standardize', () => {
  it('writes a model whose file records the unit types and the learned log std', async () => {
    const r = await runOk('inspect', model, '--json');
    const description = JSON.parse(r.stdout) as { visible: string; hidden: string; parameters: Record<string, { count: number; mean: number }> };
    expect(description.visible).toBe('gaussian');
    expect(description.hidden).toBe('bernoulli');
    expect(description.parameters.visible_log_std.count).toBe(4);
    expect(Number.isFinite(description.parameters.visible_log_std.mean)).toBe(true);
  });

  it('defaults to a learning rate of 0.001 for Gaussian visible units (0.05 for binary ones)', async () => {
    const out = join(dir, 'gaussian-default-rate');
    await runOk('train', '--data', `csv:${csv}`, '--visible-units', 'gaussian', '--standardize', '--hidden', '3', '--epochs', '1', '--batch-size', '10', '--sample-steps', '1', '--out', out, '--quiet', '--threads', '1');
    const description = JSON.parse((await runOk('inspect', join(out, 'model.safetensors'), '--json')).stdout) as { metadata: Record<string, string> };
    expect(JSON.parse(description.metadata.training)).toMatchObject({ learningRate: 0.001 });
  });

  it('records the training data\'s standardisation, and applies it to the data of later commands', async () => {
    const description = JSON.parse((await runOk('inspect', model, '--json')).stdout) as { metadata: Record<string, string> };
    const stats = JSON.parse(description.metadata.standardize) as { mean: number[]; std: number[] };
    expect(stats.mean).toHaveLength(4);
    expect(stats.mean[3]).toBeGreaterThan(100);
    // Raw features reach 300: unstandardised they would give squared errors in the 10^4s.
    const recon = JSON.parse((await runOk('reconstruct', '--model', model, '--data', `csv:${csv}`, '--json')).stdout) as { meanSquaredError: number };
    expect(recon.meanSquaredError).toBeLessThan(8);
  });

  it('features, reconstruct and sample work on it, taking real values without binarising', async () => {
    const features = JSON.parse((await runOk('features', '--model', model, '--data', `csv:${csv}`, '--json')).stdout) as { features: number[][] };
    expect(features.features).toHaveLength(60);
    const recon = await runOk('reconstruct', '--model', model, '--data', `csv:${csv}`, '--json');
    expect(recon.stdout.length).toBeGreaterThan(0);
    const samples = JSON.parse((await runOk('sample', '--model', model, '--count', '3', '--steps', '5', '--json')).stdout) as { means: number[][] };
    expect(samples.means.flat().every(Number.isFinite)).toBe(true);
    expect(samples.means.flat().some((x) => x < 0 || x > 1)).toBe(true);
  });

  it('eval refuses the non-Bernoulli model clearly', async () => {
    const r = await runCli('eval', '--model', model, '--data', `csv:${csv}`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/has gaussian visible and bernoulli hidden units; the log-likelihood estimators need Bernoulli units/);
  });
});

describe('train --resume of a Gaussian run', () => {
  it('keeps the unit types and the standardisation', async () => {
    const out = join(dir, 'resume');
    const flags = ['--data', `csv:${csv}`, '--visible-units', 'gaussian', '--standardize', '--hidden', '3', '--batch-size', '10', '--learning-rate', '0.01', '--sample-steps', '2', '--quiet', '--threads', '1'];
    await runOk('train', ...flags, '--epochs', '1', '--out', out);
    const modelPath = join(out, 'model.safetensors');
    const { tensors, metadata } = decodeSafetensors(readFileSync(modelPath), modelPath);
    const training = { ...(JSON.parse(metadata.training) as Record<string, unknown>), epochs: 2 };
    writeFileSync(modelPath, encodeSafetensors(tensors, { ...metadata, training: JSON.stringify(training) }));
    await runOk('train', '--resume', '--out', out, '--quiet', '--threads', '1');
    const after = decodeSafetensors(readFileSync(modelPath), modelPath);
    expect(after.metadata.epochs_trained).toBe('2');
    expect(after.metadata.visible).toBe('gaussian');
    expect(after.metadata.standardize).toBe(metadata.standardize);
    expect(after.tensors.visible_log_std.shape).toEqual([4]);
  });
});

describe('unit flags', () => {
  it('reject an unknown unit type in one line', async () => {
    const r = await runCli('train', '--visible-units', 'potts', '--out', join(dir, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--visible-units.*expected a unit type: bernoulli, spin, gaussian, relu, softmax:K/);
  });

  it('refuse non-binary data for Bernoulli units with --binarize none, and real data for spin units', async () => {
    const r = await runCli('train', '--data', `csv:${csv}`, '--visible-units', 'spin', '--hidden', '4', '--out', join(dir, 'y'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/spin visible units need values -1 or \+1/);
  });

  it('refuse a hidden layer that is not made of softmax groups', async () => {
    const r = await runCli('train', '--data', 'bars-and-stripes:3', '--hidden-units', 'softmax:3', '--hidden', '4', '--batch-size', '2', '--out', join(dir, 'z'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--hidden 4: not a multiple of 3/);
  });
});

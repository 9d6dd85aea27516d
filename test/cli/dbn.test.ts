/**
 * `train --model dbn --layers ...` end to end on 3 x 3 bars and stripes, then sample, features, eval (the
 * bound, with exact and AIS top log Z) and classify on its model file; the flag contract's errors.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { idxBytes } from '../data/fixtures.js';
import { makeTempDir, PNG_SIGNATURE, runCli, runOk, startsWith, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();
const run = join(dir, 'dbn');
const model = join(run, 'model.safetensors');

const json = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
const errorLine = (stderr: string): string => stderr.split('\n').filter((l) => l.trim() !== '' && l !== '(add --help for usage)').join(' | ');

beforeAll(async () => {
  await runOk(...tinyTrainArgs(run, '--model', 'dbn', '--layers', '8,5', '--epochs', '3', '--json'));
});

describe('train --model dbn', () => {
  it('writes a DBN run folder: model with per-layer tensors, a log per layer and epoch, pictures', () => {
    const { tensors, metadata } = decodeSafetensors(readFileSync(model), model);
    expect(Object.keys(tensors).sort()).toEqual(['hidden_bias_0', 'hidden_bias_1', 'visible_bias_0', 'visible_bias_1', 'weights_0', 'weights_1']);
    expect(tensors.weights_0.shape).toEqual([9, 8]);
    expect(tensors.weights_1.shape).toEqual([8, 5]);
    expect(metadata).toMatchObject({ kind: 'dbn', layers: '[9,8,5]', epochs_trained: '[3,3]' });
    const log = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { layer: number; epoch: number });
    expect(log.map((r) => [r.layer, r.epoch])).toEqual([[0, 1], [0, 2], [0, 3], [1, 1], [1, 2], [1, 3]]);
    for (const png of ['samples.png', 'filters.png']) expect(startsWith(join(run, png), PNG_SIGNATURE)).toBe(true);
  });

  it('--resume of a finished DBN run says so; the flag contract gives one-line errors', async () => {
    const resumed = await runCli(...tinyTrainArgs(run, '--resume'));
    expect(resumed.code).toBe(1);
    expect(errorLine(resumed.stderr)).toContain('trained all its layers');
    const noLayers = await runCli(...tinyTrainArgs(join(dir, 'x'), '--model', 'dbn'));
    expect(noLayers.code).toBe(1);
    expect(errorLine(noLayers.stderr)).toContain('--layers');
    const rbmStack = await runCli(...tinyTrainArgs(join(dir, 'y'), '--model', 'rbm', '--layers', '4,4'));
    expect(rbmStack.code).toBe(1);
    expect(errorLine(rbmStack.stderr)).toContain('--model dbn');
    const bad = await runCli(...tinyTrainArgs(join(dir, 'z'), '--model', 'dbn', '--layers', '4,x'));
    expect(bad.code).toBe(2);
    expect(existsSync(join(dir, 'z'))).toBe(false);
  });

  it('--model rbm --layers N is --hidden N', async () => {
    const out = join(dir, 'rbm');
    await runOk(...tinyTrainArgs(out, '--model', 'rbm', '--layers', '3'));
    const { tensors, metadata } = decodeSafetensors(readFileSync(join(out, 'model.safetensors')), 'rbm');
    expect(metadata.kind).toBe('rbm');
    expect(tensors.weights.shape).toEqual([9, 3]);
  });
});

describe('sample, features, eval on a DBN file', () => {
  it('sample: ancestral samples from noise and from data', async () => {
    for (const from of ['noise', 'bars-and-stripes:3']) {
      const r = json((await runOk('sample', '--model', model, '--count', '4', '--steps', '5', '--from', from, '--json', '--threads', '1')).stdout);
      const means = r.means as number[][];
      expect(means).toHaveLength(4);
      expect(means.every((row) => row.length === 9 && row.every((x) => x >= 0 && x <= 1))).toBe(true);
    }
  });

  it('features: the top layer of the up-pass', async () => {
    const r = json((await runOk('features', '--model', model, '--data', 'bars-and-stripes:3', '--json', '--threads', '1')).stdout);
    expect([r.examples, r.hidden]).toEqual([14, 5]);
  });

  it('eval --json: the lower bound as logLikelihood, exact and by AIS within 0.5 nats', async () => {
    const exact = json((await runOk('eval', '--model', model, '--data', 'bars-and-stripes:3', '--json', '--samples', '100', '--threads', '1', '--quiet')).stdout);
    expect(exact).toMatchObject({ kind: 'dbn', bound: 'lower', method: 'bound (exact top log Z)', examples: 14, samples: 100 });
    const ll = exact.logLikelihood as number;
    expect(ll).toBeLessThan(0);
    expect(exact.logLikelihoodLow as number).toBeLessThan(ll);
    expect(exact.logLikelihoodHigh as number).toBeGreaterThan(ll);
    expect(exact.topLogZFloor as number).toBeLessThanOrEqual((exact.topLogZ as number) + 1e-4);
    expect(exact.warning).toBeUndefined();
    const ais = json((await runOk('eval', '--model', model, '--data', 'bars-and-stripes:3', '--logz', 'ais', '--betas', '1000', '--json', '--samples', '100', '--threads', '1', '--quiet')).stdout);
    expect(ais.method).toBe('bound (AIS top log Z)');
    expect(Math.abs((ais.logLikelihood as number) - ll)).toBeLessThan(0.5);
    const reverse = json((await runOk('eval', '--model', model, '--data', 'bars-and-stripes:3', '--logz', 'reverse-ais', '--betas', '1000', '--json', '--samples', '100', '--threads', '1', '--quiet')).stdout);
    expect(reverse).toMatchObject({ method: 'bound (reverse AIS top log Z)', reverseAis: { examples: 50, chainsPerExample: 10, betas: 1000 } });
    expect(Math.abs((reverse.topLogZ as number) - (exact.topLogZ as number))).toBeLessThan(0.5);
    expect(Math.abs((reverse.logLikelihood as number) - ll)).toBeLessThan(0.5);
    const text = await runOk('eval', '--model', model, '--data', 'bars-and-stripes:3', '--threads', '1');
    expect(text.stdout).toContain('variational lower bound');
    const both = await runCli('eval', '--model', model, '--data', 'bars-and-stripes:3', '--logz', 'both');
    expect(both.code).toBe(1);
    expect(errorLine(both.stderr)).toContain('exact, ais or reverse-ais');
  });

  it('reconstruct: the up-pass and down-pass of means, as a picture and as JSON', async () => {
    const r = json((await runOk('reconstruct', '--model', model, '--data', 'bars-and-stripes:3', '--json', '--threads', '1')).stdout);
    expect(r.examples).toBe(14);
    expect((r.reconstructions as number[][]).map((row) => row.length)).toEqual(new Array(14).fill(9));
    expect(r.meanSquaredError as number).toBeGreaterThanOrEqual(0);
    await runOk('reconstruct', '--model', model, '--data', 'bars-and-stripes:3', '--out', join(dir, 'r.png'), '--threads', '1');
    expect(startsWith(join(dir, 'r.png'), PNG_SIGNATURE)).toBe(true);
  });

  it('inspect: the layers, the epochs per RBM and each tensor by its file name', async () => {
    const d = json((await runOk('inspect', model, '--json')).stdout);
    expect(d).toMatchObject({ kind: 'dbn', layers: [9, 8, 5], epochsTrained: [3, 3], metadata: { kind: 'dbn' } });
    expect(Object.keys(d.parameters as object).sort()).toEqual(['hidden_bias_0', 'hidden_bias_1', 'visible_bias_0', 'visible_bias_1', 'weights_0', 'weights_1']);
    expect((d.parameters as Record<string, { count: number }>).weights_1.count).toBe(40);
    expect((await runOk('inspect', model)).stdout).toContain('DBN 9-8-5 (Bernoulli), epochs trained per RBM 3, 3');
  });
});

describe('classify --model DBN_FILE', () => {
  it('initialises the MLP from the whole stack', async () => {
    // 3 x 3 images whose bright row is the class.
    const pixels: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 60; i++) {
      const c = i % 3;
      for (let j = 0; j < 9; j++) pixels.push(Math.floor(j / 3) === c ? 255 : 0);
      labels.push(c);
    }
    const images = join(dir, 'train-images-idx3-ubyte');
    writeFileSync(images, idxBytes([60, 3, 3], pixels));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([60], labels));
    const r = json(
      (await runOk('classify', '--model', model, '--data', `idx:${images}`, '--test', 'none', '--epochs', '30', '--batch-size', '10', '--learning-rate', '0.5', '--json', '--threads', '1', '--quiet')).stdout,
    );
    expect(r.sizes).toEqual([9, 8, 5, 3]);
    expect(r.initialisation).toBe('rbm');
    expect(r.trainError).toBeLessThan(0.2);
  });
});

describe('train --model dbm', () => {
  const dbmRun = join(dir, 'dbm');
  const dbmModel = join(dbmRun, 'model.safetensors');

  it('pretrains, trains jointly, and writes a DBM run folder', async () => {
    const r = json((await runOk(...tinyTrainArgs(dbmRun, '--model', 'dbm', '--layers', '6,4', '--epochs', '3', '--json'))).stdout);
    expect(r).toMatchObject({ kind: 'dbm', layers: [9, 6, 4], epochs: 3 });
    const { tensors, metadata } = decodeSafetensors(readFileSync(dbmModel), dbmModel);
    expect(Object.keys(tensors).sort()).toEqual(['hidden_bias_0', 'hidden_bias_1', 'visible_bias_0', 'weights_0', 'weights_1']);
    expect(metadata).toMatchObject({ kind: 'dbm', layers: '[9,6,4]', epochs_trained: '3' });
    const log = readFileSync(join(dbmRun, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stage: string; epoch: number });
    expect(log.map((x) => [x.stage, x.epoch])).toEqual([['pretrain', 3], ['joint', 1], ['joint', 2], ['joint', 3]]);
    for (const png of ['samples.png', 'filters.png']) expect(startsWith(join(dbmRun, png), PNG_SIGNATURE)).toBe(true);
    const three = json((await runOk(...tinyTrainArgs(join(dir, 'dbm3'), '--model', 'dbm', '--layers', '4,4,3', '--epochs', '2', '--json'))).stdout);
    expect(three).toMatchObject({ kind: 'dbm', layers: [9, 4, 4, 3], epochs: 2 });
    // The same run centred: the same pretraining, then other joint steps.
    const centred = json((await runOk(...tinyTrainArgs(join(dir, 'dbm-centred'), '--model', 'dbm', '--layers', '6,4', '--epochs', '3', '--centering', '--json'))).stdout);
    expect(centred).toMatchObject({ kind: 'dbm', epochs: 3 });
    const centredModel = join(dir, 'dbm-centred', 'model.safetensors');
    const c = decodeSafetensors(readFileSync(centredModel), centredModel);
    expect(JSON.parse(c.metadata.training)).toMatchObject({ centering: true });
    expect(Array.from(c.tensors.weights_0.data as Float32Array)).not.toEqual(Array.from(tensors.weights_0.data as Float32Array));
    const one = await runCli(...tinyTrainArgs(join(dir, 'dbm1'), '--model', 'dbm', '--layers', '4'));
    expect(one.code).toBe(1);
    expect(errorLine(one.stderr)).toContain('2 or more hidden layers');
  });

  it('--resume continues joint training from the last saved epoch, without pretraining again', async () => {
    const out = join(dir, 'dbm-cut');
    await runOk(...tinyTrainArgs(out, '--model', 'dbm', '--layers', '6,4', '--epochs', '2'));
    const path = join(out, 'model.safetensors');
    const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
    const training = { ...(JSON.parse(metadata.training) as Record<string, unknown>), epochs: 4 };
    writeFileSync(path, encodeSafetensors(tensors, { ...metadata, training: JSON.stringify(training) }));
    const r = json((await runOk('train', '--resume', '--out', out, '--quiet', '--json', '--threads', '1', '--sample-steps', '2')).stdout);
    expect(r).toMatchObject({ kind: 'dbm', epochs: 4, last: { stage: 'joint', epoch: 4 } });
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stage: string; epoch: number });
    expect(log.map((x) => [x.stage, x.epoch])).toEqual([['pretrain', 2], ['joint', 1], ['joint', 2], ['joint', 3], ['joint', 4]]);
    expect(decodeSafetensors(readFileSync(path), path).metadata.epochs_trained).toBe('4');
    const again = await runCli('train', '--resume', '--out', out, '--quiet', '--threads', '1');
    expect(again.code).toBe(1);
    expect(errorLine(again.stderr)).toContain('trained all its 4 joint epochs');
  });

  it('eval --json: the mean-field bound, exact log Z, and AIS and reverse AIS within 0.5 nats', async () => {
    const exact = json((await runOk('eval', '--model', dbmModel, '--data', 'bars-and-stripes:3', '--json', '--threads', '1', '--quiet')).stdout);
    expect(exact).toMatchObject({ kind: 'dbm', bound: 'lower', method: 'bound (exact log Z)', examples: 14 });
    const ais = json((await runOk('eval', '--model', dbmModel, '--data', 'bars-and-stripes:3', '--logz', 'ais', '--betas', '1000', '--json', '--threads', '1', '--quiet')).stdout);
    expect(Math.abs((ais.logZ as number) - (exact.logZ as number))).toBeLessThan(0.5);
    expect(exact.logZFloor as number).toBeLessThanOrEqual((exact.logZ as number) + 1e-4);
    expect(exact.warning).toBeUndefined();
    const reverse = json((await runOk('eval', '--model', dbmModel, '--data', 'bars-and-stripes:3', '--logz', 'reverse-ais', '--betas', '1000', '--json', '--threads', '1', '--quiet')).stdout);
    expect(reverse).toMatchObject({ method: 'bound (reverse AIS log Z)', reverseAis: { examples: 50, chainsPerExample: 10, betas: 1000 } });
    expect(Math.abs((reverse.logZ as number) - (exact.logZ as number))).toBeLessThan(0.5);
    expect(Math.abs((ais.logLikelihood as number) - (exact.logLikelihood as number))).toBeLessThan(0.5);
  });

  it('inspect and reconstruct on a DBM file', async () => {
    const d = json((await runOk('inspect', dbmModel, '--json')).stdout);
    expect(d).toMatchObject({ kind: 'dbm', layers: [9, 6, 4], epochsTrained: 3 });
    expect(Object.keys(d.parameters as object).sort()).toEqual(['hidden_bias_0', 'hidden_bias_1', 'visible_bias_0', 'weights_0', 'weights_1']);
    const r = json((await runOk('reconstruct', '--model', dbmModel, '--data', 'bars-and-stripes:3', '--count', '5', '--json', '--threads', '1')).stdout);
    expect(r.examples).toBe(5);
    expect((r.reconstructions as number[][]).map((row) => row.length)).toEqual([9, 9, 9, 9, 9]);
  });

  it('sample and features on a DBM file', async () => {
    for (const from of ['noise', 'bars-and-stripes:3']) {
      const r = json((await runOk('sample', '--model', dbmModel, '--count', '3', '--steps', '5', '--from', from, '--json', '--threads', '1')).stdout);
      expect((r.means as number[][]).map((row) => row.length)).toEqual([9, 9, 9]);
    }
    const f = json((await runOk('features', '--model', dbmModel, '--data', 'bars-and-stripes:3', '--json', '--threads', '1')).stdout);
    expect([f.examples, f.hidden]).toEqual([14, 4]);
  });

  it('classify --model DBM_FILE: the input augmented with q(h2 | v) by default, or the up-pass network of its weights', async () => {
    const images = join(dir, 'train-images-idx3-ubyte');
    const args = ['classify', '--model', dbmModel, '--data', `idx:${images}`, '--test', 'none', '--epochs', '5', '--batch-size', '10', '--json', '--threads', '1', '--quiet'];
    expect(json((await runOk(...args)).stdout)).toMatchObject({ sizes: [13, 6, 4, 3], initialisation: 'dbm-mean-field' });
    expect(json((await runOk(...args, '--dbm-input', 'visible')).stdout)).toMatchObject({ sizes: [9, 6, 4, 3], initialisation: 'rbm' });
    const mixed = await runCli(...args, '--model', model);
    expect(mixed.code).toBe(1);
    expect(errorLine(mixed.stderr)).toContain('is the only --model');
  });
});

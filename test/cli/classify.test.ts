/**
 * `boltzmann classify` end to end on a tiny labelled IDX data set (3 x 3 images whose bright row is the
 * class), and its bad-input contract: one line naming the culprit, non-zero exit, no classifier written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { decodeMlp } from '../../src/nn/mlp-file.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { idxBytes } from '../data/fixtures.js';
import { type CliResult, makeTempDir, runCli, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();

/** n images of 3 x 3 bytes: class c lights row c (255), with one dim stray pixel; labels c. */
function writeIdx(stem: string, n: number, seed: number): string {
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = (i * 7 + seed) % 3;
    const image = new Array<number>(9).fill(0);
    for (let j = 0; j < 3; j++) image[3 * c + j] = 255;
    image[(i * 5 + seed) % 9] = Math.max(image[(i * 5 + seed) % 9], 60);
    pixels.push(...image);
    labels.push(c);
  }
  const images = join(dir, `${stem}-images-idx3-ubyte`);
  writeFileSync(images, idxBytes([n, 3, 3], pixels));
  writeFileSync(join(dir, `${stem}-labels-idx1-ubyte`), idxBytes([n], labels));
  return images;
}

function expectOneLineError(r: CliResult, ...parts: string[]): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((line) => line.trim() !== '' && line !== '(add --help for usage)');
  expect(lines, `stderr: ${r.stderr}`).toHaveLength(1);
  for (const part of parts) expect(lines[0]).toContain(part);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

let train: string;
let test: string;
let model: string;
const quick = ['--epochs', '30', '--batch-size', '10', '--learning-rate', '0.5', '--threads', '1', '--quiet'];

beforeAll(async () => {
  train = writeIdx('train', 60, 0);
  test = writeIdx('t10k', 30, 1);
  const run = join(dir, 'rbm');
  await runOk(...tinyTrainArgs(run, '--data', `idx:${train}`, '--hidden', '6', '--epochs', '5', '--batch-size', '10'));
  model = join(run, 'model.safetensors');
});

describe('boltzmann classify', () => {
  it('from an RBM: fine-tunes, prints the test error as JSON, writes the classifier', async () => {
    const out = join(dir, 'from-rbm.safetensors');
    const r = await runOk('classify', '--model', model, '--data', `idx:${train}`, '--test', `idx:${test}`, '--hidden-layers', '5', '--out', out, '--json', ...quick);
    const summary = JSON.parse(r.stdout) as { sizes: number[]; initialisation: string; testError: number; trainError: number };
    expect(summary.sizes).toEqual([9, 6, 5, 3]);
    expect(summary.initialisation).toBe('rbm');
    expect(summary.trainError).toBe(0);
    expect(summary.testError).toBe(0);
    const engine = createNodeEngine({ threads: 1 });
    const { mlp, metadata } = decodeMlp(engine, readFileSync(out), out);
    expect(metadata.kind).toBe('mlp');
    expect(mlp.sizes).toEqual([9, 6, 5, 3]);
    expect(JSON.parse(metadata.training)).toMatchObject({ models: [model], hiddenLayers: [5], optimizer: 'sgd' });
    await engine.dispose();
  });

  it('from random weights, with adam, printing a line', async () => {
    const r = await runOk('classify', '--data', `idx:${train}`, '--test', `idx:${test}`, '--hidden-layers', '8', '--optimizer', 'adam', '--learning-rate', '0.05', '--epochs', '30', '--batch-size', '10', '--threads', '1', '--quiet');
    expect(r.stdout).toMatch(/^train error \d+\.\d\d% {2}test error \d+\.\d\d% on .*t10k-images-idx3-ubyte\n$/);
  });

  it('with no --batch-size, 60 examples train in batches of all 60; a given one larger than the data is refused', async () => {
    const out = join(dir, 'default-batch.safetensors');
    await runOk('classify', '--data', `idx:${train}`, '--epochs', '2', '--threads', '1', '--quiet', '--out', out);
    const { metadata } = decodeSafetensors(readFileSync(out), out);
    expect(JSON.parse(metadata.training)).toMatchObject({ batchSize: 60 });
    expectOneLineError(await runCli('classify', '--data', `idx:${train}`, '--batch-size', '61', '--quiet'), '--batch-size 61: larger than the 60 examples');
  });

  it('same seed, same classifier bytes', async () => {
    const paths = [join(dir, 'same-a.safetensors'), join(dir, 'same-b.safetensors')];
    for (const out of paths) await runOk('classify', '--model', model, '--data', `idx:${train}`, '--test', 'none', '--seed', '5', '--out', out, ...quick);
    expect(readFileSync(paths[0]).equals(readFileSync(paths[1]))).toBe(true);
  });
});

describe('bad input to classify: one line, non-zero exit, no classifier', () => {
  it('data without labels', async () => {
    const csv = join(dir, 'unlabelled.csv');
    writeFileSync(csv, '0,1,0\n1,0,1\n');
    const out = join(dir, 'nolabels.safetensors');
    expectOneLineError(await runCli('classify', '--data', `csv:${csv}`, '--out', out, ...quick), '--data', csv, 'has no labels');
    expect(existsSync(out)).toBe(false);
  });

  it('a model whose width does not match the data (2 x 2 images, 4 features)', async () => {
    const wide = join(dir, 'wide-images-idx3-ubyte');
    writeFileSync(wide, idxBytes([20, 2, 2], new Array<number>(80).fill(0)));
    writeFileSync(join(dir, 'wide-labels-idx1-ubyte'), idxBytes([20], new Array<number>(20).fill(1)));
    const r = await runCli('classify', '--model', model, '--data', `idx:${wide}`, '--test', 'none', ...quick);
    expectOneLineError(r, `--model ${model}`, '9 visible units', '4 features');
  });

  it('test data of another width, or with a class the training data lacks', async () => {
    const narrow = join(dir, 'narrow-images-idx3-ubyte');
    writeFileSync(narrow, idxBytes([2, 2, 2], new Array<number>(8).fill(0)));
    writeFileSync(join(dir, 'narrow-labels-idx1-ubyte'), idxBytes([2], [0, 1]));
    expectOneLineError(await runCli('classify', '--data', `idx:${train}`, '--test', `idx:${narrow}`, ...quick), narrow, '4 features per example', '9');
    const extra = join(dir, 'extra-images-idx3-ubyte');
    writeFileSync(extra, idxBytes([2, 3, 3], new Array<number>(18).fill(0)));
    writeFileSync(join(dir, 'extra-labels-idx1-ubyte'), idxBytes([2], [1, 7]));
    expectOneLineError(await runCli('classify', '--data', `idx:${train}`, '--test', `idx:${extra}`, ...quick), extra, 'example 1', 'label 7', '0 to 2');
  });

  it('an existing --out without --force, and a wrong extension', async () => {
    const out = join(dir, 'taken.safetensors');
    writeFileSync(out, 'keep');
    expectOneLineError(await runCli('classify', '--data', `idx:${train}`, '--out', out, ...quick), out, '--force');
    expect(readFileSync(out, 'utf8')).toBe('keep');
    expectOneLineError(await runCli('classify', '--data', `idx:${train}`, '--out', join(dir, 'x.npy'), ...quick), 'x.npy', '.safetensors');
  });

  it('divergence: exit 3, one line that says so, no classifier', async () => {
    const out = join(dir, 'diverged.safetensors');
    const r = await runCli('classify', '--data', `idx:${train}`, '--hidden-layers', '4', '--learning-rate', '1e38', '--out', out, ...quick.filter((a, i) => a !== '--learning-rate' && quick[i - 1] !== '--learning-rate'));
    expectOneLineError(r, 'diverged in epoch 1', 'lower the learning rate');
    expect(r.code).toBe(3);
    expect(existsSync(out)).toBe(false);
  });

  it('bad flags: an unknown optimizer, malformed layer sizes', async () => {
    const r = await runCli('classify', '--data', `idx:${train}`, '--optimizer', 'rmsprop', ...quick);
    expectOneLineError(r, '--optimizer', 'rmsprop');
    expect(r.code).toBe(2);
    expectOneLineError(await runCli('classify', '--data', `idx:${train}`, '--hidden-layers', '5,x', ...quick), '--hidden-layers', 'positive integers');
  });
});

/**
 * `train --model class-rbm` on the bundled digits and what the other commands do with its file: `eval`'s test
 * error and log-likelihood, `features` and `sample` with and without --class, each compared with the
 * library's own values; --resume; the flags and data it refuses.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binarize, parseBinarization } from '../../src/data/binarize.js';
import { loadDataSpec } from '../../src/data/spec.js';
import { score } from '../../src/estimators/score.js';
import { loadModelOf } from '../../src/io/model-file.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { classification } from '../../src/training/fit-class-rbm.js';
import { makeTempDir, runCli, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();
const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const quick = ['--model', 'class-rbm', '--hidden', '8', '--sample-steps', '2', '--threads', '1', '--quiet'];
const logOf = (out: string): Record<string, number>[] => readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
const test = binarize(loadDataSpec('mnist:test'), parseBinarization('threshold'));

describe('train --model class-rbm', () => {
  const out = join(dir, 'digits');
  const modelPath = join(out, 'model.safetensors');

  it('trains on the labelled digits, logging the held-out error, and draws filters and samples by class', async () => {
    const r = await runOk('train', ...quick, '--epochs', '2', '--objective', 'generative', '--sampler', 'pcd', '--chains', '20', '--json', '--out', out);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'class-rbm', classes: 10, epochs: 2, last: { epoch: 2 } });
    const log = logOf(out);
    expect(log.map((l) => l.epoch)).toEqual([1, 2]);
    for (const l of log) expect(l.heldOutError).toBeGreaterThanOrEqual(0);
    for (const picture of ['filters.png', 'samples.png']) expect(existsSync(join(out, picture))).toBe(true);
    const { metadata } = decodeSafetensors(readFileSync(modelPath), modelPath);
    expect(metadata).toMatchObject({ kind: 'class-rbm', classes: '10', epochs_trained: '2' });
    expect(JSON.parse(metadata.training)).toMatchObject({ model: 'class-rbm', objective: 'generative', alpha: 0.01 });
  });

  it('gives eval the library\'s test error and exact log-likelihood', async () => {
    const r = await runOk('eval', '--model', modelPath, '--data', 'mnist:test', '--binarize', 'threshold', '--json', '--quiet');
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    const { model } = await loadModelOf(engine, modelPath, 'class-rbm');
    const expected = await classification(model, { examples: test.examples, labels: test.labels! });
    expect(result).toMatchObject({ kind: 'class-rbm', classes: 10, method: 'exact', testError: expected.error });
    expect(result.classLoss as number).toBeCloseTo(expected.loss, 6);
    expect(result.logLikelihood as number).toBeCloseTo((await score(model, test.examples)).logLikelihood, 6);
  });

  it('writes the library\'s features and samples, given a class or with the class summed out', async () => {
    const { model } = await loadModelOf(engine, modelPath, 'class-rbm');
    const rows = (json: string, key: string): number[] => (JSON.parse(json) as Record<string, number[][]>)[key].flat();
    const features = await runOk('features', '--model', modelPath, '--data', 'mnist:test', '--binarize', 'threshold', '--json', '--threads', '1');
    expect(rows(features.stdout, 'features')).toEqual(Array.from((await model.transform(test.examples)).data));
    const given = await runOk('features', '--model', modelPath, '--data', 'mnist:test', '--binarize', 'threshold', '--class', '3', '--json', '--threads', '1');
    expect(rows(given.stdout, 'features')).toEqual(Array.from((await model.givenClass(3).transform(test.examples)).data));
    const sampled = await runOk('sample', '--model', modelPath, '--class', '2', '--count', '3', '--steps', '5', '--seed', '4', '--json', '--threads', '1');
    expect(rows(sampled.stdout, 'means')).toEqual(Array.from((await model.givenClass(2).sample(3, { steps: 5, seed: 4 })).means.data));
    const joint = await runOk('sample', '--model', modelPath, '--count', '3', '--steps', '5', '--seed', '4', '--json', '--threads', '1');
    expect(rows(joint.stdout, 'means')).toEqual(Array.from((await model.sample(3, { steps: 5, seed: 4 })).means.data));
  });

  it('refuses a class the model lacks, and --class on a model without a label layer', async () => {
    const r = await runCli('sample', '--model', modelPath, '--class', '10', '--json');
    expect([r.code, r.stderr]).toEqual([1, 'boltzmann: error: class 10: this model has classes 0 to 9\n']);
    const rbmOut = join(dir, 'rbm');
    await runOk(...tinyTrainArgs(rbmOut));
    const rbm = await runCli('features', '--model', join(rbmOut, 'model.safetensors'), '--data', 'bars-and-stripes:3', '--class', '1', '--json');
    expect(rbm.code).toBe(1);
    expect(rbm.stderr).toBe(`boltzmann: error: --class 1: ${join(rbmOut, 'model.safetensors')} holds a model of kind rbm, without a label layer (--class needs a class-rbm or mp-dbm file)\n`);
  });

  it('resumes a run cut short up to its planned epochs', async () => {
    const cut = join(dir, 'cut');
    await runOk('train', ...quick, '--epochs', '1', '--objective', 'discriminative', '--out', cut);
    const path = join(cut, 'model.safetensors');
    const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
    writeFileSync(path, encodeSafetensors(tensors, { ...metadata, training: JSON.stringify({ ...(JSON.parse(metadata.training) as object), epochs: 2 }) }));
    const r = await runOk('train', '--resume', '--out', cut, '--json', '--quiet', '--threads', '1');
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'class-rbm', epochs: 2, last: { epoch: 2 } });
    expect(logOf(cut).map((l) => l.epoch)).toEqual([1, 2]);
    expect(JSON.parse(decodeSafetensors(readFileSync(path), path).metadata.training)).toMatchObject({ objective: 'discriminative' });
  });
});

describe('train --model class-rbm --labelled (semi-supervised)', () => {
  it('keeps the labels of the first n examples only, saves the setting, and counts its errors on them', async () => {
    const out = join(dir, 'semi');
    await runOk('train', ...quick, '--epochs', '1', '--objective', 'hybrid', '--labelled', '100', '--out', out);
    const path = join(out, 'model.safetensors');
    expect(JSON.parse(decodeSafetensors(readFileSync(path), path).metadata.training)).toMatchObject({ labelled: 100, objective: 'hybrid' });
    expect(logOf(out)[0].trainingError).toBeGreaterThanOrEqual(0);
  });

  it('refuses more labelled examples than the data has, and a discriminative objective, which unlabelled rows cannot train', async () => {
    const tooMany = await runCli('train', ...quick, '--labelled', '10000', '--out', join(dir, 'too-many'));
    expect([tooMany.code, tooMany.stderr]).toEqual([1, 'boltzmann: error: --labelled 10000: more than the 9003 examples of mnist:train\n']);
    const discriminative = await runCli('train', ...quick, '--labelled', '100', '--objective', 'discriminative', '--out', join(dir, 'semi-discriminative'));
    expect([discriminative.code, discriminative.stderr]).toEqual([1, 'boltzmann: error: unlabelled examples train the generative term only: use the generative or hybrid objective\n']);
  });
});

describe('train --model class-rbm refuses', () => {
  it.each([
    [['--model', 'class-rbm', '--optimizer', 'adam'], '--model class-rbm', '--optimizer'],
    [['--model', 'class-rbm', '--sampler', 'fpcd'], '--model class-rbm', '--sampler'],
    [['--model', 'class-rbm', '--centering'], '--model class-rbm', '--centering'],
    [['--model', 'class-rbm', '--visible-units', 'gaussian'], '--model class-rbm', '--visible-units'],
    [['--objective', 'discriminative'], '--model rbm', '--objective'],
    [['--model', 'dbm', '--layers', '4,3', '--alpha', '0.1'], '--model dbm', '--alpha'],
    [['--model', 'dbn', '--layers', '4,3', '--labelled', '5'], '--model dbn', '--labelled'],
  ])('%j with exit 2, naming the flag, and writes nothing', async (flags, model, flag) => {
    const out = join(dir, `refused-${flag.slice(2)}-${model.slice(8)}`);
    const r = await runCli(...tinyTrainArgs(out, ...flags));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(new RegExp(`^error: ${model} cannot honour ${flag} \\(.+\\); drop it$`));
    expect(existsSync(out)).toBe(false);
  });

  it('data without labels, with one line', async () => {
    const r = await runCli(...tinyTrainArgs(join(dir, 'unlabelled'), '--model', 'class-rbm'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('boltzmann: error: --data bars-and-stripes:3: has no labels; a classification RBM needs labelled data (mnist, idx with a labels file beside it)\n');
  });
});

/**
 * `train --model mp-dbm` on the bundled digits and what the other commands do with its file: `eval`'s test
 * error (with and without missing pixels) and bound, `features` and `sample --class`, each compared with the
 * library's own values; `classify --missing` with a DBM, against the library; --resume; the flags and data it
 * refuses.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binarize, parseBinarization } from '../../src/data/binarize.js';
import { loadDataSpec } from '../../src/data/spec.js';
import { missingInputErrors } from '../../src/estimators/missing-inputs.js';
import { score } from '../../src/estimators/score.js';
import { loadModelOf } from '../../src/io/model-file.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { classification } from '../../src/training/fit-class-rbm.js';
import { makeTempDir, runCli, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();
const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const quick = ['--model', 'mp-dbm', '--layers', '8,6', '--sample-steps', '2', '--threads', '1', '--quiet', '--binarize', 'threshold'];
const logOf = (out: string): Record<string, number>[] => readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
const test = binarize(loadDataSpec('mnist:test'), parseBinarization('threshold'));
const labelled = { examples: test.examples, labels: test.labels! };

describe('train --model mp-dbm', () => {
  const out = join(dir, 'digits');
  const modelPath = join(out, 'model.safetensors');

  it('trains on the labelled digits, logging the loss and the held-out error, and draws filters, samples and a fill-in', async () => {
    const r = await runOk('train', ...quick, '--epochs', '2', '--label-weight', '5', '--json', '--out', out);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'mp-dbm', layers: [784, 8, 6], classes: 10, epochs: 2, last: { epoch: 2 } });
    const log = logOf(out);
    expect(log.map((l) => l.epoch)).toEqual([1, 2]);
    for (const l of log) {
      expect(l.heldOutError).toBeGreaterThanOrEqual(0);
      expect(l.loss).toBeGreaterThan(0);
    }
    for (const picture of ['filters.png', 'samples.png', 'fill-in.png']) expect(existsSync(join(out, picture))).toBe(true);
    const { metadata } = decodeSafetensors(readFileSync(modelPath), modelPath);
    expect(metadata).toMatchObject({ kind: 'mp-dbm', classes: '10', layers: '[784,8,6]', epochs_trained: '2' });
    expect(JSON.parse(metadata.training)).toMatchObject({ model: 'mp-dbm', layers: [8, 6], labelWeight: 5, dropProbability: 0.5, centering: true });
  });

  it("gives eval the library's test errors, with pixels missing too, and its bound", async () => {
    const unlabelled = await runCli('eval', '--model', modelPath, '--data', 'dots:20:28', '--missing', '0.5', '--json');
    expect(unlabelled.stderr).toMatch(/^boltzmann: error: --missing: .+ has no labels to score the classes against\n$/);
    const r = await runOk('eval', '--model', modelPath, '--data', 'mnist:test', '--binarize', 'threshold', '--missing', '0.25,0.5', '--logz', 'exact', '--seed', '3', '--json', '--quiet');
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    const { model } = await loadModelOf(engine, modelPath, 'mp-dbm');
    const expected = await classification(model, labelled);
    const missing = await missingInputErrors((v, seen) => model.predict(v, seen), labelled.examples, labelled.labels, model.visible, [0.25, 0.5], 3);
    expect(result).toMatchObject({ kind: 'mp-dbm', classes: 10, testError: expected.error, missingInputs: missing.map((m) => ({ fraction: m.fraction, testError: m.error })), bound: 'lower' });
    expect(result.logLikelihood as number).toBeCloseTo((await score(model, labelled.examples, { logZ: 'exact' })).logLikelihood, 4);
  });

  it("writes the library's features and samples given a class", async () => {
    const { model } = await loadModelOf(engine, modelPath, 'mp-dbm');
    const rows = (json: string, key: string): number[] => (JSON.parse(json) as Record<string, number[][]>)[key].flat();
    const features = await runOk('features', '--model', modelPath, '--data', 'mnist:test', '--binarize', 'threshold', '--json', '--threads', '1');
    expect(rows(features.stdout, 'features')).toEqual(Array.from((await model.transform(test.examples)).data));
    const sampled = await runOk('sample', '--model', modelPath, '--class', '2', '--count', '3', '--steps', '5', '--seed', '4', '--json', '--threads', '1');
    expect(rows(sampled.stdout, 'means')).toEqual(Array.from((await model.givenClass(2).sample(3, { steps: 5, seed: 4 })).means.data));
  });

  it('resumes a run cut short up to its planned epochs, with its own settings', async () => {
    const cut = join(dir, 'cut');
    await runOk('train', ...quick, '--epochs', '1', '--drop-probability', '0.3', '--out', cut);
    const path = join(cut, 'model.safetensors');
    const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
    writeFileSync(path, encodeSafetensors(tensors, { ...metadata, training: JSON.stringify({ ...(JSON.parse(metadata.training) as object), epochs: 2 }) }));
    const r = await runOk('train', '--resume', '--out', cut, '--json', '--quiet', '--threads', '1');
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'mp-dbm', epochs: 2, last: { epoch: 2 } });
    expect(logOf(cut).map((l) => l.epoch)).toEqual([1, 2]);
    expect(JSON.parse(decodeSafetensors(readFileSync(path), path).metadata.training)).toMatchObject({ dropProbability: 0.3 });
  });
});

describe('classify --missing with a DBM', () => {
  it("reports the library's error with the DBM's mean field filling in the missing pixels", async () => {
    const dbmOut = join(dir, 'dbm');
    await runOk('train', '--model', 'dbm', '--layers', '8,6', '--epochs', '1', '--sample-steps', '2', '--threads', '1', '--quiet', '--binarize', 'threshold', '--out', dbmOut);
    const dbmPath = join(dbmOut, 'model.safetensors');
    const mlpPath = join(dir, 'mlp.safetensors');
    const r = await runOk('classify', '--model', dbmPath, '--binarize', 'threshold', '--epochs', '1', '--missing', '0,0.5', '--seed', '2', '--out', mlpPath, '--json', '--quiet', '--threads', '1');
    const result = JSON.parse(r.stdout) as { testError: number; missingInputs: { fraction: number; testError: number }[] };
    expect(result.missingInputs.map((m) => m.fraction)).toEqual([0, 0.5]);
    const { model: dbm } = await loadModelOf(engine, dbmPath, 'dbm');
    const { loadMlp } = await import('../../src/nn/mlp-file.js');
    const { meanFieldInput } = await import('../../src/nn/dbm-classifier.js');
    const { mlp } = await loadMlp(engine, mlpPath);
    const expected = await missingInputErrors(async (v, seen) => mlp.predict(await meanFieldInput(dbm, await dbm.fillIn(v, seen))), test.examples, test.labels!, dbm.visible, [0, 0.5], 2);
    expect(result.missingInputs).toEqual(expected.map((m) => ({ fraction: m.fraction, testError: m.error })));
    expect(result.missingInputs[0].testError).toBe(result.testError);
  });
});

describe('train --model mp-dbm refuses', () => {
  it.each([
    [['--model', 'mp-dbm', '--layers', '4,3', '--sampler', 'pcd'], '--model mp-dbm', '--sampler'],
    [['--model', 'mp-dbm', '--layers', '4,3', '--optimizer', 'adam'], '--model mp-dbm', '--optimizer'],
    [['--model', 'mp-dbm', '--layers', '4,3', '--factors', '5'], '--model mp-dbm', '--factors'],
    [['--label-weight', '2'], '--model rbm', '--label-weight'],
    [['--model', 'dbm', '--layers', '4,3', '--drop-probability', '0.2'], '--model dbm', '--drop-probability'],
  ])('%j with exit 2, naming the flag, and writes nothing', async (flags, model, flag) => {
    const out = join(dir, `refused-${flag.slice(2)}-${model.slice(8)}`);
    const r = await runCli(...tinyTrainArgs(out, ...flags));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(new RegExp(`^error: ${model} cannot honour ${flag} \\(.+\\); drop it$`));
    expect(existsSync(out)).toBe(false);
  });

  it('one hidden layer, data without labels, and eval --missing on another kind, each with one line', async () => {
    const one = await runCli(...tinyTrainArgs(join(dir, 'one-layer'), '--model', 'mp-dbm', '--layers', '4'));
    expect([one.code, one.stderr]).toEqual([1, 'boltzmann: error: --layers 4: a multi-prediction DBM has 2 or more hidden layers, such as --layers 500,1000\n']);
    const unlabelled = await runCli(...tinyTrainArgs(join(dir, 'unlabelled'), '--model', 'mp-dbm', '--layers', '4,3'));
    expect([unlabelled.code, unlabelled.stderr]).toEqual([1, 'boltzmann: error: --data bars-and-stripes:3: has no labels; a multi-prediction DBM needs labelled data (mnist, idx with a labels file beside it)\n']);
    const rbmOut = join(dir, 'rbm');
    await runOk(...tinyTrainArgs(rbmOut));
    const rbmPath = join(rbmOut, 'model.safetensors');
    const r = await runCli('eval', '--model', rbmPath, '--data', 'bars-and-stripes:3', '--missing', '0.5', '--json');
    expect([r.code, r.stderr]).toEqual([1, `boltzmann: error: --missing: ${rbmPath} is a rbm; eval classifies with missing pixels for a multi-prediction DBM (for a DBM's fine-tuned network: classify --missing)\n`]);
    const noDbm = await runCli('classify', '--data', 'mnist:test', '--missing', '0.5', '--json');
    expect([noDbm.code, noDbm.stderr]).toEqual([1, "boltzmann: error: --missing: the missing pixels are filled in by a DBM's mean field; give a DBM file (--model) with --dbm-input mean-field\n"]);
  });
});

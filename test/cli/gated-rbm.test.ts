/**
 * `train --model gated-rbm` on pairs of shifted random dots and what the other commands do with its file:
 * `eval`'s exact log p(y | x) and transformation measures, `features` and `reconstruct`, each compared with the
 * library's own values; --resume; the flags and data it refuses.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataSpec } from '../../src/data/spec.js';
import { score } from '../../src/estimators/score.js';
import { transformationInference } from '../../src/estimators/transformation-inference.js';
import { loadModelOf } from '../../src/io/model-file.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { makeTempDir, runCli, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();
const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const TRAIN = 'pairs:shift:dots:200:5';
const HELD_OUT = 'pairs:shift:dots:60:5:1';
const quick = ['--model', 'gated-rbm', '--data', TRAIN, '--held-out', HELD_OUT, '--hidden', '4', '--factors', '6', '--sample-steps', '2', '--threads', '1', '--quiet'];
const logOf = (out: string): Record<string, number>[] => readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

describe('train --model gated-rbm', () => {
  const out = join(dir, 'dots');
  const modelPath = join(out, 'model.safetensors');
  const heldOut = loadDataSpec(HELD_OUT);

  it('trains on pairs, logs each epoch, draws filters, samples and analogies, and measures the held-out pairs', async () => {
    const r = await runOk('train', ...quick, '--epochs', '2', '--json', '--out', out);
    const summary = JSON.parse(r.stdout) as { heldOut: Record<string, number> };
    expect(summary).toMatchObject({ kind: 'gated-rbm', epochs: 2, last: { epoch: 2 } });
    expect(logOf(out).map((l) => l.epoch)).toEqual([1, 2]);
    for (const picture of ['filters.png', 'samples.png', 'analogies.png']) expect(existsSync(join(out, picture))).toBe(true);
    const { metadata } = decodeSafetensors(readFileSync(modelPath), modelPath);
    expect(metadata).toMatchObject({ kind: 'gated-rbm', epochs_trained: '2' });
    // The gated trainer's own defaults where no flag is given: learning rate, batch size; the run's factors.
    expect(JSON.parse(metadata.training)).toMatchObject({ model: 'gated-rbm', factors: 6, learningRate: 0.02, batchSize: 20, learningRateSchedule: 'constant', finalMomentum: 0.9, maxNorm: 3, sampler: 'cd' });
    const { model } = await loadModelOf(engine, modelPath, 'gated-rbm');
    expect(summary.heldOut).toEqual(await transformationInference(model, heldOut.examples, heldOut.labels!));
  });

  it('gives eval the library\'s exact conditional log-likelihood and transformation measures', async () => {
    const r = await runOk('eval', '--model', modelPath, '--data', HELD_OUT, '--json', '--quiet');
    const result = JSON.parse(r.stdout) as Record<string, number>;
    const { model } = await loadModelOf(engine, modelPath, 'gated-rbm');
    expect(result).toMatchObject({ kind: 'gated-rbm', method: 'exact', examples: 60, ...(await transformationInference(model, heldOut.examples, heldOut.labels!)) });
    expect(result.logLikelihood).toBeCloseTo((await score(model, heldOut.examples)).logLikelihood, 6);
    expect(result.logLikelihoodLow).toBe(result.logLikelihood);
    expect(result.logLikelihoodCeiling).toBeGreaterThanOrEqual(result.logLikelihood - 1e-9);
  });

  it('writes the library\'s features (the mapping units) and reconstructions of pairs', async () => {
    const { model } = await loadModelOf(engine, modelPath, 'gated-rbm');
    const rows = (json: string, key: string): number[] => (JSON.parse(json) as Record<string, number[][]>)[key].flat();
    const features = await runOk('features', '--model', modelPath, '--data', HELD_OUT, '--json', '--threads', '1');
    expect(rows(features.stdout, 'features')).toEqual(Array.from((await model.transform(heldOut.examples)).data));
    const reconstructed = await runOk('reconstruct', '--model', modelPath, '--data', HELD_OUT, '--json', '--threads', '1');
    expect(rows(reconstructed.stdout, 'reconstructions')).toEqual(Array.from((await model.reconstruct(heldOut.examples)).reconstructions.data));
  });

  it('resumes a cut run up to its planned epochs', async () => {
    const { tensors, metadata } = decodeSafetensors(readFileSync(modelPath), modelPath);
    writeFileSync(modelPath, encodeSafetensors(tensors, { ...metadata, training: JSON.stringify({ ...(JSON.parse(metadata.training) as object), epochs: 3 }) }));
    const r = await runOk('train', '--resume', '--out', out, '--json', '--quiet', '--threads', '1');
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'gated-rbm', epochs: 3, last: { epoch: 3 } });
    expect(logOf(out).map((l) => l.epoch)).toEqual([1, 2, 3]);
  });

  it('is no start for a classifier, nor an RBM to denoise with: one line each', async () => {
    const classify = await runCli('classify', '--model', modelPath, '--data', HELD_OUT, '--epochs', '1', '--threads', '1');
    expect([classify.code, classify.stderr]).toEqual([1, `boltzmann: error: ${modelPath}: a gated RBM, whose weights depend on its input: no RBMs to start a network from\n`]);
    const denoise = await runCli('denoise', '--model', modelPath, '--data', HELD_OUT, '--corrupt', 'erase:half', '--out', join(dir, 'dn'));
    expect([denoise.code, denoise.stderr]).toEqual([1, `boltzmann: error: ${modelPath}: a "gated-rbm" model, not an RBM\n`]);
  });

  it('refuses rows that are not pairs of two halves, with one line', async () => {
    const r = await runCli('train', ...quick, '--data', 'bars-and-stripes:3', '--held-out', 'none', '--out', join(dir, 'odd'));
    expect([r.code, r.stderr]).toEqual([1, 'boltzmann: error: --data bars-and-stripes:3: rows of 9 values cannot be pairs [x | y] of two halves; use pairs:shift:SPEC or pairs:rotate:SPEC\n']);
  });
});

describe('train --model gated-rbm refuses', () => {
  it.each([
    [['--model', 'gated-rbm', '--sampler', 'pcd'], '--model gated-rbm', '--sampler'],
    [['--model', 'gated-rbm', '--visible-units', 'gaussian'], '--model gated-rbm', '--visible-units'],
    [['--model', 'gated-rbm', '--sparsity', '0.1'], '--model gated-rbm', '--sparsity'],
    [['--model', 'gated-rbm', '--objective', 'hybrid'], '--model gated-rbm', '--objective'],
    [['--factors', '10'], '--model rbm', '--factors'],
    [['--model', 'class-rbm', '--factors', '10'], '--model class-rbm', '--factors'],
  ])('%j with exit 2, naming the flag, and writes nothing', async (flags, model, flag) => {
    const out = join(dir, `refused-${flag.slice(2)}-${model.slice(8)}`);
    const r = await runCli(...tinyTrainArgs(out, ...flags));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(new RegExp(`^error: ${model} cannot honour ${flag} \\(.+\\); drop it$`));
    expect(existsSync(out)).toBe(false);
  });
});

/** train's sampler, optimiser and regulariser flags: they reach the training, the log and the saved settings. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import type { EpochRecord } from '../../src/training/fit.js';
import { makeTempDir, runCli, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();
const log = (out: string): EpochRecord[] =>
  readFileSync(join(out, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EpochRecord);
const settings = (out: string): Record<string, unknown> =>
  JSON.parse(decodeSafetensors(readFileSync(join(out, 'model.safetensors')), 'model').metadata.training) as Record<string, unknown>;

describe('train: samplers, optimisers and regularisers', () => {
  it('parallel tempering logs its swap rates and the chains mixing; k rises to --k-final; the settings are saved', async () => {
    const out = join(dir, 'pt');
    const flags = ['--sampler', 'pt', '--temperatures', '4', '--chains', '3', '--k', '1', '--k-final', '3', '--centering', '--sparsity', '0.2', '--l1', '0.001', '--max-norm', '2'];
    await runOk(...tinyTrainArgs(out, ...flags, '--epochs', '3'));
    const records = log(out);
    expect(records.map((r) => r.k)).toEqual([1, 2, 3]);
    for (const r of records) {
      expect(r.swapRates).toHaveLength(3);
      expect(r.swapRates!.every((x) => x >= 0 && x <= 1)).toBe(true);
      expect(r.chainAutocorrelationTime).toBeGreaterThan(0);
    }
    expect(settings(out)).toMatchObject({ sampler: 'pt', temperatures: 4, kFinal: 3, centering: true, sparsityTarget: 0.2, l1: 0.001, maxNorm: 2 });
  });

  it('Adam takes its own default learning rate; fast-weights PCD its fast rate', async () => {
    const adam = join(dir, 'adam');
    await runOk(...tinyTrainArgs(adam, '--optimizer', 'adam'));
    expect(settings(adam)).toMatchObject({ optimizer: 'adam', learningRate: 0.001 });
    const fpcd = join(dir, 'fpcd');
    await runOk(...tinyTrainArgs(fpcd, '--sampler', 'fpcd', '--fast-learning-rate', '0.2', '--fast-decay', '0.9', '--chains', '2'));
    expect(settings(fpcd)).toMatchObject({ sampler: 'fpcd', fastLearningRate: 0.2, fastDecay: 0.9 });
    expect(log(fpcd)[0].chainAutocorrelationTime).toBeGreaterThan(0);
  });

  it('refuses bad values with a one-line usage error', async () => {
    for (const bad of [
      ['--sparsity', '1.5'],
      ['--fast-decay', '1'],
      ['--sampler', 'gibbs'],
      ['--optimizer', 'rmsprop'],
      ['--max-norm', '-1'],
    ]) {
      const r = await runCli(...tinyTrainArgs(join(dir, 'bad'), ...bad));
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/error/);
    }
    const r = await runCli(...tinyTrainArgs(join(dir, 'bad'), '--sampler', 'pt', '--temperatures', '1'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/temperatures must be an integer >= 2/);
  });
});

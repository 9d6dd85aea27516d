/**
 * `train --model dbm` honours the training flags its trainers have (--lr-schedule among them) and refuses,
 * with exit 2 and one line naming the flag, those it cannot honour, instead of ignoring them silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { makeTempDir, runCli, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();

describe('train --model dbm and the training flags', () => {
  it.each([
    [['--optimizer', 'adam'], '--optimizer'],
    [['--sampler', 'cd'], '--sampler'],
    [['--k-final', '3'], '--k-final'],
    [['--sparsity', '0.1'], '--sparsity'],
    [['--l1', '0.001'], '--l1'],
    [['--max-norm', '3'], '--max-norm'],
    [['--initial-momentum', '0.9'], '--initial-momentum'],
  ])('refuses %j with exit 2, naming %s, and writes nothing', async (flags, name) => {
    const out = join(dir, `refused-${name.slice(2)}`);
    const r = await runCli(...tinyTrainArgs(out, '--model', 'dbm', '--layers', '4,3', ...flags));
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^error: --model dbm cannot honour ${name} \\(.+\\); drop it$`));
    expect(existsSync(out)).toBe(false);
  });

  it('accepts the values it honours (--sampler pcd, --optimizer sgd) and honours --lr-schedule', async () => {
    const out = join(dir, 'honoured');
    await runOk(...tinyTrainArgs(out, '--model', 'dbm', '--layers', '4,3', '--epochs', '2', '--sampler', 'pcd', '--optimizer', 'sgd', '--lr-schedule', 'constant', '--learning-rate', '0.1'));
    const path = join(out, 'model.safetensors');
    expect(JSON.parse(decodeSafetensors(readFileSync(path), path).metadata.training)).toMatchObject({ learningRateSchedule: 'constant' });
    const joint = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stage: string; learningRate?: number }).filter((r) => r.stage === 'joint');
    // A tenth of --learning-rate in joint training, constant over the epochs.
    expect(joint.map((r) => r.learningRate)).toEqual([0.01, 0.01]);
  });

  it('trains its joint phase by parallel tempering (--sampler pt --temperatures 3) and logs the swap rates', async () => {
    const out = join(dir, 'tempered');
    await runOk(...tinyTrainArgs(out, '--model', 'dbm', '--layers', '4,3', '--epochs', '2', '--sampler', 'pt', '--temperatures', '3'));
    const joint = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stage: string; swapRates?: number[] }).filter((r) => r.stage === 'joint');
    expect(joint).toHaveLength(2);
    for (const r of joint) expect(r.swapRates).toHaveLength(2);
  });
});

describe('train --model dbn and the flags it cannot honour', () => {
  it.each([
    [['--visible-units', 'gaussian'], '--visible-units'],
    [['--standardize'], '--standardize'],
  ])('refuses %j with exit 2, naming %s', async (flags, name) => {
    const r = await runCli(...tinyTrainArgs(join(dir, `dbn-refused-${name.slice(2)}`), '--model', 'dbn', '--layers', '4,3', ...flags));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(new RegExp(`^error: --model dbn cannot honour ${name} \\(.+\\); drop it$`));
  });

  it('accepts Bernoulli units named explicitly', async () => {
    await runOk(...tinyTrainArgs(join(dir, 'dbn-bernoulli'), '--model', 'dbn', '--layers', '4,3', '--visible-units', 'bernoulli'));
  });
});

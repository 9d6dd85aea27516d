/** train --resume: a run cut short continues from its last checkpoint with its own settings and log. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { makeTempDir, runCli, runOk } from './run-cli.js';

const dir = makeTempDir();
const tiny = ['--data', 'bars-and-stripes:3', '--hidden', '6', '--batch-size', '2', '--sample-steps', '2', '--quiet', '--threads', '1'];

/** A run of `planned` epochs stopped after `done`: what an interrupted `train` leaves in its folder. */
async function interruptedRun(name: string, done: number, planned: number): Promise<string> {
  const out = join(dir, name);
  await runOk('train', ...tiny, '--epochs', String(done), '--learning-rate', '0.1', '--lr-schedule', 'linear', '--out', out);
  const modelPath = join(out, 'model.safetensors');
  const { tensors, metadata } = decodeSafetensors(readFileSync(modelPath), modelPath);
  const training = { ...(JSON.parse(metadata.training) as Record<string, unknown>), epochs: planned };
  writeFileSync(modelPath, encodeSafetensors(tensors, { ...metadata, training: JSON.stringify(training) }));
  return out;
}

const logOf = (out: string): Record<string, number>[] =>
  readFileSync(join(out, 'log.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, number>);

describe('train --resume', () => {
  it('continues the schedule and the log from the last saved epoch up to the planned epochs', async () => {
    const out = await interruptedRun('cut', 2, 4);
    const before = logOf(out);
    const r = await runOk('train', '--resume', '--out', out, '--epochs', '99', '--quiet', '--json', '--threads', '1');
    expect(JSON.parse(r.stdout)).toMatchObject({ epochs: 4, last: { epoch: 4 } });
    const log = logOf(out);
    expect(log.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    expect(log.slice(0, 2)).toEqual(before);
    // The linear schedule of the planned 4 epochs at epochs 3 and 4: 0.1 (1 - 2/4) and 0.1 (1 - 3/4).
    expect(log[2].learningRate).toBeCloseTo(0.05, 12);
    expect(log[3].learningRate).toBeCloseTo(0.025, 12);
    const { metadata } = decodeSafetensors(readFileSync(join(out, 'model.safetensors')), 'model');
    expect(metadata.epochs_trained).toBe('4');
  });

  it('refuses a run that has trained all its epochs, and leaves it as it was', async () => {
    const out = await interruptedRun('done', 2, 2);
    const model = readFileSync(join(out, 'model.safetensors'));
    const r = await runCli('train', '--resume', '--out', out, '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has trained all its 2 epochs already/);
    expect(readFileSync(join(out, 'model.safetensors')).equals(model)).toBe(true);
  });

  it('refuses a folder with no model', async () => {
    const r = await runCli('train', '--resume', '--out', join(dir, 'nothing-here'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`boltzmann: error: --resume: ${join(dir, 'nothing-here')} holds no model.safetensors to resume`);
  });
});

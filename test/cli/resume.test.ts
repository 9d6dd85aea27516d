/** train --resume: a run cut short continues from its last checkpoint with its own settings and log. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('checks the saved settings with the flags\' parsers: a bad one is one line naming the file and the setting', async () => {
    const out = await interruptedRun('bad-settings', 1, 3);
    const modelPath = join(out, 'model.safetensors');
    const { tensors, metadata } = decodeSafetensors(readFileSync(modelPath), modelPath);
    const training = JSON.parse(metadata.training) as Record<string, unknown>;
    for (const [change, says] of [
      [{ sampler: 'bogus' }, 'training setting "sampler" ("bogus"): expected one of cd, pcd, fpcd, pt.'],
      [{ epochs: 1e300 }, 'training setting "epochs" (1e+300): expected a positive integer.'],
      [{ learningRate: '0.1' }, 'training setting "learningRate" ("0.1"): expected a number.'],
      [{ fastDecay: 1 }, 'training setting "fastDecay" (1): expected a number from 0 up to (not including) 1.'],
      [{ banana: 1 }, 'unknown training setting "banana"'],
      [{ data: undefined }, 'its training settings lack "data"'],
    ] as const) {
      writeFileSync(modelPath, encodeSafetensors(tensors, { ...metadata, training: JSON.stringify({ ...training, ...change }) }));
      const r = await runCli('train', '--resume', '--out', out, '--quiet');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`boltzmann: error: --resume: ${modelPath}: ${says}\n`);
    }
  });

  it('rewrites a log.jsonl that lost lines from the log the model file keeps, and says so', async () => {
    const out = await interruptedRun('lost-log', 3, 4);
    const before = logOf(out);
    writeFileSync(join(out, 'log.jsonl'), readFileSync(join(out, 'log.jsonl'), 'utf8').split('\n').slice(0, 1).join('\n') + '\n');
    const r = await runOk('train', '--resume', '--out', out, '--threads', '1');
    expect(r.stderr).toContain(`--resume: ${join(out, 'log.jsonl')} disagreed with the checkpoint; rewrote it from model.safetensors (3 lines)`);
    const log = logOf(out);
    expect(log.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    // The first line kept its timings; the lines taken from the model file have none.
    expect(log[0]).toEqual(before[0]);
    const { seconds: _s, samplesPerSecond: _r, ...untimed } = before[1];
    expect(log[1]).toEqual(untimed);
  });

  it('draws the pictures a finished run lacks (a kill while they were drawn), then refuses as finished', async () => {
    const out = await interruptedRun('no-pictures', 2, 2);
    rmSync(join(out, 'samples.png'));
    const model = readFileSync(join(out, 'model.safetensors'));
    const r = await runOk('train', '--resume', '--out', out, '--threads', '1');
    expect(r.stderr).toContain(`--resume: ${out} has trained all its 2 epochs; drawing the missing samples.png`);
    expect(existsSync(join(out, 'samples.png'))).toBe(true);
    expect(readFileSync(join(out, 'model.safetensors')).equals(model)).toBe(true);
    expect((await runCli('train', '--resume', '--out', out, '--quiet')).code).toBe(1);
  });
});

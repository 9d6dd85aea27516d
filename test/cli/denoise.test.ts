/** `boltzmann denoise` on a small RBM trained on 4 x 4 bars and stripes: pictures, errors before and after, bad input. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/random/stream.js';
import { makeTempDir, PNG_SIGNATURE, runCli, runOk, startsWith } from './run-cli.js';

const dir = makeTempDir();
const model = join(dir, 'run', 'model.safetensors');

interface Errors {
  meanSquaredError: number;
  wrongFraction?: number;
}
interface Result {
  examples: number;
  scored: string;
  corrupted: Errors;
  restored: Errors;
  draw: Errors;
  files: string[];
}

beforeAll(async () => {
  await runOk(
    'train', '--data', 'bars-and-stripes:4', '--hidden', '16', '--epochs', '300', '--batch-size', '5', '--learning-rate', '0.1',
    '--sample-steps', '1', '--seed', '1', '--out', join(dir, 'run'), '--quiet', '--threads', '1',
  );
}, 120_000);

const denoise = async (out: string, ...more: string[]): Promise<Result> => {
  const r = await runOk('denoise', '--model', model, '--data', 'bars-and-stripes:4', '--out', out, '--threads', '1', '--json', ...more);
  return JSON.parse(r.stdout) as Result;
};

describe('denoise', () => {
  it('noise:0.1: writes the pictures and leaves fewer wrong pixels than the corruption', async () => {
    const out = join(dir, 'noise');
    const result = await denoise(out, '--corrupt', 'noise:0.1');
    expect(result.examples).toBe(30);
    expect(result.scored).toBe('all units');
    expect(result.corrupted.wrongFraction).toBeGreaterThan(0.05);
    expect(result.restored.meanSquaredError).toBeLessThan(result.corrupted.meanSquaredError);
    expect(result.restored.wrongFraction).toBeLessThan(result.corrupted.wrongFraction!);
    for (const file of result.files) expect(startsWith(file, PNG_SIGNATURE)).toBe(true);
  });

  it('erase:half: scores the erased units only, and fills them in better than leaving them at 0', async () => {
    const result = await denoise(join(dir, 'erase'), '--corrupt', 'erase:half', '--steps', '50');
    expect(result.scored).toBe('erased units');
    // Half the erased pixels of bars and stripes are 1: left at 0, half are wrong, 8 x 0.5 squared error.
    expect(result.corrupted.wrongFraction).toBeCloseTo(0.5, 1);
    expect(result.restored.meanSquaredError).toBeLessThan(result.corrupted.meanSquaredError);
    expect(result.restored.wrongFraction).toBeLessThan(result.corrupted.wrongFraction!);
  });

  it('refuses to overwrite the pictures unless --force', async () => {
    const out = join(dir, 'again');
    await denoise(out, '--corrupt', 'noise:0.2');
    const r = await runCli('denoise', '--model', model, '--data', 'bars-and-stripes:4', '--corrupt', 'noise:0.2', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--force/);
    await denoise(out, '--corrupt', 'noise:0.2', '--force');
  });

  for (const spec of ['noise:2', 'noise:', 'blur:3', 'erase:third']) {
    it(`a bad --corrupt ${spec}: exit 1, one line, nothing written`, async () => {
      const out = join(dir, `bad-${spec.replace(/:/g, '-')}`);
      const r = await runCli('denoise', '--model', model, '--data', 'bars-and-stripes:4', '--corrupt', spec, '--out', out);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`--corrupt ${spec}`);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a Gaussian model on standardised data: noise:P is N(0, P^2) in the data\'s own units, and so are the errors', async () => {
    // 400 examples of 3 features on scales 0.01, 1 and 100: standardised, a noise of 0.5 would be 50 x the first.
    const rng = new RandomStream(2);
    const csv = join(dir, 'real.csv');
    writeFileSync(csv, Array.from({ length: 400 }, () => [0.01, 1, 100].map((s) => (s * rng.normal()).toFixed(6)).join(',')).join('\n') + '\n');
    await runOk(
      'train', '--data', `csv:${csv}`, '--visible-units', 'gaussian', '--standardize', '--hidden', '3', '--epochs', '2',
      '--batch-size', '20', '--learning-rate', '0.001', '--sample-steps', '1', '--out', join(dir, 'gaussian'), '--quiet', '--threads', '1',
    );
    const r = await runOk(
      'denoise', '--model', join(dir, 'gaussian', 'model.safetensors'), '--data', `csv:${csv}`, '--corrupt', 'noise:0.5',
      '--examples', '400', '--out', join(dir, 'gaussian-denoise'), '--threads', '1', '--json',
    );
    const result = JSON.parse(r.stdout) as Result;
    // 3 features x 0.25 per example, in raw units; no wrong fraction for real values.
    expect(result.corrupted.meanSquaredError).toBeGreaterThan(0.75 * 0.85);
    expect(result.corrupted.meanSquaredError).toBeLessThan(0.75 * 1.15);
    expect(result.corrupted.wrongFraction).toBeUndefined();
    expect(Number.isFinite(result.restored.meanSquaredError)).toBe(true);
  });
});

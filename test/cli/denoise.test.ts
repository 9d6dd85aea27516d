/** `boltzmann denoise` on a small RBM trained on 4 x 4 bars and stripes: pictures, errors before and after, bad input. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, PNG_SIGNATURE, runCli, runOk, startsWith } from './run-cli.js';

const dir = makeTempDir();
const model = join(dir, 'run', 'model.safetensors');

interface Errors {
  meanSquaredError: number;
  wrongFraction: number;
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
    expect(result.restored.wrongFraction).toBeLessThan(result.corrupted.wrongFraction);
    for (const file of result.files) expect(startsWith(file, PNG_SIGNATURE)).toBe(true);
  });

  it('erase:half: scores the erased units only, and fills them in better than leaving them at 0', async () => {
    const result = await denoise(join(dir, 'erase'), '--corrupt', 'erase:half', '--steps', '50');
    expect(result.scored).toBe('erased units');
    // Half the erased pixels of bars and stripes are 1: left at 0, half are wrong, 8 x 0.5 squared error.
    expect(result.corrupted.wrongFraction).toBeCloseTo(0.5, 1);
    expect(result.restored.meanSquaredError).toBeLessThan(result.corrupted.meanSquaredError);
    expect(result.restored.wrongFraction).toBeLessThan(result.corrupted.wrongFraction);
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
});

/** The CLI end to end on tiny data: train a run folder, then inspect, features, reconstruct and sample on it. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barsAndStripes } from '../../src/data/bars-and-stripes.js';
import { loadRbm } from '../../src/io/model-file.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import type { Matrix } from '../../src/tensor/matrix.js';
import { loadNpy } from '../../src/data/npy.js';
import { makeTempDir, PNG_SIGNATURE, runCli, runOk, startsWith } from './run-cli.js';

const dir = makeTempDir();
const run = join(dir, 'run');
const model = join(run, 'model.safetensors');
const EXAMPLES = 14; // 2^(3+1) - 2 bars-and-stripes patterns of 3 x 3
const VISIBLE = 9;
const HIDDEN = 8;

/** The JSON on stdout of a command: exactly one line, parsed. */
function stdoutJson(stdout: string): unknown {
  const lines = stdout.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as unknown;
}

/** Asserts `x` is a rows x cols array of finite numbers in [lo, hi], and returns it typed. */
function expectMatrix(x: unknown, rows: number, cols: number, lo = 0, hi = 1): number[][] {
  expect(Array.isArray(x)).toBe(true);
  const m = x as unknown[];
  expect(m).toHaveLength(rows);
  for (const row of m) {
    expect(Array.isArray(row)).toBe(true);
    expect(row).toHaveLength(cols);
    for (const v of row as unknown[]) {
      expect(typeof v).toBe('number');
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(v).toBeLessThanOrEqual(hi);
    }
  }
  return m as number[][];
}

/** A property of the JSON object `x`. */
function field(x: unknown, key: string): unknown {
  expect(typeof x === 'object' && x !== null && key in x, `no '${key}' in ${JSON.stringify(x)}`).toBe(true);
  return (x as Record<string, unknown>)[key];
}

let trainStdout = '';

beforeAll(async () => {
  const r = await runOk(
    'train', '--data', 'bars-and-stripes:3', '--hidden', String(HIDDEN), '--epochs', '3', '--batch-size', '2',
    '--sample-steps', '5', '--out', run, '--json', '--quiet', '--threads', '1',
  );
  trainStdout = r.stdout;
  expect(r.stderr).toBe('');
});

describe('train', () => {
  it('prints a JSON summary of the run', () => {
    const summary = stdoutJson(trainStdout);
    expect(summary).toMatchObject({ out: run, model, epochs: 3, last: { epoch: 3 } });
  });

  it('writes the model and three valid PNG pictures into the run folder', () => {
    expect(existsSync(model)).toBe(true);
    for (const name of ['filters.png', 'samples.png', 'reconstructions.png']) {
      expect(startsWith(join(run, name), PNG_SIGNATURE), name).toBe(true);
    }
  });

  it('logs one JSON line per epoch with the monitor figures', () => {
    const lines = readFileSync(join(run, 'log.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(3);
    lines.forEach((line, k) => {
      const record = JSON.parse(line) as unknown;
      expect(field(record, 'epoch')).toBe(k + 1);
      for (const key of ['reconstructionError', 'pseudoLogLikelihood', 'samplesPerSecond']) {
        const value = field(record, key);
        expect(typeof value === 'number' && Number.isFinite(value), `${key}: ${String(value)}`).toBe(true);
      }
      expect(field(record, 'reconstructionError')).toBeGreaterThanOrEqual(0);
      expect(field(record, 'pseudoLogLikelihood')).toBeLessThanOrEqual(0);
      expect(field(record, 'samplesPerSecond')).toBeGreaterThan(0);
    });
  });
});

describe('the program', () => {
  it('--version and -V print the package version and exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await runCli(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('inspect', () => {
  it('--json describes the model: sizes, epochs, format, training configuration', async () => {
    const d = stdoutJson((await runOk('inspect', model, '--json')).stdout);
    expect(d).toMatchObject({
      file: model,
      kind: 'rbm',
      nVisible: VISIBLE,
      nHidden: HIDDEN,
      visible: 'bernoulli',
      hidden: 'bernoulli',
      epochsTrained: 3,
      metadata: { format: 'boltzmann/1', kind: 'rbm', epochs_trained: '3', seed: '0' },
    });
    const training = JSON.parse(String(field(field(d, 'metadata'), 'training'))) as unknown;
    expect(training).toMatchObject({ data: 'bars-and-stripes:3', hidden: HIDDEN, epochs: 3, batchSize: 2, seed: 0 });
    expect(field(field(field(d, 'parameters'), 'weights'), 'count')).toBe(VISIBLE * HIDDEN);
  });

  it('--model is the same as the argument, and the text form names the sizes', async () => {
    const byArgument = await runOk('inspect', model, '--json');
    const byFlag = await runOk('inspect', '--model', model, '--json');
    expect(byFlag.stdout).toBe(byArgument.stdout);
    const text = await runOk('inspect', model);
    expect(text.stdout).toContain(`RBM ${VISIBLE} bernoulli visible x ${HIDDEN} bernoulli hidden, 3 epochs trained`);
    expect(text.stdout).toContain('  training_log: 3 epoch records (log.jsonl beside it has them with their timings)\n');
  });

  it('escapes the control characters of metadata text: a file cannot drive the terminal', async () => {
    const { tensors, metadata } = decodeSafetensors(readFileSync(model), model);
    const odd = join(dir, 'odd.safetensors');
    writeFileSync(odd, encodeSafetensors(tensors, { ...metadata, note: 'red \u001b[31m text\r\nnext' }));
    const text = await runOk('inspect', odd);
    expect(text.stdout).toContain('  note: red \\u001b[31m text\\u000d\\u000anext\n');
    expect(text.stdout.replaceAll('\n', '')).not.toMatch(/\p{Cc}/u);
  });
});

describe('features', () => {
  it('--json gives one row of hidden means in [0, 1] per example', async () => {
    const out = stdoutJson((await runOk('features', '--model', model, '--data', 'bars-and-stripes:3', '--json', '--threads', '1')).stdout);
    expect(field(out, 'examples')).toBe(EXAMPLES);
    expect(field(out, 'hidden')).toBe(HIDDEN);
    expectMatrix(field(out, 'features'), EXAMPLES, HIDDEN);
  });

  it('--out f.npy writes the same features as an NPY file', async () => {
    const path = join(dir, 'f.npy');
    const both = await runOk('features', '--model', model, '--data', 'bars-and-stripes:3', '--out', path, '--json', '--threads', '1');
    expect(startsWith(path, Buffer.from('\x93NUMPY', 'latin1'))).toBe(true);
    const npy = loadNpy(path).examples;
    expect([npy.rows, npy.cols]).toEqual([EXAMPLES, HIDDEN]);
    const json = expectMatrix(field(stdoutJson(both.stdout), 'features'), EXAMPLES, HIDDEN);
    expect(Array.from(npy.data)).toEqual(json.flat());
  });

  it('--out f.csv writes one line per example', async () => {
    const path = join(dir, 'f.csv');
    await runOk('features', '--model', model, '--data', 'bars-and-stripes:3', '--out', path, '--threads', '1');
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(EXAMPLES);
    for (const line of lines) expect(line.split(',').map(Number)).toHaveLength(HIDDEN);
  });
});

describe('reconstruct', () => {
  it('--json reports a finite mean squared error >= 0 and the reconstructions', async () => {
    const out = stdoutJson((await runOk('reconstruct', '--model', model, '--data', 'bars-and-stripes:3', '--json', '--threads', '1')).stdout);
    const mse = field(out, 'meanSquaredError');
    expect(typeof mse === 'number' && Number.isFinite(mse) && mse >= 0, String(mse)).toBe(true);
    expect(field(out, 'examples')).toBe(EXAMPLES);
    expectMatrix(field(out, 'reconstructions'), EXAMPLES, VISIBLE);
  });

  it('--count limits the examples and --out .png writes a picture', async () => {
    const path = join(dir, 'reconstructions.png');
    const r = await runOk('reconstruct', '--model', model, '--data', 'bars-and-stripes:3', '--count', '5', '--out', path, '--threads', '1');
    expect(r.stdout).toMatch(/^examples 5 {2}mean squared error per example \d+\.\d{4}\n$/);
    expect(startsWith(path, PNG_SIGNATURE)).toBe(true);
  });
});

describe('sample', () => {
  const sample = async (...args: string[]): Promise<unknown> =>
    stdoutJson((await runOk('sample', '--model', model, '--json', '--threads', '1', ...args)).stdout);

  it('--json gives count rows of visible means in [0, 1]', async () => {
    const out = await sample('--count', '4', '--steps', '3');
    expect(out).toMatchObject({ count: 4, steps: 3 });
    expectMatrix(field(out, 'means'), 4, VISIBLE);
  });

  it('is a function of the seed: the same seed twice gives the same output, another seed another', async () => {
    const a = await sample('--count', '20', '--steps', '3', '--seed', '11');
    const b = await sample('--count', '20', '--steps', '3', '--seed', '11');
    const c = await sample('--count', '20', '--steps', '3', '--seed', '12');
    expectMatrix(field(a, 'means'), 20, VISIBLE);
    expect(b).toEqual(a);
    expect(field(c, 'means')).not.toEqual(field(a, 'means'));
  });

  it('--from a data spec starts the chains at examples', async () => {
    const out = await sample('--from', 'bars-and-stripes:3', '--count', '6', '--steps', '2', '--seed', '3');
    expectMatrix(field(out, 'means'), 6, VISIBLE);
    expect(await sample('--from', 'bars-and-stripes:3', '--count', '6', '--steps', '2', '--seed', '3')).toEqual(out);
  });

  it('--draws gives binary samples, and --out writes .png and .npy files', async () => {
    const draws = expectMatrix(field(await sample('--count', '5', '--steps', '2', '--draws'), 'samples'), 5, VISIBLE);
    for (const v of draws.flat()) expect([0, 1]).toContain(v);
    const png = join(dir, 'samples.png');
    const npy = join(dir, 'samples.npy');
    await runOk('sample', '--model', model, '--count', '4', '--steps', '2', '--out', png, '--threads', '1');
    await runOk('sample', '--model', model, '--count', '4', '--steps', '2', '--out', npy, '--threads', '1');
    expect(startsWith(png, PNG_SIGNATURE)).toBe(true);
    expect([loadNpy(npy).examples.rows, loadNpy(npy).examples.cols]).toEqual([4, VISIBLE]);
  });
});

describe('the commands print the library\'s values', () => {
  const examples = barsAndStripes(3).examples;
  const engine = createNodeEngine({ threads: 1 });
  afterAll(() => engine.dispose());
  const rows = (m: Matrix): number[][] => Array.from({ length: m.rows }, (_, r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));

  it('features: transform of the model file on the data', async () => {
    const { rbm } = await loadRbm(engine, model);
    const out = stdoutJson((await runOk('features', '--model', model, '--data', 'bars-and-stripes:3', '--json', '--threads', '1')).stdout);
    expect(field(out, 'features')).toEqual(rows(await rbm.transform(examples)));
  });

  it('reconstruct: reconstruct of the model file, and the mean of its squared errors', async () => {
    const { rbm } = await loadRbm(engine, model);
    const expected = await rbm.reconstruct(examples);
    const out = stdoutJson((await runOk('reconstruct', '--model', model, '--data', 'bars-and-stripes:3', '--json', '--threads', '1')).stdout);
    expect(field(out, 'reconstructions')).toEqual(rows(expected.reconstructions));
    expect(field(out, 'meanSquaredError')).toBeCloseTo(expected.squaredErrors.reduce((a, b) => a + b, 0) / EXAMPLES, 6);
  });

  it('sample: sample(count, { steps, seed }) of the model file, means and draws', async () => {
    const { rbm } = await loadRbm(engine, model);
    const expected = await rbm.sample(6, { steps: 4, seed: 21 });
    const out = stdoutJson((await runOk('sample', '--model', model, '--count', '6', '--steps', '4', '--seed', '21', '--json', '--threads', '1')).stdout);
    expect(field(out, 'means')).toEqual(rows(expected.means));
    const draws = stdoutJson((await runOk('sample', '--model', model, '--count', '6', '--steps', '4', '--seed', '21', '--draws', '--json', '--threads', '1')).stdout);
    expect(field(draws, 'samples')).toEqual(rows(expected.samples));
  });
});

describe('--help', () => {
  const contract: Record<string, string[]> = {
    train: ['--data', '--hidden', '--epochs', '--batch-size', '--learning-rate', '--sampler', '--k', '--seed', '--out', '--json'],
    sample: ['--model', '--count', '--steps', '--from', '--seed', '--out', '--json'],
    features: ['--model', '--data', '--out', '--json'],
    reconstruct: ['--model', '--data', '--out', '--json'],
    inspect: ['--model', '--json'],
  };

  it.each(Object.entries(contract))('%s --help exits 0 and lists the contract flags', async (command, flags) => {
    const r = await runCli(command, '--help');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Usage: boltzmann ${command}`);
    for (const flag of flags) expect(r.stdout).toMatch(new RegExp(`^\\s+${flag}\\b(?!-)`, 'm'));
  });

  it('the top-level --help lists every command', async () => {
    const r = await runCli('--help');
    expect(r.code).toBe(0);
    for (const command of Object.keys(contract)) expect(r.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });
});

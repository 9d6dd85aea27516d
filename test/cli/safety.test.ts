/**
 * The reliability contract of the CLI (DESIGN.md): bad input gets one clear line on stderr naming the file,
 * flag or data spec at fault, a non-zero exit, no stack trace, and no model written or overwritten.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, makeTempDir, runCli, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();
let dirCount = 0;
/** A fresh path in the temp folder (not created). */
const fresh = (name: string): string => join(dir, `${dirCount++}-${name}`);

/** Writes `contents` to a fresh file named `name` and returns its path. */
function file(name: string, contents: string | Uint8Array): string {
  const path = fresh(name);
  writeFileSync(path, contents);
  return path;
}

/**
 * Asserts the CLI failed as the contract says: a non-zero exit, nothing on stdout, and exactly one non-empty
 * line on stderr (plus, at most, commander's "(add --help for usage)" hint) that holds every one of `parts`.
 */
function expectOneLineError(r: CliResult, ...parts: string[]): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines.length, `stderr: ${r.stderr}`).toBeGreaterThanOrEqual(1);
  expect(lines.slice(1), `stderr: ${r.stderr}`).toEqual(lines.length > 1 ? ['(add --help for usage)'] : []);
  for (const part of parts) expect(lines[0]).toContain(part);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/** Asserts that the run folder `out` holds no model (nor a temp file of one): absent, or without it. */
function expectNoModel(out: string): void {
  const names = existsSync(out) ? readdirSync(out) : [];
  expect(names.filter((name) => name.includes('model.safetensors'))).toEqual([]);
}

/** Deterministic pseudo-random bytes (a 32-bit LCG), a stand-in for a corrupt file. */
function noiseBytes(n: number, seed = 12345): Uint8Array {
  const bytes = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    bytes[i] = s >>> 24;
  }
  return bytes;
}

describe('bad input to train: one line naming the culprit, non-zero exit, no model', () => {
  it('a missing data file', async () => {
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--data', 'idx:/nonexistent.gz'));
    expectOneLineError(r, '/nonexistent.gz', 'no such file');
    expectNoModel(out);
  });

  it('an IDX file with a wrong magic number', async () => {
    const bytes = Buffer.alloc(4 + 12 + 2 * 2 * 2);
    bytes.writeUInt32BE(0x00000f03, 0);
    [2, 2, 2].forEach((d, k) => bytes.writeUInt32BE(d, 4 + 4 * k));
    const path = file('bad-magic-idx3-ubyte', bytes);
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--data', `idx:${path}`));
    expectOneLineError(r, path, 'magic number 0x00000f03');
    expectNoModel(out);
  });

  it('a ragged CSV file', async () => {
    const path = file('ragged.csv', '0,1,0\n1,0\n0,0,1\n');
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--data', `csv:${path}`));
    expectOneLineError(r, path, 'line 2', '2 fields', 'expected 3');
    expectNoModel(out);
  });

  it('NaN in a CSV file', async () => {
    const path = file('nan.csv', '0,1,0\n1,NaN,1\n0,0,1\n');
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--data', `csv:${path}`));
    expectOneLineError(r, path, 'line 2, column 2', 'NaN');
    expectNoModel(out);
  });

  it('non-binary data with --binarize none', async () => {
    const path = file('grey.csv', '0,1,0\n1,0.5,1\n0,0,1\n');
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--data', `csv:${path}`, '--binarize', 'none'));
    expectOneLineError(r, path, 'example 1, feature 1', '0.5', '--binarize');
    expectNoModel(out);
  });

  it('an unknown data spec scheme', async () => {
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--data', 'parquet:/tmp/x.parquet'));
    expectOneLineError(r, "data spec 'parquet:/tmp/x.parquet'", "unknown data source 'parquet'", 'valid forms');
    expectNoModel(out);
  });

  it('an unknown flag', async () => {
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--bogus'));
    expectOneLineError(r, '--bogus');
    expect(r.code).toBe(2);
    expectNoModel(out);
  });

  it('a malformed number for a numeric flag', async () => {
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--epochs', '0'));
    expectOneLineError(r, '--epochs', "'0'", 'positive integer');
    expect(r.code).toBe(2);
    expectNoModel(out);
  });

  it('a batch size larger than the data', async () => {
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--batch-size', '15'));
    expectOneLineError(r, '--batch-size 15', '14 examples');
    expectNoModel(out);
  });

  it('defaults fit small data: no --batch-size on 30 examples trains with all 30 per batch', async () => {
    const out = fresh('small-default');
    const r = await runOk('train', '--data', 'bars-and-stripes:4', '--hidden', '4', '--epochs', '1', '--sample-steps', '2', '--out', out, '--quiet', '--threads', '1');
    expect(r.stderr).toContain('wrote');
    const { metadata } = decodeSafetensors(readFileSync(join(out, 'model.safetensors')), 'model');
    expect((JSON.parse(metadata.training) as { batchSize: number }).batchSize).toBe(30);
  });

  it('resource flags over their limits are refused before any work: --threads, --chains, --temperatures', async () => {
    const r = await runCli('train', '--threads', '100000', '--out', fresh('threads'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected at most 256 threads');
    const started = performance.now();
    const chains = await runCli('train', '--data', 'bars-and-stripes:3', '--chains', '1000000000', '--out', fresh('chains'), '--quiet');
    expectOneLineError(chains, 'chains 1000000000: 1000000000 x 509 = 509000000000 values, more than the 268435456 (1 GiB) one array may hold');
    const ladder = await runCli('train', '--data', 'bars-and-stripes:3', '--sampler', 'pt', '--chains', '100000', '--temperatures', '10000', '--out', fresh('ladder'), '--quiet');
    expectOneLineError(ladder, 'chains 100000 x temperatures 10000: ');
    const hidden = await runCli('train', '--data', 'bars-and-stripes:3', '--hidden', '100000000', '--out', fresh('hidden'), '--quiet');
    expectOneLineError(hidden, 'the weights of 9 visible x 100000000 hidden units: 9 x 100000000 = 900000000 values');
    const layers = await runCli('train', '--data', 'bars-and-stripes:3', '--model', 'dbm', '--layers', '4,100000000', '--out', fresh('layers'), '--quiet');
    expectOneLineError(layers, 'the weights of 4 visible x 100000000 hidden units: 4 x 100000000 = 400000000 values');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('--out naming an existing file, not a folder', async () => {
    const out = file('not-a-folder', 'x');
    const r = await runCli(...tinyTrainArgs(out));
    expectOneLineError(r, out);
    expect(readFileSync(out, 'utf8')).toBe('x');
  });

  it('divergence in the first epoch: exit 3, one line that says so, no model', async () => {
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--learning-rate', '1e38', '--epochs', '3'));
    expectOneLineError(r, 'diverged in epoch 1', 'lower the learning rate');
    expect(r.code).toBe(3);
    expectNoModel(out);
  });

  it('an unknown --binarize form', async () => {
    const out = fresh('run');
    const r = await runCli(...tinyTrainArgs(out, '--binarize', 'otsu'));
    expectOneLineError(r, "--binarize 'otsu'");
    expectNoModel(out);
  });
});

describe('bad input with a trained model at hand', () => {
  const run = fresh('trained');
  const model = join(run, 'model.safetensors');
  let modelBytes: Buffer;
  let logBytes: Buffer;

  beforeAll(async () => {
    await runOk(...tinyTrainArgs(run));
    modelBytes = readFileSync(model);
    logBytes = readFileSync(join(run, 'log.jsonl'));
  });

  it('data whose width does not match the model: features writes nothing', async () => {
    const out = fresh('x.npy');
    const r = await runCli('features', '--model', model, '--data', 'bars-and-stripes:4', '--out', out, '--threads', '1');
    expectOneLineError(r, 'bars-and-stripes:4', '16 features', '9 visible units');
    expect(existsSync(out)).toBe(false);
  });

  it('data whose width does not match the model: reconstruct and sample --from write nothing', async () => {
    const out = fresh('r.npy');
    const reconstruct = await runCli('reconstruct', '--model', model, '--data', 'bars-and-stripes:2', '--out', out, '--threads', '1');
    expectOneLineError(reconstruct, 'bars-and-stripes:2', '4 features', '9 visible units');
    const sample = await runCli('sample', '--model', model, '--from', 'bars-and-stripes:2', '--out', out, '--threads', '1');
    expectOneLineError(sample, 'bars-and-stripes:2', '4 features', '9 visible units');
    expect(existsSync(out)).toBe(false);
  });

  it('resource flags over their limits are refused before any work: eval --chains, sample --count', async () => {
    const ais = await runCli('eval', '--model', model, '--data', 'bars-and-stripes:3', '--logz', 'ais', '--chains', '100000000', '--threads', '1');
    expectOneLineError(ais, 'AIS chains 100000000: 100000000 x 13 = 1300000000 values');
    const sample = await runCli('sample', '--model', model, '--count', '100000000', '--json', '--threads', '1');
    expectOneLineError(sample, '--count 100000000: 100000000 x 9 = 900000000 values');
  });

  it('sample, features and reconstruct --out refuse an existing file (the input data too) without --force, and replace it with --force', async () => {
    const data = fresh('data.csv');
    writeFileSync(data, '0,1,0,1,0,1,0,1,0\n1,0,1,0,1,0,1,0,1\n');
    const before = readFileSync(data);
    for (const args of [['sample', '--count', '2', '--steps', '1'], ['features', '--data', data], ['reconstruct', '--data', data]]) {
      const r = await runCli(...args, '--model', model, '--out', data, '--threads', '1');
      expectOneLineError(r, `--out ${data}: exists already; use --force to replace it`);
      expect(readFileSync(data).equals(before), args[0]).toBe(true);
    }
    await runOk('sample', '--count', '2', '--steps', '1', '--model', model, '--out', data, '--force', '--threads', '1');
    expect(readFileSync(data).equals(before)).toBe(false);
  });

  it('--out at a run folder that holds a model, without --force: the model and log are untouched', async () => {
    const r = await runCli(...tinyTrainArgs(run, '--seed', '7', '--epochs', '2'));
    expectOneLineError(r, `--out ${run}`, 'holds a model', '--force');
    expect(readFileSync(model).equals(modelBytes)).toBe(true);
    expect(readFileSync(join(run, 'log.jsonl')).equals(logBytes)).toBe(true);
    expect(readdirSync(run).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  // A --force run that fails must not leave the old model without its log (train once deleted it up front).
  it('--force, then divergence in the first epoch: the run folder keeps its model and its log', async () => {
    const r = await runCli(...tinyTrainArgs(run, '--force', '--learning-rate', '1e38'));
    expectOneLineError(r, 'diverged in epoch 1');
    expect(r.code).toBe(3);
    expect(readFileSync(model).equals(modelBytes)).toBe(true);
    expect(existsSync(join(run, 'log.jsonl')) && readFileSync(join(run, 'log.jsonl')).equals(logBytes)).toBe(true);
  });

  // The message must name the --out file the user gave, not the atomic writer's temp file with a raw ENOENT.
  it.each(['sample', 'features'])('%s --out in a folder that does not exist names the --out file', async (command) => {
    const out = join(fresh('missing-folder'), 's.npy');
    const args = command === 'sample' ? ['--count', '2', '--steps', '1'] : ['--data', 'bars-and-stripes:3'];
    const r = await runCli(command, '--model', model, ...args, '--out', out, '--threads', '1');
    expectOneLineError(r, out);
  });

  it('--force with bad data still leaves the existing model untouched', async () => {
    const r = await runCli(...tinyTrainArgs(run, '--force', '--data', 'idx:/nonexistent.gz'));
    expectOneLineError(r, '/nonexistent.gz');
    expect(readFileSync(model).equals(modelBytes)).toBe(true);
  });
});

describe('a missing or corrupt model file', () => {
  const missing = join(dir, 'no-such-model.safetensors');
  const corrupt = file('corrupt.safetensors', noiseBytes(256));
  mkdirSync(join(dir, 'folder.safetensors'));

  it.each([
    ['sample', 'missing', missing],
    ['sample', 'corrupt', corrupt],
    ['inspect', 'missing', missing],
    ['inspect', 'corrupt', corrupt],
  ])('%s with a %s model file', async (command, _kind, path) => {
    const out = fresh('s.npy');
    const args = command === 'sample' ? ['sample', '--model', path, '--count', '2', '--steps', '1', '--out', out, '--threads', '1'] : ['inspect', path];
    const r = await runCli(...args);
    expectOneLineError(r, path);
    expect(existsSync(out)).toBe(false);
  });

  it('a folder given as the model file', async () => {
    const path = join(dir, 'folder.safetensors');
    const r = await runCli('inspect', '--model', path);
    expectOneLineError(r, path, 'cannot read the model file');
  });

  it('a model file that is a data file (the safetensors header is cut short)', async () => {
    const path = file('short.safetensors', new Uint8Array([1, 0, 0]));
    const r = await runCli('features', '--model', path, '--data', 'bars-and-stripes:3', '--json');
    expectOneLineError(r, path);
  });
});

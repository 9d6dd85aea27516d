/**
 * `boltzmann eval`: the JSON contract (keys scripts rely on), exact values on a tiny trained model, the
 * sandwich of the two AIS directions, seeds, the readable table, and bad input.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { barsAndStripes } from '../../src/data/bars-and-stripes.js';
import { loadRbm, saveModel } from '../../src/io/model-file.js';
import { RBM } from '../../src/models/rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { exactLogLikelihood, exactLogZ } from '../reference/rbm-exact.js';
import { type CliResult, makeTempDir, runCli, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();
const run = join(dir, 'trained');
const model = join(run, 'model.safetensors');
const big = join(dir, 'big.safetensors');
let reference: { logZ: number; logLikelihood: number };

beforeAll(async () => {
  await runOk(...tinyTrainArgs(run, '--epochs', '30', '--hidden', '6', '--learning-rate', '0.1'));
  const engine = createNodeEngine({ threads: 1 });
  const { rbm } = await loadRbm(engine, model);
  const small = { nVisible: rbm.nVisible, nHidden: rbm.nHidden, ...rbm.params };
  const data = barsAndStripes(3).examples;
  reference = { logZ: exactLogZ(small), logLikelihood: exactLogLikelihood(small, data.data, data.rows) };
  await saveModel(big, RBM.create(engine, { nVisible: 30, nHidden: 40, seed: 1 }));
  await engine.dispose();
});

const evalJson = async (...args: string[]) => JSON.parse((await runOk('eval', '--model', model, '--data', 'bars-and-stripes:3', '--threads', '1', '--json', ...args)).stdout) as Record<string, unknown>;

/** The keys of the contract, present in every --json output. */
const KEYS = ['logZ', 'logZLow', 'logZHigh', 'logZStdErr', 'logLikelihood', 'logLikelihoodLow', 'logLikelihoodHigh', 'method', 'pseudoLogLikelihood', 'reconstructionError'];

describe('eval --json', () => {
  it('defaults to exact log Z for a small model, matching the float64 enumeration', async () => {
    const r = await evalJson();
    for (const key of KEYS) expect(r, key).toHaveProperty(key);
    expect(r.method).toBe('exact');
    expect(r.examples).toBe(14);
    expect(Math.abs((r.logZ as number) - reference.logZ)).toBeLessThan(1e-4);
    expect(Math.abs((r.logLikelihood as number) - reference.logLikelihood)).toBeLessThan(1e-4);
    expect(r.logZLow).toBe(r.logZ);
    expect(r.logZHigh).toBe(r.logZ);
    expect(r.logLikelihoodLow).toBe(r.logLikelihood);
    expect(r.logZStdErr).toBe(0);
    expect(r.pseudoLogLikelihood as number).toBeLessThan(0);
    expect(r.reconstructionError as number).toBeGreaterThan(0);
    expect(r.baseRate).toBeNull();
  });

  it('--logz both: AIS and reverse AIS sandwich the exact log-likelihood; the base rate comes from the training data', async () => {
    const r = await evalJson('--logz', 'both', '--betas', '1000', '--chains', '50', '--reverse-chains', '4');
    for (const key of KEYS) expect(r, key).toHaveProperty(key);
    expect(r.method).toBe('both');
    expect(r.logLikelihoodLow as number).toBeLessThan(reference.logLikelihood);
    expect(r.logLikelihoodHigh as number).toBeGreaterThan(reference.logLikelihood);
    expect(Math.abs((r.logLikelihood as number) - reference.logLikelihood)).toBeLessThan(0.2);
    const ais = r.ais as Record<string, number>;
    const reverse = r.reverseAis as Record<string, number | string>;
    expect(ais.chains).toBe(50);
    expect(ais.betas).toBe(1000);
    expect(r.logZ).toBe(ais.logZ);
    expect(reverse.examples).toBe(14);
    expect(reverse.exampleSelection).toBe('all');
    expect(reverse.chainsPerExample).toBe(4);
    expect(Math.abs((reverse.logLikelihood as number) - reference.logLikelihood)).toBeLessThan(0.2);
    expect(r.baseRate).toEqual({ source: 'training data', spec: 'bars-and-stripes:3' });
  });

  it('--logz ais and reverse-ais alone; the same seed gives the same numbers', async () => {
    const args = ['--logz', 'ais', '--betas', '300', '--seed', '3'];
    const a = await evalJson(...args);
    const b = await evalJson(...args);
    expect(a.method).toBe('ais');
    expect(b.logZ).toBe(a.logZ);
    expect(Math.abs((a.logZ as number) - reference.logZ)).toBeLessThan(0.3);
    expect(a.reverseAis).toBeUndefined();
    const c = await evalJson('--logz', 'reverse-ais', '--betas', '300', '--examples', '5', '--base-data', 'none');
    expect(c.method).toBe('reverse-ais');
    expect(c.ais).toBeUndefined();
    expect((c.reverseAis as Record<string, unknown>).exampleSelection).toBe('random subset (seed 0)');
    expect(c.baseRate).toEqual({ source: 'none', spec: null });
    expect(Math.abs((c.logLikelihood as number) - reference.logLikelihood)).toBeLessThan(0.5);
  });

  it('without --json: a readable table', async () => {
    const r = await runOk('eval', '--model', model, '--data', 'bars-and-stripes:3', '--threads', '1', '--logz', 'both', '--betas', '100');
    expect(r.stdout).toContain('log-likelihood');
    expect(r.stdout).toMatch(/AIS, 100 runs x 100 betas/);
    expect(r.stdout).toMatch(/reverse AIS, 14 examples x 10 chains/);
    expect(r.stdout).toContain('sandwiched in');
    expect(r.stdout).toContain('base rate: training data bars-and-stripes:3');
    expect(r.stdout).toContain('log Z is at least');
  });

  it('reports the certain floor under log Z, and warns when an AIS estimate falls below it', async () => {
    const exact = await evalJson();
    expect(exact.logZFloor as number).toBeLessThanOrEqual(exact.logZ as number);
    expect(exact.warning).toBeUndefined();
    // The trained model at a tenth of its temperature (parameters x 10) puts its mass on the data's patterns;
    // AIS in one step from the uniform model cannot find them.
    const engine = createNodeEngine({ threads: 1 });
    const { rbm } = await loadRbm(engine, model);
    for (const values of [rbm.params.weights, rbm.params.visibleBias, rbm.params.hiddenBias]) values.forEach((x, i, a) => (a[i] = 10 * x));
    const peaked = join(dir, 'peaked.safetensors');
    await saveModel(peaked, rbm);
    await engine.dispose();
    const r = JSON.parse((await runOk('eval', '--model', peaked, '--data', 'bars-and-stripes:3', '--threads', '1', '--json', '--logz', 'ais', '--betas', '1', '--chains', '1', '--base-data', 'none')).stdout) as Record<string, unknown>;
    expect(r.logZ as number).toBeLessThan(r.logZFloor as number);
    expect(r.warning).toMatch(/log Z of the RBM by AIS .* is below .*, a certain lower bound .* the log-likelihood is too high by at least/);
  });
});

/** One line on stderr that holds every part, nothing on stdout, a non-zero exit, no stack trace. */
function expectOneLineError(r: CliResult, ...parts: string[]): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((line) => line.trim() !== '' && line !== '(add --help for usage)');
  expect(lines.length, r.stderr).toBe(1);
  for (const part of parts) expect(lines[0]).toContain(part);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('eval: bad input', () => {
  it('a missing model file', async () => {
    const missing = join(dir, 'nope.safetensors');
    expectOneLineError(await runCli('eval', '--model', missing, '--data', 'bars-and-stripes:3'), missing, 'cannot read the model file');
  });

  it('data whose width does not match the model', async () => {
    expectOneLineError(await runCli('eval', '--model', model, '--data', 'bars-and-stripes:4', '--threads', '1'), 'bars-and-stripes:4', '16 features', '9 visible units');
  });

  it('--base-data whose width does not match the model', async () => {
    const r = await runCli('eval', '--model', model, '--data', 'bars-and-stripes:3', '--logz', 'ais', '--base-data', 'bars-and-stripes:2', '--threads', '1');
    expectOneLineError(r, 'bars-and-stripes:2', '4 features');
  });

  it('--logz exact on a model whose smaller layer is too large to enumerate', async () => {
    const csv = join(dir, 'wide.csv');
    writeFileSync(csv, Array.from({ length: 4 }, (_, r) => Array.from({ length: 30 }, (_, i) => (r + i) % 2).join(',')).join('\n') + '\n');
    const r = await runCli('eval', '--model', big, '--data', `csv:${csv}`, '--logz', 'exact', '--threads', '1');
    expectOneLineError(r, '--logz exact', '30 units', 'use --logz ais');
  });

  it('an unknown --logz method', async () => {
    expectOneLineError(await runCli('eval', '--model', model, '--data', 'bars-and-stripes:3', '--logz', 'magic'), '--logz', 'magic');
  });
});

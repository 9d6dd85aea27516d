/**
 * The run folder under kills, Ctrl-C and a second writer, with the installed command in child processes: a
 * checkpoint is one step a kill cannot split, one run writes a folder at a time, and Ctrl-C keeps the last
 * whole epoch and says how to go on.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { RandomStream } from '../../src/random/stream.js';
import { makeTempDir, runCli, runOk } from './run-cli.js';

const bin = join(import.meta.dirname, '../../bin/boltzmann.js');
if (!existsSync(join(import.meta.dirname, '../../dist/cli/exclusive-run.js'))) throw new Error('dist is not built: run npm run build');
const dir = makeTempDir();
const EPOCHS = 120;
/** Tiny epochs, so that most of a run's time is its checkpoints and a kill often falls inside one. */
const train = (out: string, ...more: string[]) => ['train', '--data', 'bars-and-stripes:4', '--hidden', '8', '--batch-size', '10', '--epochs', String(EPOCHS), '--sample-steps', '10', '--threads', '1', '--out', out, ...more];
const PICTURES = ['filters.png', 'samples.png', 'reconstructions.png'];

/** A running `boltzmann ...args`: its process, its stderr so far, and its end. */
function start(...args: string[]): { child: ChildProcess; stderr: () => string; exit: Promise<number | NodeJS.Signals> } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));
  return { child, stderr: () => stderr, exit };
}

/** Resolves once the run's stderr shows epoch `epoch` (its progress line, printed just before that epoch's checkpoint). */
async function epochShown(run: ReturnType<typeof start>, epoch: number): Promise<void> {
  const shown = new RegExp(`^epoch ${epoch}/`, 'm');
  while (!shown.test(run.stderr())) {
    if (await Promise.race([run.exit.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10))])) {
      if (!shown.test(run.stderr())) throw new Error(`the run ended before epoch ${epoch}:\n${run.stderr()}`);
    }
  }
}

type LogRecord = Record<string, unknown> & { epoch: number; seconds?: number };
const records = (text: string): LogRecord[] => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogRecord);

/**
 * The checkpoint in `out`, checked whole: the model file decodes, and the log it keeps (without timings) holds
 * epochs 1 .. epochs_trained; log.jsonl holds those records with their timings, all of them or, after a kill
 * between the two writes, all but the last. Its epochs, and log.jsonl's lines.
 */
function checkpointOf(out: string): { epochs: number; lines: number } {
  const path = join(out, 'model.safetensors');
  const { metadata } = decodeSafetensors(readFileSync(path), path);
  const epochs = Number(metadata.epochs_trained);
  const kept = records(metadata.training_log);
  expect(kept.map((r) => r.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  const copy = records(readFileSync(join(out, 'log.jsonl'), 'utf8'));
  expect(copy.length).toBeGreaterThanOrEqual(epochs - 1);
  expect(copy.map(({ seconds: _s, samplesPerSecond: _r, ...rest }) => rest)).toEqual(kept.slice(0, copy.length));
  return { epochs, lines: copy.length };
}

describe('train under kills and Ctrl-C', () => {
  it('killed (SIGKILL) at random points and resumed each time: no corrupt file, no lost log line, and the run completes', async () => {
    const out = join(dir, 'killed');
    const rng = new RandomStream(22);
    let epochs = 0;
    for (let kill = 0; kill < 4; kill++) {
      const run = start(...train(out, ...(epochs > 0 ? ['--resume'] : [])));
      await epochShown(run, Math.min(EPOCHS - 1, epochs + 2 + Math.floor(rng.uniform() * 15)));
      await new Promise((resolve) => setTimeout(resolve, rng.uniform() * 40));
      run.child.kill('SIGKILL');
      expect(await run.exit).toBe('SIGKILL');
      const checkpoint = checkpointOf(out);
      expect(checkpoint.epochs).toBeGreaterThan(epochs);
      epochs = checkpoint.epochs;
    }
    await runOk('train', '--resume', '--out', out, '--quiet');
    expect(checkpointOf(out)).toEqual({ epochs: EPOCHS, lines: EPOCHS });
    expect(readdirSync(out).sort()).toEqual(['filters.png', 'log.jsonl', 'model.safetensors', 'reconstructions.png', 'samples.png']);
  }, 120_000);

  it('a second writer is refused while a run trains; Ctrl-C keeps the last whole epoch, exits 130 and says how to resume; --resume completes it', async () => {
    const out = join(dir, 'interrupted');
    await runOk(...train(out, '--epochs', '2', '--quiet'));
    const run = start(...train(out, '--force'));
    await epochShown(run, 3);
    for (const second of [train(out, '--resume'), train(out, '--force')]) {
      const refused = await runCli(...second, '--quiet');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`boltzmann: error: --out ${out}: another run (pid ${run.child.pid}, since `);
    }
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain('stopping at the next step');
    expect(run.stderr()).toContain(`boltzmann: interrupted; ${join(out, 'model.safetensors')} is the last checkpoint: continue with boltzmann train --resume --out ${out}\n`);
    const { epochs, lines } = checkpointOf(out);
    expect(epochs).toBeGreaterThanOrEqual(3);
    expect(lines).toBe(epochs);
    // The --force run's first checkpoint removed the pictures of the run it replaced.
    expect(PICTURES.filter((p) => existsSync(join(out, p)))).toEqual([]);
    await runOk('train', '--resume', '--out', out, '--quiet');
    expect(checkpointOf(out).epochs).toBe(EPOCHS);
    expect(PICTURES.filter((p) => existsSync(join(out, p)))).toEqual(PICTURES);
  }, 120_000);

  it('Ctrl-C in a command without steps (eval) ends it at once: one line, exit 130', async () => {
    const out = join(dir, 'evaluated');
    await runOk(...train(out, '--epochs', '1', '--quiet'));
    // The model is handed over through a FIFO: once eval opens it, its handlers are in place.
    const fifo = join(dir, 'model-fifo.safetensors');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = start('eval', '--model', fifo, '--data', 'bars-and-stripes:4', '--logz', 'ais', '--betas', '100000000', '--threads', '1');
    const pipe = await open(fifo, 'w');
    await pipe.writeFile(readFileSync(join(out, 'model.safetensors')));
    await pipe.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr().trim().split('\n').at(-1)).toBe('boltzmann: interrupted');
  }, 60_000);
});

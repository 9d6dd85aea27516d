import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** What one in-process run of the CLI did: its exit code and everything it wrote on stdout and stderr. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const text = (chunk: unknown): string => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));

/**
 * Runs `boltzmann ...args` in this process through `main`, capturing (and silencing) stdout and stderr;
 * the spies are restored before it returns, whatever happens.
 */
export async function runCli(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    stdout += text(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    stderr += text(chunk);
    return true;
  });
  try {
    const code = await main([process.execPath, 'boltzmann', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Runs the CLI and asserts it succeeded (exit 0), showing stderr when it did not. */
export async function runOk(...args: string[]): Promise<CliResult> {
  const result = await runCli(...args);
  expect(result.code, `boltzmann ${args.join(' ')} failed:\n${result.stderr}`).toBe(0);
  return result;
}

/** A fresh temporary folder, removed after the tests of the calling file. */
export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'boltzmann-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The 8-byte signature every PNG file starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether the file at `path` starts with `magic`. */
export function startsWith(path: string, magic: Uint8Array): boolean {
  return readFileSync(path).subarray(0, magic.length).equals(magic);
}

/** The arguments of a tiny, quick training run on 3 x 3 bars and stripes into `out`. */
export function tinyTrainArgs(out: string, ...more: string[]): string[] {
  return [
    'train',
    '--data',
    'bars-and-stripes:3',
    '--epochs',
    '1',
    '--hidden',
    '4',
    '--batch-size',
    '2',
    '--sample-steps',
    '1',
    '--threads',
    '1',
    '--quiet',
    '--out',
    out,
    ...more,
  ];
}

/** What the page fetches from `boltzmann view`'s server (src/cli/view-server.ts): the run and the digits. */
import { decodeModel, type ModelFile } from '../src/io/model-codec.js';
import type { Engine } from '../src/runtime/engine.js';
import { matrix, type Matrix } from '../src/tensor/matrix.js';

/** One line of the run's log.jsonl, as `train` writes it (its keys differ by kind: see log-plots.ts). */
export type LogRecord = Readonly<Record<string, unknown>>;

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

/** The run's model, of whatever kind, decoded by the library's codec of its kind. */
export async function fetchModel(engine: Engine): Promise<ModelFile> {
  const bytes = new Uint8Array(await (await fetchOk('run/model.safetensors')).arrayBuffer());
  return decodeModel(engine, bytes, 'model.safetensors');
}

/** The run's training log, one record per line; empty when the run has none. */
export async function fetchLog(): Promise<LogRecord[]> {
  const response = await fetch('run/log.jsonl');
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`run/log.jsonl: HTTP ${response.status}`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogRecord);
}

/** The first `count` bundled digits of a split, [count, 784] with values in [0, 1]. */
export async function fetchDigits(split: 'train' | 'test', count: number): Promise<Matrix> {
  const response = await fetchOk(`digits/${split}.f32?count=${count}`);
  const rows = Number(response.headers.get('x-rows'));
  const cols = Number(response.headers.get('x-cols'));
  return matrix(new Float32Array(await response.arrayBuffer()), rows, cols);
}

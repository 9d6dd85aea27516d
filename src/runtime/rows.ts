import type { Tensor } from 'onnxruntime-common';
import { sliceRows, type Matrix } from '../tensor/matrix.js';
import type { Engine, Program, TensorMap } from './engine.js';

/** Rows per graph run when a computation is mapped over many examples. */
export const ROW_CHUNK = 1000;

/**
 * Run `program` over the rows of `data` in chunks of at most `chunk` rows, feeding each chunk as `input`
 * beside the fixed `feeds`, and join each named output's rows: every output must have one row per input
 * row. Returns the outputs as [rows, cols] matrices (a [rows] output has cols 1).
 */
export function mapRows(
  engine: Engine,
  program: Program,
  feeds: TensorMap,
  input: string,
  data: Matrix,
  outputs: readonly string[],
  chunk = ROW_CHUNK,
): Promise<Record<string, Matrix>> {
  return mapRowsOf(engine, program, feeds, { [input]: data }, outputs, chunk);
}

/** `mapRows` over several inputs with the same rows (`inputs`: matrices by input name), chunked alike. */
export async function mapRowsOf(
  engine: Engine,
  program: Program,
  feeds: TensorMap,
  inputs: Readonly<Record<string, Matrix>>,
  outputs: readonly string[],
  chunk = ROW_CHUNK,
): Promise<Record<string, Matrix>> {
  const matrices = Object.entries(inputs);
  const total = matrices[0][1].rows;
  if (!matrices.every(([, m]) => m.rows === total)) throw new Error(`mapRowsOf: every input needs the same rows (${matrices.map(([name, m]) => `${name} ${m.rows}`).join(', ')})`);
  const parts: Record<string, Tensor[]> = Object.fromEntries(outputs.map((name) => [name, []]));
  for (let start = 0; start < total; start += chunk) {
    const end = Math.min(start + chunk, total);
    const chunkFeeds: TensorMap = { ...feeds };
    for (const [name, m] of matrices) {
      const rows = sliceRows(m, start, end);
      chunkFeeds[name] = engine.float32(rows.data, [rows.rows, rows.cols]);
    }
    const results = await program.run(chunkFeeds);
    for (const name of outputs) parts[name].push(results[name]);
  }
  return Object.fromEntries(outputs.map((name) => [name, joinRows(parts[name], total)]));
}

function joinRows(tensors: readonly Tensor[], rows: number): Matrix {
  const cols = tensors.length === 0 ? 0 : tensors[0].dims.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(rows * cols);
  let offset = 0;
  for (const t of tensors) {
    const values = t.data as Float32Array;
    out.set(values, offset);
    offset += values.length;
  }
  return { data: out, rows, cols };
}

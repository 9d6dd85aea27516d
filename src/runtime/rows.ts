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
export async function mapRows(
  engine: Engine,
  program: Program,
  feeds: TensorMap,
  input: string,
  data: Matrix,
  outputs: readonly string[],
  chunk = ROW_CHUNK,
): Promise<Record<string, Matrix>> {
  const parts: Record<string, Tensor[]> = Object.fromEntries(outputs.map((name) => [name, []]));
  for (let start = 0; start < data.rows; start += chunk) {
    const rows = sliceRows(data, start, Math.min(start + chunk, data.rows));
    const results = await program.run({ ...feeds, [input]: engine.float32(rows.data, [rows.rows, rows.cols]) });
    for (const name of outputs) parts[name].push(results[name]);
  }
  return Object.fromEntries(outputs.map((name) => [name, joinRows(parts[name], data.rows)]));
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

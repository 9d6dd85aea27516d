/**
 * How well a gated RBM infers transformations, on pairs [x | y] whose transformation is known (the labels of
 * `pairs:KIND:SPEC`, data/pairs.ts):
 *   transformation error  leave-one-out nearest neighbour on the mapping units' means E[h | x, y] (Euclidean):
 *                         the fraction of pairs whose nearest other pair was made by another transformation;
 *                         beside it the same on the pairs' pixels, which see the content as much as the motion;
 *   analogy error         each pair's mapping applied to the input of the next pair of the same transformation
 *                         (x : y :: x' : ?, `GatedRBM.analogy`): the mean squared error sum_j (answer_j - y'_j)^2
 *                         against that pair's true output y', beside the error of answering x' itself (no
 *                         transformation) as the baseline.
 */
import type { GatedRBM } from '../models/gated-rbm.js';
import { gatherRows, sliceColumns, type Matrix } from '../tensor/matrix.js';

export interface TransformationInference {
  /** The nearest-neighbour error rate on the mapping units' means, and on the pairs' pixels. */
  readonly transformationError: number;
  readonly pixelTransformationError: number;
  /** Mean squared error of the analogies' answers, and of answering the new input itself. */
  readonly analogyError: number;
  readonly identityError: number;
  /** The pairs with a partner of the same transformation (the analogies' count). */
  readonly analogies: number;
}

/** The leave-one-out nearest-neighbour error rate of `labels` on the rows of `points` (Euclidean). */
export function nearestNeighbourError(points: Matrix, labels: ArrayLike<number>): number {
  const { rows, cols, data } = points;
  let wrong = 0;
  for (let i = 0; i < rows; i++) {
    let best = Infinity;
    let label = -1;
    for (let j = 0; j < rows; j++) {
      if (j === i) continue;
      let d = 0;
      for (let c = 0; c < cols; c++) d += (data[i * cols + c] - data[j * cols + c]) ** 2;
      if (d < best) [best, label] = [d, labels[j]];
    }
    wrong += Number(label !== labels[i]);
  }
  return wrong / rows;
}

/** For each row, the next row (cyclically) of the same label; -1 for a label no other row has. */
export function partners(labels: ArrayLike<number>): Int32Array {
  const rowsOf = new Map<number, number[]>();
  for (let r = 0; r < labels.length; r++) rowsOf.set(labels[r], [...(rowsOf.get(labels[r]) ?? []), r]);
  const out = new Int32Array(labels.length).fill(-1);
  for (const rows of rowsOf.values()) if (rows.length > 1) rows.forEach((r, i) => (out[r] = rows[(i + 1) % rows.length]));
  return out;
}

/** Mean over rows of sum_j (a_j - b_j)^2, a and b [rows, cols]. */
function meanSquaredError(a: Matrix, b: Matrix): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += (a.data[i] - b.data[i]) ** 2;
  return sum / a.rows;
}

/** The measures of the file comment on `pairs` [rows, nInput + nOutput] with their transformations `labels` (2 or more rows). */
export async function transformationInference(model: GatedRBM, pairs: Matrix, labels: ArrayLike<number>): Promise<TransformationInference> {
  if (labels.length !== pairs.rows) throw new Error(`transformationInference: ${labels.length} labels for ${pairs.rows} pairs`);
  const mapping = await model.transform(pairs);
  const partner = partners(labels);
  const rows = Array.from(partner.keys()).filter((r) => partner[r] >= 0);
  const questions = gatherRows(pairs, rows);
  const next = gatherRows(pairs, rows.map((r) => partner[r]));
  const { nInput } = model.shape;
  const nextInputs = sliceColumns(next, 0, nInput);
  const truth = sliceColumns(next, nInput, model.nVisible);
  const answers = rows.length === 0 ? undefined : await model.analogy(questions, nextInputs);
  return {
    transformationError: nearestNeighbourError(mapping, labels),
    pixelTransformationError: nearestNeighbourError(pairs, labels),
    analogyError: answers === undefined ? NaN : meanSquaredError(answers, truth),
    identityError: answers === undefined ? NaN : meanSquaredError(nextInputs, truth),
    analogies: rows.length,
  };
}

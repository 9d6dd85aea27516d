/**
 * Edge cases of the gated RBM's estimators: leave-one-out nearest neighbours in several dimensions against a
 * brute-force float64 count (every column's squared difference summed), a lone point with no neighbour (always
 * wrong), transformation inference without a single analogy (NaN errors) and with labels that do not match the
 * pairs (refused); and the progress of log p(y | x), reported after each row as (rows done, rows in all).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gatedRbmLogLikelihood } from '../../src/estimators/gated-rbm-likelihood.js';
import { nearestNeighbourError, transformationInference } from '../../src/estimators/transformation-inference.js';
import { GatedRBM } from '../../src/models/gated-rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

/** The leave-one-out nearest-neighbour error of points given as rows of numbers, by brute force in float64. */
function bruteForceError(points: number[][], labels: number[]): number {
  let wrong = 0;
  points.forEach((p, i) => {
    const others = points.map((q, j) => ({ j, d: p.reduce((s, v, c) => s + (v - q[c]) ** 2, 0) })).filter((o) => o.j !== i);
    const nearest = others.reduce((a, b) => (b.d < a.d ? b : a));
    wrong += Number(labels[nearest.j] !== labels[i]);
  });
  return wrong / points.length;
}

const flat = (points: number[][]): ReturnType<typeof matrix> => matrix(Float32Array.from(points.flat()), points.length, points[0].length);

describe('nearestNeighbourError in several dimensions', () => {
  it('sums the squared differences of every column: the nearest by Euclidean distance, not by one column', () => {
    // Squared distances: a-b 0.5, b-c 0.75, b-d 1.1, c-e 1.01 are each point's nearest (a's, b's: a and b; c's, d's:
    // b; e's: c): c and d are wrong, 2 / 5. Column 0 alone would give 4 / 5, column 2 alone 0.
    const points = [
      [0, 0, 0], // a
      [0.5, 0.5, 0], // b
      [0, 1, 0.5], // c
      [0.6, 0.2, 1.0], // d
      [0.8, 1.6, 0.4], // e
    ];
    const labels = [0, 0, 1, 1, 1];
    const error = nearestNeighbourError(flat(points), labels);
    expect(error).toBe(bruteForceError(points, labels));
    expect(error).toBe(2 / 5);
    expect(nearestNeighbourError(flat(points.map((p) => [p[0]])), labels)).toBe(4 / 5);
    expect(nearestNeighbourError(flat(points.map((p) => [p[2]])), labels)).toBe(0);
  });

  it('agrees with brute force on random clusters of 4 columns', () => {
    const rng = new RandomStream(11);
    const centres = [0, 1, 2].map(() => Array.from({ length: 4 }, () => rng.normal()));
    const labels = Array.from({ length: 40 }, () => rng.int(0, 2));
    const points = labels.map((l) => centres[l].map((m) => Math.fround(m + 0.9 * rng.normal())));
    const error = nearestNeighbourError(flat(points), labels);
    expect(error).toBe(bruteForceError(points, labels));
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThan(0.5);
  });

  it('counts a lone point, which has no other point, as wrong whatever its label', () => {
    for (const label of [0, 1, 5]) expect(nearestNeighbourError(matrix(Float32Array.of(2, 3), 1, 2), [label])).toBe(1);
  });
});

describe('transformationInference without analogies', () => {
  const model = GatedRBM.create(engine, { nInput: 2, nOutput: 2, nHidden: 2, nFactors: 3, seed: 1, weightScale: 0.5 });
  const pairs = matrix(Float32Array.of(0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0), 3, 4);

  it('gives NaN analogy and identity errors when no two pairs share a transformation', async () => {
    const r = await transformationInference(model, pairs, [4, 7, 9]);
    expect(r.analogies).toBe(0);
    expect(r.analogyError).toBeNaN();
    expect(r.identityError).toBeNaN();
    // Every nearest neighbour has another label.
    expect(r.transformationError).toBe(1);
    expect(r.pixelTransformationError).toBe(1);
  });

  it('refuses labels that are not one per pair, naming both counts', async () => {
    await expect(transformationInference(model, pairs, [0, 0])).rejects.toThrow(/^transformationInference: 2 labels for 3 pairs$/);
    await expect(transformationInference(model, pairs, [0, 0, 1, 1])).rejects.toThrow(/^transformationInference: 4 labels for 3 pairs$/);
  });
});

describe('gatedRbmLogLikelihood progress', () => {
  it('reports after each row the rows done (1, 2, ...) and the rows in all', async () => {
    const model = GatedRBM.create(engine, { nInput: 2, nOutput: 3, nHidden: 2, nFactors: 2, seed: 2, weightScale: 0.5 });
    const pairs = matrix(Float32Array.of(1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0), 3, 5);
    const calls: [number, number][] = [];
    const r = await gatedRbmLogLikelihood(model, pairs, { method: 'exact' }, (done, total) => calls.push([done, total]));
    expect(calls).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(Number.isFinite(r.logLikelihood)).toBe(true);
  });
});

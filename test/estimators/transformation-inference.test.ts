/**
 * The measures of transformation inference on hand-made cases: leave-one-out nearest neighbours and the
 * partner of each pair; and on a gated RBM whose mapping units see only the transformation, a zero error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nearestNeighbourError, partners, transformationInference } from '../../src/estimators/transformation-inference.js';
import { GatedRBM } from '../../src/models/gated-rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('nearestNeighbourError', () => {
  it('counts the points whose nearest other point has another label', () => {
    // 0 and 0.1 are each other's nearest (labels 0, 0); 5 and 5.2 (1, 2) disagree; 9's nearest is 5.2 (2 vs 2).
    const points = matrix(Float32Array.of(0, 0.1, 5, 5.2, 9), 5, 1);
    expect(nearestNeighbourError(points, [0, 0, 1, 2, 2])).toBeCloseTo(2 / 5, 12);
    expect(nearestNeighbourError(points, [0, 0, 1, 1, 1])).toBe(0);
  });
});

describe('partners', () => {
  it('pairs each row with the next of its label, cyclically, and leaves a lone label without', () => {
    expect(Array.from(partners([3, 1, 3, 3, 2, 1]))).toEqual([2, 5, 3, 0, -1, 1]);
  });
});

describe('transformationInference', () => {
  it('measures analogies against the truth and the new input itself', async () => {
    // A model whose outputs copy nothing (no factors): each answer is sigmoid(b) whatever the pair.
    const model = GatedRBM.create(engine, { nInput: 2, nOutput: 2, nHidden: 1, nFactors: 1, weightScale: 0 });
    model.params.outputBias.set([10, -10]); // answers ~[1, 0]
    const pairs = matrix(Float32Array.of(0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1), 3, 4);
    const r = await transformationInference(model, pairs, [0, 0, 1]);
    expect(r.analogies).toBe(2);
    // Rows 0 and 1 answer each other's: truths [1, 0] (row 1's y) and [1, 0] (row 0's y): the answers are right.
    expect(r.analogyError).toBeCloseTo(0, 6);
    // The new inputs [1, 1] (row 1) against [1, 0], [0, 1] (row 0) against [1, 0]: errors 1 and 2.
    expect(r.identityError).toBeCloseTo(1.5, 12);
    // Every pair's mapping mean is the same: the nearest neighbour is the first other row.
    expect(r.transformationError).toBeCloseTo(1 / 3, 12);
  });
});

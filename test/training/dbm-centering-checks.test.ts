/** centredBiases and plainBiases of a 4-layer DBM against float64 sums: every layer's bias takes the offsets of both neighbours (one for the first and last layers). */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/random/stream.js';
import { centredBiases, plainBiases } from '../../src/training/dbm-centering.js';

describe('DBM centred biases of a 4-layer chain', () => {
  it('b\'_l = b_l + W_{l-1}^T beta_{l-1} + W_l beta_{l+1}, and plainBiases undoes it', () => {
    const sizes = [3, 4, 2, 3];
    const rng = new RandomStream(5);
    const weights = sizes.slice(1).map((n, l) => Float32Array.from({ length: sizes[l] * n }, () => rng.normal()));
    const biases = sizes.map((n) => Float32Array.from({ length: n }, () => rng.normal()));
    const offsets = sizes.map((n) => Array.from({ length: n }, () => 0.1 + 0.8 * rng.uniform()));
    const expected = sizes.map((n, l) =>
      Array.from({ length: n }, (_, j) => {
        let x = biases[l][j];
        if (l > 0) for (let i = 0; i < sizes[l - 1]; i++) x += weights[l - 1][i * n + j] * offsets[l - 1][i];
        if (l < sizes.length - 1) for (let k = 0; k < sizes[l + 1]; k++) x += weights[l][j * sizes[l + 1] + k] * offsets[l + 1][k];
        return x;
      }),
    );
    const centred = centredBiases(sizes, weights, biases, offsets);
    expect(centred.map((b) => b.length)).toEqual(sizes);
    centred.forEach((b, l) => b.forEach((x, j) => expect(x, `layer ${l} unit ${j}`).toBeCloseTo(expected[l][j], 5)));
    const plain = plainBiases(sizes, weights, centred, offsets);
    expect(plain.map((b) => b.length)).toEqual(sizes);
    plain.forEach((b, l) => b.forEach((x, j) => expect(x, `layer ${l} unit ${j}`).toBeCloseTo(biases[l][j], 5)));
  });
});

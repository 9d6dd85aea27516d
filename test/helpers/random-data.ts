/** Seeded random data and models for tests, and every binary state of a few units. */
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import type { Engine } from '../../src/runtime/engine.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';

/** rows x cols fair coin flips (0 or 1), seeded. */
export function randomBinary(rows: number, cols: number, seed: number): Matrix {
  const rng = new RandomStream(seed);
  return matrix(Float32Array.from({ length: rows * cols }, () => (rng.uniform() < 0.5 ? 1 : 0)), rows, cols);
}

/** Every one of the 2^n binary states of n units, state s in row s (bit i of s is unit i): [2^n, n]. */
export function everyBinaryState(n: number): Matrix {
  return matrix(Float32Array.from({ length: 2 ** n * n }, (_, k) => (Math.floor(k / n) >> k % n) & 1), 2 ** n, n);
}

/** A Bernoulli RBM whose weights and biases are N(0, scale^2), seeded. */
export function randomRbm(engine: Engine, nVisible: number, nHidden: number, seed: number, scale = 1): RBM {
  const rng = new RandomStream(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, seed, weightScale: scale });
  rbm.params.visibleBias.forEach((_, i, a) => (a[i] = scale * rng.normal()));
  rbm.params.hiddenBias.forEach((_, i, a) => (a[i] = scale * rng.normal()));
  return rbm;
}

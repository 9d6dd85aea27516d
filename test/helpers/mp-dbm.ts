/** Small multi-prediction DBMs and labelled data for their tests. */
import { MpDBM } from '../../src/models/mp-dbm.js';
import { RandomStream } from '../../src/random/stream.js';
import type { Engine } from '../../src/runtime/engine.js';
import { matrix } from '../../src/tensor/matrix.js';

/** A model of `sizes` and `nClasses` classes, weights N(0, weightScale^2) and every bias N(0, 0.5^2) (none zero). */
export function randomMpDbm(engine: Engine, sizes: number[], nClasses: number, seed: number, weightScale: number): MpDBM {
  const model = MpDBM.create(engine, { sizes, nClasses, seed, weightScale });
  const rng = new RandomStream(seed + 1);
  for (const b of [...model.dbm.params.biases, model.labels.labelBias]) b.forEach((_, i) => (b[i] = 0.5 * rng.normal()));
  return model;
}

/** `rows` noisy 3 x 3 images of two classes: class 0 has its first 5 pixels on and the rest off, class 1 the opposite, each pixel flipped with probability 0.1. */
export function labelledPrototypes(rows = 60) {
  const rng = new RandomStream(7);
  const labels = Int32Array.from({ length: rows }, (_, r) => r % 2);
  const data = new Float32Array(rows * 9);
  labels.forEach((y, r) => {
    for (let i = 0; i < 9; i++) data[r * 9 + i] = Number((i < 5) === (y === 0) !== rng.uniform() < 0.1);
  });
  return { examples: matrix(data, rows, 9), labels };
}

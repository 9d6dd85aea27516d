/** Small classification RBMs for tests: seeded random parameters, and every parameter's host array by file name. */
import { classRbmNames } from '../../src/models/class-rbm-graph.js';
import { ClassRBM } from '../../src/models/class-rbm.js';
import { parameterNames } from '../../src/models/rbm-graph.js';
import { RandomStream } from '../../src/random/stream.js';
import type { Engine } from '../../src/runtime/engine.js';

/** A classification RBM of 4 visible units, `nHidden` hidden ones (default 3) and 3 classes, every weight and bias N(0, scale^2), seeded. */
export function randomClassRbm(engine: Engine, seed: number, { scale = 1, nHidden = 3 } = {}): ClassRBM {
  const model = ClassRBM.create(engine, { nVisible: 4, nHidden, nClasses: 3, seed, weightScale: scale });
  const rng = new RandomStream(seed + 100);
  for (const b of [model.rbm.params.visibleBias, model.rbm.params.hiddenBias, model.labels.labelBias]) b.forEach((_, i, a) => (a[i] = scale * rng.normal()));
  return model;
}

/** The parameters' file names, in the training step's order. */
export const CLASS_RBM_PARAMETERS = [parameterNames.weights, parameterNames.visibleBias, parameterNames.hiddenBias, classRbmNames.labelWeights, classRbmNames.labelBias];

/** Each parameter's host array, by file name. */
export const classRbmParameters = (model: ClassRBM): Record<string, Float32Array> => ({
  [parameterNames.weights]: model.rbm.params.weights,
  [parameterNames.visibleBias]: model.rbm.params.visibleBias,
  [parameterNames.hiddenBias]: model.rbm.params.hiddenBias,
  [classRbmNames.labelWeights]: model.labels.labelWeights,
  [classRbmNames.labelBias]: model.labels.labelBias,
});

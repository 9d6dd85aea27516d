/** Feeds of a training step graph whose minibatch is the whole of `data`, in order. */
import type { Engine, TensorMap } from '../../src/runtime/engine.js';
import { stepNames } from '../../src/training/step-graph.js';
import type { Matrix } from '../../src/tensor/matrix.js';

export function minibatchFeeds(engine: Engine, data: Matrix): TensorMap {
  return {
    [stepNames.examples]: engine.float32(data.data, [data.rows, data.cols]),
    [stepNames.batchRows]: new engine.ort.Tensor('int64', BigInt64Array.from({ length: data.rows }, (_, i) => BigInt(i)), [data.rows]),
  };
}

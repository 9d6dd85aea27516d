import type { Matrix } from '../tensor/matrix.js';

/**
 * A data set: `examples` is nExamples x nFeatures (one example per row). `labels`, when the source has them,
 * holds one integer class per example. `imageShape` [height, width] says how to draw an example as a picture
 * (height * width === nFeatures), when it is one. `name` says where it came from, for messages and metadata.
 */
export interface Dataset {
  readonly name: string;
  readonly examples: Matrix;
  readonly labels?: Int32Array;
  readonly imageShape?: readonly [number, number];
}

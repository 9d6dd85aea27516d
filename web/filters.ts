/** The filters panel: receptive fields of the first hidden layer, from the model's tensors by file name. */
import { weightsPicture, type ImageShape } from '../src/io/pictures.js';
import { gatedRbmNames } from '../src/models/gated-rbm-graph.js';
import { GatedRBM } from '../src/models/gated-rbm.js';
import type { GenerativeModel } from '../src/models/model.js';
import { matrix } from '../src/tensor/matrix.js';
import { showPicture } from './canvas.js';

/** The file names of the first layer's weights: `weights` (an RBM) or `weights_0` (a DBN's or a DBM's); a gated RBM shows its factors' pair filters. */
const FIRST_WEIGHTS = ['weights', 'weights_0'] as const;

/**
 * Draw the first 100 columns W[:, mu] of the first layer's weights W [nVisible, n_1] (row-major, as in the
 * file) on `canvas`, each an image of `shape`, and write the tensor's file name in `label`.
 */
export function showFilters(model: GenerativeModel, shape: ImageShape, canvas: HTMLCanvasElement, label: HTMLElement): void {
  if (model instanceof GatedRBM) {
    showPicture(canvas, weightsPicture(model.pairFilters(), shape));
    label.textContent = `${gatedRbmNames.inputFactors} above ${gatedRbmNames.outputFactors}`;
    return;
  }
  const { tensors } = model.describe();
  const name = FIRST_WEIGHTS.find((n) => Object.hasOwn(tensors, n));
  if (name === undefined) throw new Error(`the model has no tensor ${FIRST_WEIGHTS.join(' or ')}`);
  const weights = tensors[name];
  showPicture(canvas, weightsPicture(matrix(weights, model.nVisible, weights.length / model.nVisible), shape));
  label.textContent = name;
}

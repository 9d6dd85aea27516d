import type { Value } from '../graph/graph.js';
import { sampleHidden, sampleVisible, type LayerState, type RbmValues } from '../models/rbm-graph.js';

/**
 * Block Gibbs sampling from a hidden draw hStart [chains, nHidden]: k steps (k >= 1), each drawing
 * v ~ p(v | h) and, but after the last, h ~ p(h | v). Returns the visible layer of the last step.
 */
export function gibbsFromHidden(rbm: RbmValues, hStart: Value, k: number): LayerState {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`gibbs: steps must be a positive integer, got ${k}`);
  let visible = sampleVisible(rbm, hStart);
  for (let step = 1; step < k; step++) visible = sampleVisible(rbm, sampleHidden(rbm, visible.sample).sample);
  return visible;
}

/** k block Gibbs steps v -> h -> v from visible states vStart [chains, nVisible]. */
export function gibbsFromVisible(rbm: RbmValues, vStart: Value, k: number): LayerState {
  return gibbsFromHidden(rbm, sampleHidden(rbm, vStart).sample, k);
}

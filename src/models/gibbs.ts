import type { Value } from '../graph/graph.js';
import type { LayerState } from './machine.js';
import { sampleHidden, sampleVisible, type RbmValues } from './rbm-graph.js';

/** The visible layer after a run of block Gibbs steps, with the hidden draw it was sampled from. */
export interface GibbsState extends LayerState {
  /** The hidden draw of the last step, from which the visible layer was sampled: [chains, nHidden]. */
  readonly hidden: Value;
}

/**
 * Block Gibbs sampling from a hidden draw hStart [chains, nHidden]: k steps (k >= 1), each drawing
 * v ~ p(v | h) and, but after the last, h ~ p(h | v). Returns the visible layer of the last step and the
 * hidden draw it came from; (v, h) of the last step is a joint draw once the chain has mixed. With a
 * `couplingScale` beta [chains, 1] each row samples the RBM with its couplings tempered by its beta.
 */
export function gibbsFromHidden(rbm: RbmValues, hStart: Value, k: number, couplingScale?: Value): GibbsState {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`gibbs: steps must be a positive integer, got ${k}`);
  let hidden = hStart;
  let visible = sampleVisible(rbm, hidden, couplingScale);
  for (let step = 1; step < k; step++) {
    hidden = sampleHidden(rbm, visible.sample, couplingScale).sample;
    visible = sampleVisible(rbm, hidden, couplingScale);
  }
  return { ...visible, hidden };
}

/** k block Gibbs steps v -> h -> v from visible states vStart [chains, nVisible] (couplings tempered as above). */
export function gibbsFromVisible(rbm: RbmValues, vStart: Value, k: number, couplingScale?: Value): GibbsState {
  return gibbsFromHidden(rbm, sampleHidden(rbm, vStart, couplingScale).sample, k, couplingScale);
}

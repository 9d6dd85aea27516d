import { Graph } from '../graph/graph.js';
import type { UnitType } from '../units/unit-type.js';
import { gibbsFromVisible } from './gibbs.js';
import { freeEnergy, hiddenField, parameterInputs, squaredError, visibleMean } from './rbm-graph.js';

/** Sizes and unit types: what fixes the shape of an RBM's graphs. */
export interface RbmShape {
  readonly nVisible: number;
  readonly nHidden: number;
  readonly visible: UnitType;
  readonly hidden: UnitType;
}

/** Names of the inference graphs' data input and outputs. */
export const inferenceNames = {
  visible: 'visible',
  hiddenMean: 'hidden_mean',
  reconstruction: 'reconstruction',
  squaredError: 'squared_error',
  freeEnergy: 'free_energy',
  visibleSample: 'visible_sample',
  visibleMean: 'visible_mean',
} as const;

function graphWithVisible(name: string, shape: RbmShape, seed = 0) {
  const g = new Graph(name, seed);
  const rbm = parameterInputs(g, shape.nVisible, shape.nHidden, shape);
  const v = g.input(inferenceNames.visible, 'float32', ['rows', shape.nVisible]);
  return { g, rbm, v };
}

/** E[h | v]: visible [rows, nVisible] -> hidden_mean [rows, nHidden]. */
export function hiddenMeanGraph(shape: RbmShape): Graph {
  const { g, rbm, v } = graphWithVisible('hidden-mean', shape);
  g.output(inferenceNames.hiddenMean, rbm.hidden.mean(hiddenField(rbm, v)));
  return g;
}

/**
 * The mean-field reconstruction E[v | h = E[h | v]] and its squared error sum_i (v_i - r_i)^2:
 * visible [rows, nVisible] -> reconstruction [rows, nVisible], squared_error [rows].
 */
export function reconstructionGraph(shape: RbmShape): Graph {
  const { g, rbm, v } = graphWithVisible('reconstruction', shape);
  const r = visibleMean(rbm, rbm.hidden.mean(hiddenField(rbm, v)));
  g.output(inferenceNames.reconstruction, r);
  g.output(inferenceNames.squaredError, squaredError(v, r));
  return g;
}

/** F(v): visible [rows, nVisible] -> free_energy [rows]. */
export function freeEnergyGraph(shape: RbmShape): Graph {
  const { g, rbm, v } = graphWithVisible('free-energy', shape);
  g.output(inferenceNames.freeEnergy, freeEnergy(rbm, v));
  return g;
}

/**
 * `steps` block Gibbs steps v -> h -> v: visible [rows, nVisible] -> visible_sample (the draw, to continue
 * the chain) and visible_mean (E[v | h] of the last step, for pictures), both [rows, nVisible].
 */
export function gibbsGraph(shape: RbmShape, steps: number, seed: number): Graph {
  const { g, rbm, v } = graphWithVisible(`gibbs-${steps}`, shape, seed);
  const last = gibbsFromVisible(rbm, v, steps);
  g.output(inferenceNames.visibleSample, last.sample);
  g.output(inferenceNames.visibleMean, last.mean);
  return g;
}

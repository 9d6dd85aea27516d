/**
 * The graph math of the factored gated RBM (Memisevic & Hinton 2010; Deep Learning 20.8), a higher-order
 * Boltzmann machine of an input x (given, never modelled), an output y and hidden "mapping" units h, whose
 * three-way interaction is factored into F products of projections,
 *   E(y, h; x) = -sum_f (x W^x)_f (y W^y)_f (h W^h)_f - b . y - c . h,
 * W^x [nInput, F], W^y [nOutput, F], W^h [nHidden, F]. Given x it is an RBM of y and h whose weights
 * W(x) = W^y diag(x W^x) W^h^T [nOutput, nHidden] depend on x: here the machine of layers [y, h] with one
 * `factoredCoupling`, so the machine's fields, sweeps, energy and free energy serve it as they are. It models
 * p(y, h | x): h infers the transformation that takes x to y (E[h | x, y]), and applies it to a new input
 * (E[y | x', h]: an analogy). Shapes: x [rows, nInput], y [rows, nOutput], h [rows, nHidden]; a pair is the
 * row [x | y], [rows, nInput + nOutput].
 */
import { Graph, type Value } from '../graph/graph.js';
import { concat, slice } from '../graph/ops/index.js';
import type { UnitType } from '../units/unit-type.js';
import { factoredCoupling } from './factored-coupling.js';
import { gibbsSweep, layerMean, sampleLayers, type MachineValues } from './machine.js';
import { squaredError } from './rbm-graph.js';

/** Tensor (and graph input) names of a gated RBM's parameters. */
export const gatedRbmNames = {
  inputFactors: 'input_factors',
  outputFactors: 'output_factors',
  hiddenFactors: 'hidden_factors',
  outputBias: 'output_bias',
  hiddenBias: 'hidden_bias',
} as const;

/** Sizes and unit types of a gated RBM. */
export interface GatedRbmShape {
  readonly nInput: number;
  readonly nOutput: number;
  readonly nHidden: number;
  readonly nFactors: number;
  readonly output: UnitType;
  readonly hidden: UnitType;
}

/** A gated RBM's parameters as graph values (see the file comment), with its unit types. */
export interface GatedRbmValues {
  readonly inputFactors: Value;
  readonly outputFactors: Value;
  readonly hiddenFactors: Value;
  readonly outputBias: Value;
  readonly hiddenBias: Value;
  readonly output: UnitType;
  readonly hidden: UnitType;
}

/** Declare a gated RBM's parameters as graph inputs, by their file names. */
export function gatedRbmInputs(g: Graph, shape: GatedRbmShape): GatedRbmValues {
  const { nInput, nOutput, nHidden, nFactors } = shape;
  return {
    inputFactors: g.input(gatedRbmNames.inputFactors, 'float32', [nInput, nFactors]),
    outputFactors: g.input(gatedRbmNames.outputFactors, 'float32', [nOutput, nFactors]),
    hiddenFactors: g.input(gatedRbmNames.hiddenFactors, 'float32', [nHidden, nFactors]),
    outputBias: g.input(gatedRbmNames.outputBias, 'float32', [nOutput]),
    hiddenBias: g.input(gatedRbmNames.hiddenBias, 'float32', [nHidden]),
    output: shape.output,
    hidden: shape.hidden,
  };
}

/** The machine of layers [y, h] given the input rows x [rows, nInput]: the RBM of y and h with weights W(x). */
export function gatedMachine(p: GatedRbmValues, x: Value): MachineValues {
  return {
    layers: [
      { units: p.output, bias: p.outputBias },
      { units: p.hidden, bias: p.hiddenBias },
    ],
    couplings: [factoredCoupling(0, 1, x, [p.inputFactors, p.outputFactors, p.hiddenFactors])],
  };
}

/** The input and output halves of pair rows [rows, nInput + nOutput]. */
export function splitPairs(pairs: Value, shape: GatedRbmShape): { x: Value; y: Value } {
  const { nInput, nOutput } = shape;
  return { x: slice(pairs, [0], [nInput], [1]), y: slice(pairs, [nInput], [nInput + nOutput], [1]) };
}

/** E[h | x, y], the mapping units' means: [rows, nHidden]. */
export const mappingMean = (p: GatedRbmValues, x: Value, y: Value): Value => layerMean(gatedMachine(p, x), [y, undefined], 1);

/** E[y | x, h], the output the mapping h makes of x: [rows, nOutput]. */
export const outputMean = (p: GatedRbmValues, x: Value, h: Value): Value => layerMean(gatedMachine(p, x), [undefined, h], 0);

/** Names of the inference graphs' inputs and outputs. */
export const gatedInferenceNames = {
  pairs: 'pairs',
  analogies: 'analogies',
  inputs: 'inputs',
  outputs: 'outputs',
  mappingMean: 'mapping_mean',
  reconstruction: 'reconstruction',
  squaredError: 'squared_error',
  analogy: 'analogy',
  outputSample: 'output_sample',
  outputMean: 'output_mean',
} as const;

/** A graph of a gated RBM of `shape` on pair rows, its outputs by name from the parameters, x and y. */
function pairGraph(name: string, shape: GatedRbmShape, outputs: (p: GatedRbmValues, x: Value, y: Value) => Record<string, Value>): Graph {
  const g = new Graph(name);
  const p = gatedRbmInputs(g, shape);
  const { x, y } = splitPairs(g.input(gatedInferenceNames.pairs, 'float32', ['rows', shape.nInput + shape.nOutput]), shape);
  for (const [output, value] of Object.entries(outputs(p, x, y))) g.output(output, value);
  return g;
}

/** E[h | x, y]: pairs -> mapping_mean [rows, nHidden]. */
export const mappingGraph = (shape: GatedRbmShape): Graph => pairGraph('gated-mapping', shape, (p, x, y) => ({ [gatedInferenceNames.mappingMean]: mappingMean(p, x, y) }));

/**
 * The pair with y reconstructed through the mapping units, [x | E[y | x, E[h | x, y]]], and the output's squared
 * error: pairs -> reconstruction [rows, nInput + nOutput], squared_error [rows].
 */
export const gatedReconstructionGraph = (shape: GatedRbmShape): Graph =>
  pairGraph('gated-reconstruction', shape, (p, x, y) => {
    const r = outputMean(p, x, mappingMean(p, x, y));
    return { [gatedInferenceNames.reconstruction]: concat([x, r], 1), [gatedInferenceNames.squaredError]: squaredError(y, r) };
  });

/**
 * The analogy x : y :: x' : ?, the mapping inferred from the pair (x, y) applied to the new input x':
 * E[y' | x', E[h | x, y]]. Rows [x | y | x'] [rows, 2 nInput + nOutput] -> analogy [rows, nOutput].
 */
export function analogyGraph(shape: GatedRbmShape): Graph {
  const { nInput, nOutput } = shape;
  const g = new Graph('gated-analogy');
  const p = gatedRbmInputs(g, shape);
  const rows = g.input(gatedInferenceNames.analogies, 'float32', ['rows', 2 * nInput + nOutput]);
  const { x, y } = splitPairs(slice(rows, [0], [nInput + nOutput], [1]), shape);
  const next = slice(rows, [nInput + nOutput], [2 * nInput + nOutput], [1]);
  g.output(gatedInferenceNames.analogy, outputMean(p, next, mappingMean(p, x, y)));
  return g;
}

/**
 * `steps` sweeps of block Gibbs sampling of y given x: h | x, y then y | x, h. Inputs inputs (x) [rows,
 * nInput] and outputs (y, the chains' state) [rows, nOutput]; outputs output_sample (to continue the chains)
 * and output_mean (E[y | x, h] of the last sweep).
 */
export function conditionalGibbsGraph(shape: GatedRbmShape, steps: number, seed: number): Graph {
  const g = new Graph(`gated-gibbs-${steps}`, seed);
  const p = gatedRbmInputs(g, shape);
  const machine = gatedMachine(p, g.input(gatedInferenceNames.inputs, 'float32', ['rows', shape.nInput]));
  let state: (Value | undefined)[] = [g.input(gatedInferenceNames.outputs, 'float32', ['rows', shape.nOutput]), undefined];
  for (let s = 1; s < steps; s++) state = gibbsSweep(machine, state);
  const last = sampleLayers(machine, sampleLayers(machine, state, 1).states, 0);
  g.output(gatedInferenceNames.outputSample, last.states[0]!);
  g.output(gatedInferenceNames.outputMean, last.means[0]!);
  return g;
}

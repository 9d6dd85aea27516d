/**
 * Gated RBM files (the contract of DESIGN.md, "Model files"): `input_factors` [nInput, F], `output_factors`
 * [nOutput, F], `hidden_factors` [nHidden, F], `output_bias` [nOutput] and `hidden_bias` [nHidden], float32;
 * metadata kind "gated-rbm", `visible` (the output units' type, which the inputs share), `hidden` (the mapping
 * units') and `epochs_trained`. Bytes only: no file system.
 */
import { UserError } from '../errors.js';
import { quoted } from '../quote.js';
import { gatedRbmNames } from '../models/gated-rbm-graph.js';
import { GatedRBM, type GatedRbmParameters } from '../models/gated-rbm.js';
import type { Engine } from '../runtime/engine.js';
import { checkKind, checkNoOtherTensors, decodeModelFile, epochsTrainedOf, floatTensor, layerSizes, MODEL_FORMAT, unitsOf, type ModelMetadata } from './model-tensors.js';
import { encodeSafetensors } from './safetensors.js';

/** A gated RBM as safetensors bytes (see the file comment), with the metadata `extra`. */
export function encodeGatedRbm(model: GatedRBM, extra: ModelMetadata = {}): Uint8Array {
  const { nInput, nOutput, nHidden, nFactors, output, hidden } = model.shape;
  const shapes: Record<keyof GatedRbmParameters, number[]> = {
    inputFactors: [nInput, nFactors],
    outputFactors: [nOutput, nFactors],
    hiddenFactors: [nHidden, nFactors],
    outputBias: [nOutput],
    hiddenBias: [nHidden],
  };
  const tensors = Object.fromEntries(Object.entries(shapes).map(([key, shape]) => [gatedRbmNames[key as keyof GatedRbmParameters], { dtype: 'F32' as const, shape, data: model.params[key as keyof GatedRbmParameters] }]));
  return encodeSafetensors(tensors, { ...extra, format: MODEL_FORMAT, kind: 'gated-rbm', visible: output.name, hidden: hidden.name, epochs_trained: String(model.epochsTrained) });
}

/**
 * The gated RBM in safetensors `bytes` read from `source`, and its metadata. Checked completely: kind
 * "gated-rbm", both unit types named (the output units without a learned std), exactly its five tensors, the
 * three factor matrices of one number of factors, the biases of their layers' sizes, whole groups of grouped
 * units, finite values.
 */
export function decodeGatedRbm(engine: Engine, bytes: Uint8Array, source: string): { model: GatedRBM; metadata: ModelMetadata } {
  const file = decodeModelFile(bytes, source);
  checkKind(file, 'gated-rbm', 'a gated RBM');
  const output = unitsOf(file, 'visible');
  const hidden = unitsOf(file, 'hidden');
  if (output.learnedStd !== undefined) throw new UserError(`${source}: metadata "visible" is ${quoted(output.name)}: a gated RBM's outputs have no learned std`);
  const names = Object.values(gatedRbmNames);
  const has = `a gated RBM file has ${names.join(', ')}`;
  checkNoOtherTensors(file, names, has);
  const [nInput, nFactors] = layerSizes(file, gatedRbmNames.inputFactors, has);
  const [nOutput, outputFactors] = layerSizes(file, gatedRbmNames.outputFactors, has);
  const [nHidden, hiddenFactors] = layerSizes(file, gatedRbmNames.hiddenFactors, has);
  for (const [name, factors] of [[gatedRbmNames.outputFactors, outputFactors], [gatedRbmNames.hiddenFactors, hiddenFactors]] as const) {
    if (factors !== nFactors) throw new UserError(`${source}: tensor ${quoted(name)} has ${factors} factors but ${quoted(gatedRbmNames.inputFactors)} has ${nFactors}`);
  }
  for (const [layer, units, size] of [['output', output, nOutput], ['hidden', hidden, nHidden]] as const) {
    if (size % units.groupSize !== 0) throw new UserError(`${source}: ${size} ${layer} units are not groups of ${units.groupSize} (${units.name})`);
  }
  const params: GatedRbmParameters = {
    inputFactors: floatTensor(file, gatedRbmNames.inputFactors, [nInput, nFactors], has),
    outputFactors: floatTensor(file, gatedRbmNames.outputFactors, [nOutput, nFactors], has),
    hiddenFactors: floatTensor(file, gatedRbmNames.hiddenFactors, [nHidden, nFactors], has),
    outputBias: floatTensor(file, gatedRbmNames.outputBias, [nOutput], has),
    hiddenBias: floatTensor(file, gatedRbmNames.hiddenBias, [nHidden], has),
  };
  const model = new GatedRBM(engine, { nInput, nOutput, nHidden, nFactors, output, hidden }, params);
  model.epochsTrained = epochsTrainedOf(file);
  return { model, metadata: file.metadata };
}

/**
 * Classification RBM files (the contract of DESIGN.md, "Model files"): the RBM's tensors (`weights`,
 * `visible_bias`, `hidden_bias`, and `visible_log_std` for units with a learned std) and the label layer's
 * `label_weights` [nHidden, K] and `label_bias` [K], float32; metadata kind "class-rbm", the unit types,
 * `classes` (K) and `epochs_trained`. Bytes only: no file system.
 */
import { UserError } from '../errors.js';
import { quoted } from '../quote.js';
import { classRbmNames } from '../models/class-rbm-graph.js';
import { ClassRBM } from '../models/class-rbm.js';
import type { Engine } from '../runtime/engine.js';
import { checkKind, decodeModelFile, floatTensor, layerSizes, type ModelMetadata } from './model-tensors.js';
import { rbmMetadata, rbmOfFile, rbmTensors } from './rbm-codec.js';
import { encodeSafetensors } from './safetensors.js';

/** A classification RBM as safetensors bytes (see the file comment), with the metadata `extra`. */
export function encodeClassRbm(model: ClassRBM, extra: ModelMetadata = {}): Uint8Array {
  const { nHidden, nClasses } = model;
  return encodeSafetensors(
    {
      ...rbmTensors(model.rbm),
      [classRbmNames.labelWeights]: { dtype: 'F32', shape: [nHidden, nClasses], data: model.labels.labelWeights },
      [classRbmNames.labelBias]: { dtype: 'F32', shape: [nClasses], data: model.labels.labelBias },
    },
    { ...extra, ...rbmMetadata(model.rbm, 'class-rbm'), classes: String(nClasses) },
  );
}

/**
 * The classification RBM in safetensors `bytes` read from `source`, and its metadata. Checked completely: kind
 * "class-rbm", the RBM's tensors as an RBM file's (rbmOfFile), `label_weights` [nHidden, K] with K >= 2 and
 * `label_bias` [K], finite values, metadata `classes` (where present) equal to K.
 */
export function decodeClassRbm(engine: Engine, bytes: Uint8Array, source: string): { model: ClassRBM; metadata: ModelMetadata } {
  const file = decodeModelFile(bytes, source);
  checkKind(file, 'class-rbm', 'a classification RBM');
  const names = [classRbmNames.labelWeights, classRbmNames.labelBias];
  const rbm = rbmOfFile(engine, file, { names, model: 'a classification RBM' });
  const has = `a classification RBM file has the tensors of an RBM and ${names.join(', ')}`;
  const [rows, nClasses] = layerSizes(file, classRbmNames.labelWeights, has);
  if (rows !== rbm.nHidden) throw new UserError(`${source}: tensor "${classRbmNames.labelWeights}" has ${rows} rows but the model has ${rbm.nHidden} hidden units`);
  if (nClasses < 2) throw new UserError(`${source}: tensor "${classRbmNames.labelWeights}" has ${nClasses} column; a classification RBM has 2 or more classes`);
  const classes = file.metadata.classes;
  if (classes !== undefined && classes !== String(nClasses)) throw new UserError(`${source}: metadata "classes" is ${quoted(classes)} but the tensors have ${nClasses} classes`);
  const labelWeights = floatTensor(file, classRbmNames.labelWeights, [rows, nClasses], has);
  const labelBias = floatTensor(file, classRbmNames.labelBias, [nClasses], has);
  return { model: new ClassRBM(rbm, { labelWeights, labelBias }), metadata: file.metadata };
}

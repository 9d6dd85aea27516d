/**
 * Multi-prediction DBM files (the contract of DESIGN.md, "Model files"): the DBM's tensors (`weights_l`,
 * `visible_bias_0`, `hidden_bias_l`) and the label layer's `label_weights` [n_L, K] and `label_bias` [K],
 * float32; metadata kind "mp-dbm", `layers` (JSON, visible first), Bernoulli units, `classes` (K) and
 * `epochs_trained`. Bytes only: no file system.
 */
import { UserError } from '../errors.js';
import { quoted } from '../quote.js';
import { classRbmNames } from '../models/class-rbm-graph.js';
import { MpDBM } from '../models/mp-dbm.js';
import type { Engine } from '../runtime/engine.js';
import { dbmMetadata, dbmOfFile, dbmTensors } from './dbm-codec.js';
import { checkKind, decodeModelFile, floatTensor, layerSizes, type ModelMetadata } from './model-tensors.js';
import { encodeSafetensors } from './safetensors.js';

/** A multi-prediction DBM as safetensors bytes (see the file comment), with the metadata `extra`. */
export function encodeMpDbm(model: MpDBM, extra: ModelMetadata = {}): Uint8Array {
  const top = model.sizes.at(-1)!;
  return encodeSafetensors(
    {
      ...dbmTensors(model.dbm),
      [classRbmNames.labelWeights]: { dtype: 'F32', shape: [top, model.nClasses], data: model.labels.labelWeights },
      [classRbmNames.labelBias]: { dtype: 'F32', shape: [model.nClasses], data: model.labels.labelBias },
    },
    { ...dbmMetadata(model.dbm, 'mp-dbm', extra), classes: String(model.nClasses) },
  );
}

/**
 * The multi-prediction DBM in safetensors `bytes` read from `source`, and its metadata. Checked completely:
 * kind "mp-dbm", the DBM's tensors as a DBM file's (dbmOfFile), `label_weights` [n_L, K] with K >= 2 and
 * `label_bias` [K], finite values, metadata `classes` (where present) equal to K.
 */
export function decodeMpDbm(engine: Engine, bytes: Uint8Array, source: string): { model: MpDBM; metadata: ModelMetadata } {
  const file = decodeModelFile(bytes, source);
  checkKind(file, 'mp-dbm', 'a multi-prediction DBM');
  const names = [classRbmNames.labelWeights, classRbmNames.labelBias];
  const dbm = dbmOfFile(engine, file, { names, model: 'a multi-prediction DBM' });
  const has = `a multi-prediction DBM file has the tensors of a DBM and ${names.join(', ')}`;
  const top = dbm.sizes.at(-1)!;
  const [rows, nClasses] = layerSizes(file, classRbmNames.labelWeights, has);
  if (rows !== top) throw new UserError(`${source}: tensor "${classRbmNames.labelWeights}" has ${rows} rows but the top hidden layer has ${top} units`);
  if (nClasses < 2) throw new UserError(`${source}: tensor "${classRbmNames.labelWeights}" has ${nClasses} column; a multi-prediction DBM has 2 or more classes`);
  const classes = file.metadata.classes;
  if (classes !== undefined && classes !== String(nClasses)) throw new UserError(`${source}: metadata "classes" is ${quoted(classes)} but the tensors have ${nClasses} classes`);
  const labelWeights = floatTensor(file, classRbmNames.labelWeights, [rows, nClasses], has);
  const labelBias = floatTensor(file, classRbmNames.labelBias, [nClasses], has);
  return { model: new MpDBM(dbm, { labelWeights, labelBias }), metadata: file.metadata };
}

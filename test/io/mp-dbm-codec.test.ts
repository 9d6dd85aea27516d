/**
 * Multi-prediction DBM files (io/mp-dbm-codec.ts): a model survives encodeMpDbm and decodeMpDbm (and
 * decodeModel) unchanged, a file without metadata "classes" is read; and the refusals of its label layer,
 * each one exact line naming the file, from decodeMpDbm and decodeModel alike: label_weights whose rows are
 * not the top hidden layer's units, a single class, and metadata "classes" that disagrees with the tensors.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { decodeModel } from '../../src/io/model-codec.js';
import { decodeMpDbm, encodeMpDbm } from '../../src/io/mp-dbm-codec.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { MpDBM } from '../../src/models/mp-dbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const f32 = (shape: number[], fill = 0.25): NamedTensor => ({ dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });

/** A [9, 4, 3] model with 2 classes, 5 epochs trained, and its file's tensors and metadata. */
function validFile() {
  const model = MpDBM.create(engine, { sizes: [9, 4, 3], nClasses: 2, seed: 1, weightScale: 0.3 });
  model.labels.labelBias.set([0.5, -0.25]);
  model.epochsTrained = 5;
  const { tensors, metadata } = decodeSafetensors(encodeMpDbm(model), 'valid');
  return { model, tensors, metadata };
}

/** The UserError messages of decodeMpDbm and decodeModel on `bytes` (each checked one line, and the same). */
function refusal(bytes: Uint8Array, source = 'm.safetensors'): string {
  const messages = [(b: Uint8Array) => decodeMpDbm(engine, b, source), (b: Uint8Array) => decodeModel(engine, b, source)].map((decode) => {
    let caught: unknown;
    try {
      decode(bytes);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserError);
    const message = (caught as UserError).message;
    expect(message).not.toContain('\n');
    return message;
  });
  expect(messages[1]).toBe(messages[0]);
  return messages[0];
}

describe('multi-prediction DBM files', () => {
  it('read back the model they were written from, with its metadata', () => {
    const { model, metadata } = validFile();
    expect(metadata).toMatchObject({ kind: 'mp-dbm', classes: '2', layers: '[9,4,3]', epochs_trained: '5' });
    const decoded = decodeMpDbm(engine, encodeMpDbm(model), 'm.safetensors');
    const back = decoded.model;
    expect(back.sizes).toEqual([9, 4, 3]);
    expect(back.nClasses).toBe(2);
    expect(back.epochsTrained).toBe(5);
    expect(Array.from(back.labels.labelWeights)).toEqual(Array.from(model.labels.labelWeights));
    expect(Array.from(back.labels.labelBias)).toEqual([0.5, -0.25]);
    back.dbm.params.weights.forEach((w, l) => expect(Array.from(w)).toEqual(Array.from(model.dbm.params.weights[l])));
    expect(decoded.metadata.classes).toBe('2');
    expect(decodeModel(engine, encodeMpDbm(model), 'm.safetensors').model.kind).toBe('mp-dbm');
  });

  it('read a file without metadata "classes", the classes taken from the tensors', () => {
    const { tensors, metadata } = validFile();
    const { classes: _, ...rest } = metadata;
    expect(decodeMpDbm(engine, encodeSafetensors(tensors, rest), 'm.safetensors').model.nClasses).toBe(2);
  });
});

describe('refusals of multi-prediction DBM files', () => {
  it('refuses label_weights whose rows are not the top hidden layer\'s units', () => {
    const { tensors, metadata } = validFile();
    expect(refusal(encodeSafetensors({ ...tensors, label_weights: f32([4, 2]) }, metadata))).toBe('m.safetensors: tensor "label_weights" has 4 rows but the top hidden layer has 3 units');
  });

  it('refuses a single class, with or without metadata "classes"', () => {
    const { tensors, metadata } = validFile();
    const one = { ...tensors, label_weights: f32([3, 1]), label_bias: f32([1]) };
    const expected = 'm.safetensors: tensor "label_weights" has 1 column; a multi-prediction DBM has 2 or more classes';
    expect(refusal(encodeSafetensors(one, { ...metadata, classes: '1' }))).toBe(expected);
    const { classes: _, ...rest } = metadata;
    expect(refusal(encodeSafetensors(one, rest))).toBe(expected);
  });

  it('refuses metadata "classes" that disagrees with the tensors, either way', () => {
    const { tensors, metadata } = validFile();
    expect(refusal(encodeSafetensors(tensors, { ...metadata, classes: '3' }), 'x.safetensors')).toBe('x.safetensors: metadata "classes" is "3" but the tensors have 2 classes');
    const three = { ...tensors, label_weights: f32([3, 3]), label_bias: f32([3]) };
    expect(refusal(encodeSafetensors(three, metadata))).toBe('m.safetensors: metadata "classes" is "2" but the tensors have 3 classes');
  });
});

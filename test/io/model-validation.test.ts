/**
 * Model files are validated completely before use (DESIGN.md, "Reliability contract"): nothing in a file is
 * lost or silently changed. Unit metadata is required and parsed by the unit registry, every layer has at
 * least one unit, `epochs_trained` is a count, a file holds exactly the tensors of its kind, of their shapes,
 * with finite values; every refusal is one line naming the file, with the file's text escaped.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/io/model-codec.js';
import { decodeRbm, encodeRbm } from '../../src/io/rbm-codec.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { ClassRBM } from '../../src/models/class-rbm.js';
import { DBM } from '../../src/models/dbm.js';
import { DBN } from '../../src/models/dbn.js';
import { RBM } from '../../src/models/rbm.js';
import { decodeMlp } from '../../src/nn/mlp-file.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { expectUserError } from '../data/fixtures.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const SOURCE = 'bad.safetensors';
type Tensors = Record<string, NamedTensor>;
type Metadata = Record<string, string>;

/** A float32 tensor of `shape`, zeros or `values`. */
const f32 = (shape: number[], values?: number[]): NamedTensor => ({ dtype: 'F32', shape, data: values === undefined ? new Float32Array(shape.reduce((a, b) => a * b, 1)) : Float32Array.from(values) });

const RBM_META: Metadata = { format: 'boltzmann/1', kind: 'rbm', visible: 'bernoulli', hidden: 'bernoulli' };
const rbmTensors = (nVisible: number, nHidden: number): Tensors => ({ weights: f32([nVisible, nHidden]), visible_bias: f32([nVisible]), hidden_bias: f32([nHidden]) });

const DBN_META: Metadata = { format: 'boltzmann/1', kind: 'dbn', visible: 'bernoulli', hidden: 'bernoulli' };
const dbnTensors = (sizes: number[]): Tensors =>
  Object.fromEntries(sizes.slice(1).flatMap((n, l) => [[`weights_${l}`, f32([sizes[l], n])], [`visible_bias_${l}`, f32([sizes[l]])], [`hidden_bias_${l}`, f32([n])]]));

const DBM_META: Metadata = { format: 'boltzmann/1', kind: 'dbm', visible: 'bernoulli', hidden: 'bernoulli' };
const dbmTensors = (sizes: number[]): Tensors => ({
  visible_bias_0: f32([sizes[0]]),
  ...Object.fromEntries(sizes.slice(1).flatMap((n, l) => [[`weights_${l}`, f32([sizes[l], n])], [`hidden_bias_${l}`, f32([n])]])),
});

const decode = (tensors: Tensors, metadata: Metadata) => decodeModel(engine, encodeSafetensors(tensors, metadata), SOURCE);

/** `f` throws a one-line UserError naming the file, free of control characters, that contains each of `parts`. */
function expectRefused(f: () => unknown, ...parts: string[]): void {
  const message = expectUserError(f, ...parts);
  expect(message.startsWith(`${SOURCE}: `), message).toBe(true);
  expect(message).not.toMatch(/\p{Cc}/u);
}

/** A safetensors file of header `json` and no data. */
function withHeader(json: string): Uint8Array {
  const header = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + header.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(header, 8);
  return bytes;
}

/** `bytes` re-encoded with the metadata `key` removed. */
function withoutMetadata(bytes: Uint8Array, key: string): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes, 'memory');
  const { [key]: _removed, ...rest } = metadata;
  return encodeSafetensors(tensors, rest);
}

describe('RBM files', () => {
  it('require the visible and hidden unit metadata: a Gaussian RBM without it is not read as Bernoulli', () => {
    const gaussian = encodeRbm(RBM.create(engine, { nVisible: 3, nHidden: 2, visible: 'gaussian' }));
    expectRefused(() => decodeModel(engine, withoutMetadata(gaussian, 'visible'), SOURCE), 'no metadata "visible"', 'the visible units\' type');
    expectRefused(() => decodeModel(engine, withoutMetadata(gaussian, 'hidden'), SOURCE), 'no metadata "hidden"');
  });

  it('refuse unknown unit names, naming the key, escaped', () => {
    expectRefused(() => decode(rbmTensors(3, 2), { ...RBM_META, visible: 'banana' }), 'metadata "visible"', 'unknown unit type "banana"');
    expectRefused(() => decode(rbmTensors(3, 2), { ...RBM_META, hidden: 'softmax:1' }), 'metadata "hidden"', 'K from 2 to 65536');
    expectRefused(() => decode(rbmTensors(3, 2), { ...RBM_META, hidden: '\u001b[2J' }), 'metadata "hidden"', '\\u001b[2J');
  });

  it('refuse layers of no units', () => {
    expectRefused(() => decode(rbmTensors(0, 2), RBM_META), 'tensor "weights" is [0, 2]', 'at least 1 unit');
    expectRefused(() => decode(rbmTensors(3, 0), RBM_META), 'tensor "weights" is [3, 0]', 'at least 1 unit');
  });

  it('read epochs_trained as a count, 0 when absent, and refuse anything else', () => {
    const epochs = (metadata: Metadata) => (decode(rbmTensors(3, 2), metadata).model as RBM).epochsTrained;
    expect(epochs(RBM_META)).toBe(0);
    expect(epochs({ ...RBM_META, epochs_trained: '0' })).toBe(0);
    expect(epochs({ ...RBM_META, epochs_trained: '12' })).toBe(12);
    for (const bad of ['-1', '1.5', 'abc', '', '1e3', ' 7', '0x10', '9007199254740993']) {
      expectRefused(() => decode(rbmTensors(3, 2), { ...RBM_META, epochs_trained: bad }), 'metadata "epochs_trained"', 'not a count of epochs');
    }
  });

  it('refuse tensors the model does not have: visible_log_std of Bernoulli units, a misspelt name', () => {
    expectRefused(() => decode({ ...rbmTensors(3, 2), visible_log_std: f32([3]) }, RBM_META), 'unknown tensor "visible_log_std"', 'weights, visible_bias, hidden_bias');
    expectRefused(() => decode({ ...rbmTensors(3, 2), weigths: f32([3, 2]) }, RBM_META), 'unknown tensor "weigths"');
    expectRefused(() => decode({ ...rbmTensors(3, 2), 'a\nb\u009b': f32([1]) }, RBM_META), 'unknown tensor "a\\u000ab\\u009b"');
  });

  it('refuse tensors of the wrong shape, naming the tensor', () => {
    expectRefused(() => decode({ ...rbmTensors(3, 2), visible_bias: f32([1, 3]) }, RBM_META), 'tensor "visible_bias" is [1, 3], expected [3]');
    expectRefused(() => decode({ ...rbmTensors(3, 2), hidden_bias: f32([3]) }, RBM_META), 'tensor "hidden_bias" is [3], expected [2]');
    expectRefused(() => decode({ ...rbmTensors(3, 2), weights: f32([6]) }, RBM_META), 'tensor "weights" is [6], expected 2-D');
    const gaussian = { ...RBM_META, visible: 'gaussian' };
    expectRefused(() => decode({ ...rbmTensors(3, 2), visible_log_std: f32([2]) }, gaussian), 'tensor "visible_log_std" is [2], expected [3]');
  });

  it('refuse NaN and infinite values (float64 beyond float32 included), and integer tensors, naming the tensor', () => {
    expectRefused(() => decode({ ...rbmTensors(3, 2), hidden_bias: f32([2], [0, NaN]) }, RBM_META), 'tensor "hidden_bias" holds NaN or infinite values');
    const huge: NamedTensor = { dtype: 'F64', shape: [3], data: Float64Array.of(0, 1e300, 0) };
    expectRefused(() => decode({ ...rbmTensors(3, 2), visible_bias: huge }, RBM_META), 'tensor "visible_bias" holds NaN or infinite values');
    const ints: NamedTensor = { dtype: 'I32', shape: [2], data: new Int32Array(2) };
    expectRefused(() => decode({ ...rbmTensors(3, 2), hidden_bias: ints }, RBM_META), 'tensor "hidden_bias" is I32, expected F32 or F64');
  });

  it('are read by decodeRbm only when their kind is rbm, or absent', () => {
    expect(expectUserError(() => decodeRbm(engine, encodeSafetensors(dbnTensors([3, 2, 2]), DBN_META), SOURCE))).toBe(`${SOURCE}: a "dbn" model, not an RBM`);
    const { kind: _kind, ...noKind } = RBM_META;
    const { model } = decodeModel(engine, encodeSafetensors(rbmTensors(3, 2), noKind), SOURCE);
    expect(model).toBeInstanceOf(RBM);
    expect([(model as RBM).nVisible, (model as RBM).nHidden]).toEqual([3, 2]);
  });

  it('name the tensors of the units in the message about an unknown one', () => {
    const bernoulli = expectUserError(() => decode({ ...rbmTensors(3, 2), visible_log_std: f32([3]) }, RBM_META));
    expect(bernoulli).toBe(`${SOURCE}: unknown tensor "visible_log_std" (an RBM file of bernoulli visible units has weights, visible_bias, hidden_bias)`);
    const gaussian = expectUserError(() => decode({ ...rbmTensors(3, 2), visible_log_std: f32([3]), extra: f32([1]) }, { ...RBM_META, visible: 'gaussian' }));
    expect(gaussian).toBe(`${SOURCE}: unknown tensor "extra" (an RBM file of gaussian visible units has weights, visible_bias, hidden_bias, visible_log_std)`);
  });

  it('refuse a layer of grouped units that is not whole groups, and read one that is', () => {
    const softmax = (visible: string, hidden: string) => ({ ...RBM_META, visible, hidden });
    expect(expectUserError(() => decode(rbmTensors(3, 4), softmax('softmax:2', 'bernoulli')))).toBe(`${SOURCE}: 3 visible units are not groups of 2 (softmax:2)`);
    expect(expectUserError(() => decode(rbmTensors(4, 4), softmax('bernoulli', 'softmax:3')))).toBe(`${SOURCE}: 4 hidden units are not groups of 3 (softmax:3)`);
    const { model } = decode(rbmTensors(4, 6), softmax('softmax:2', 'softmax:3'));
    expect([(model as RBM).visible.name, (model as RBM).hidden.name]).toEqual(['softmax:2', 'softmax:3']);
  });

  it('read a file of the contract, with float64 tensors converted', () => {
    const w: NamedTensor = { dtype: 'F64', shape: [3, 2], data: Float64Array.of(0.5, -1, 2, 0, 0.25, 3) };
    const { model } = decode({ ...rbmTensors(3, 2), weights: w }, { ...RBM_META, epochs_trained: '3' });
    expect(Array.from((model as RBM).params.weights)).toEqual([0.5, -1, 2, 0, 0.25, 3]);
  });
});

describe('DBN files', () => {
  it('require Bernoulli unit metadata, parsed by the unit registry', () => {
    const bytes = encodeSafetensors(dbnTensors([3, 2, 2]), DBN_META);
    expectRefused(() => decodeModel(engine, withoutMetadata(bytes, 'visible'), SOURCE), 'no metadata "visible"');
    expectRefused(() => decode(dbnTensors([3, 2, 2]), { ...DBN_META, hidden: 'banana' }), 'metadata "hidden"', 'unknown unit type "banana"');
    expectRefused(() => decode(dbnTensors([3, 2, 2]), { ...DBN_META, visible: 'gaussian' }), 'metadata "visible" is "gaussian"', 'a DBN has Bernoulli units');
  });

  it('refuse layers of no units, unknown tensors and tensors of the wrong shape', () => {
    expectRefused(() => decode(dbnTensors([3, 0, 2]), DBN_META), 'tensor "weights_0" is [3, 0]', 'at least 1 unit');
    expectRefused(() => decode({ ...dbnTensors([3, 2, 2]), visible_log_std: f32([3]) }, DBN_META), 'unknown tensor "visible_log_std"');
    expectRefused(() => decode({ ...dbnTensors([3, 2, 2]), hidden_bias_2: f32([2]) }, DBN_META), 'unknown tensor "hidden_bias_2"');
    expectRefused(() => decode({ ...dbnTensors([3, 2, 2]), visible_bias_1: f32([1, 2]) }, DBN_META), 'tensor "visible_bias_1" is [1, 2], expected [2]');
    expectRefused(() => decode({ ...dbnTensors([3, 2, 2]), hidden_bias_1: f32([2], [Infinity, 0]) }, DBN_META), 'tensor "hidden_bias_1" holds NaN or infinite values');
  });

  it('refuse a layers metadata that the tensors contradict', () => {
    expect((decode(dbnTensors([3, 2, 2]), { ...DBN_META, layers: '[3,2,2]' }).model as DBN).sizes).toEqual([3, 2, 2]);
    expectRefused(() => decode(dbnTensors([3, 2, 2]), { ...DBN_META, layers: '[3,2,2,5]' }), 'metadata "layers" is "[3,2,2,5]"', 'the tensors\' layers are [3,2,2]');
    expectRefused(() => decode(dbmTensors([3, 2, 2]), { ...DBM_META, layers: '[3,4,2]' }), 'metadata "layers" is "[3,4,2]"');
  });

  it('read epochs_trained as one count per RBM, zeros when absent, and refuse anything else', () => {
    const epochs = (metadata: Metadata) => (decode(dbnTensors([3, 2, 2]), metadata).model as DBN).rbms.map((r) => r.epochsTrained);
    expect(epochs(DBN_META)).toEqual([0, 0]);
    expect(epochs({ ...DBN_META, epochs_trained: '[4,5]' })).toEqual([4, 5]);
    for (const bad of ['[1]', '[1,2,3]', '[-1,0]', '[1.5,0]', '["1",0]', 'x', '3']) {
      expectRefused(() => decode(dbnTensors([3, 2, 2]), { ...DBN_META, epochs_trained: bad }), 'metadata "epochs_trained"', 'a JSON list of counts, one per RBM (2)');
    }
  });
});

describe('DBM files', () => {
  it('require Bernoulli unit metadata, parsed by the unit registry', () => {
    expectRefused(() => decode(dbmTensors([3, 2, 2]), { ...DBM_META, visible: 'banana' }), 'metadata "visible"', 'unknown unit type "banana"');
    expectRefused(() => decode(dbmTensors([3, 2, 2]), { ...DBM_META, hidden: 'gaussian' }), 'metadata "hidden" is "gaussian"', 'a DBM has Bernoulli units');
    const { hidden: _h, ...noHidden } = DBM_META;
    expectRefused(() => decode(dbmTensors([3, 2, 2]), noHidden), 'no metadata "hidden"');
  });

  it('refuse layers of no units, unknown tensors and non-finite values, naming the tensor', () => {
    expectRefused(() => decode(dbmTensors([3, 0, 2]), DBM_META), 'tensor "weights_0" is [3, 0]', 'at least 1 unit');
    expectRefused(() => decode({ ...dbmTensors([3, 2, 2]), visible_bias_1: f32([2]) }, DBM_META), 'unknown tensor "visible_bias_1"');
    expectRefused(() => decode({ ...dbmTensors([3, 2, 2]), hidden_bias_0: f32([1, 2]) }, DBM_META), 'tensor "hidden_bias_0" is [1, 2], expected [2]');
    expectRefused(() => decode({ ...dbmTensors([3, 2, 2]), weights_1: f32([2, 2], [0, NaN, 0, 0]) }, DBM_META), 'tensor "weights_1" holds NaN or infinite values');
  });

  it('refuse fewer than two weight matrices, counting those found', () => {
    expect(expectUserError(() => decode(dbmTensors([3, 2]), DBM_META))).toBe(`${SOURCE}: a DBM file has weights_0, weights_1, ... (2 or more), found 1`);
    expect(expectUserError(() => decode(dbmTensors([3]), DBM_META))).toBe(`${SOURCE}: a DBM file has weights_0, weights_1, ... (2 or more), found 0`);
  });

  it('read epochs_trained as a count and refuse anything else', () => {
    expect((decode(dbmTensors([3, 2, 2]), { ...DBM_META, epochs_trained: '6' }).model as DBM).epochsTrained).toBe(6);
    expectRefused(() => decode(dbmTensors([3, 2, 2]), { ...DBM_META, epochs_trained: '-3' }), 'metadata "epochs_trained" is "-3"', 'not a count of epochs');
  });
});

const CLASS_RBM_META: Metadata = { ...RBM_META, kind: 'class-rbm', classes: '3' };
const classRbmTensors = (nVisible: number, nHidden: number, nClasses: number): Tensors => ({
  ...rbmTensors(nVisible, nHidden),
  label_weights: f32([nHidden, nClasses]),
  label_bias: f32([nClasses]),
});

describe('classification RBM files', () => {
  it('read the RBM and the label layer, with its classes', () => {
    const { model } = decode(classRbmTensors(4, 2, 3), CLASS_RBM_META);
    expect(model).toBeInstanceOf(ClassRBM);
    expect([model.nVisible, (model as ClassRBM).nHidden, (model as ClassRBM).nClasses]).toEqual([4, 2, 3]);
  });

  it('check the RBM part as an RBM file, naming the label tensors among those it may hold', () => {
    expectRefused(() => decode(classRbmTensors(4, 2, 3), { ...CLASS_RBM_META, visible: 'banana' }), 'metadata "visible"', 'unknown unit type "banana"');
    expectRefused(() => decode({ ...classRbmTensors(4, 2, 3), extra: f32([1]) }, CLASS_RBM_META), 'unknown tensor "extra"', 'has weights, visible_bias, hidden_bias, label_weights, label_bias');
  });

  it('refuse label weights that do not fit the hidden layer, fewer than 2 classes, a missing label bias and a classes metadata the tensors contradict', () => {
    expectRefused(() => decode({ ...classRbmTensors(4, 2, 3), label_weights: f32([3, 3]) }, CLASS_RBM_META), 'tensor "label_weights" has 3 rows but the model has 2 hidden units');
    expectRefused(() => decode(classRbmTensors(4, 2, 1), { ...CLASS_RBM_META, classes: '1' }), 'tensor "label_weights" has 1 column; a classification RBM has 2 or more classes');
    const { label_bias: _bias, ...noBias } = classRbmTensors(4, 2, 3);
    expectRefused(() => decode(noBias, CLASS_RBM_META), 'label_bias');
    expectRefused(() => decode({ ...classRbmTensors(4, 2, 3), label_bias: f32([2]) }, CLASS_RBM_META), 'tensor "label_bias" is [2], expected [3]');
    expectRefused(() => decode(classRbmTensors(4, 2, 3), { ...CLASS_RBM_META, classes: '4' }), 'metadata "classes" is "4" but the tensors have 3 classes');
    expectRefused(() => decode({ ...classRbmTensors(4, 2, 3), label_weights: f32([2, 3], [0, 0, Infinity, 0, 0, 0]) }, CLASS_RBM_META), 'tensor "label_weights" holds NaN or infinite values');
  });
});

describe('MLP files', () => {
  const MLP_META: Metadata = { format: 'boltzmann/1', kind: 'mlp', activations: '["sigmoid"]' };
  const layer = (nIn: number, nOut: number, i: number): Tensors => ({ [`weights_${i}`]: f32([nIn, nOut]), [`bias_${i}`]: f32([nOut]) });
  const decodeMlpOf = (tensors: Tensors, metadata: Metadata) => decodeMlp(engine, encodeSafetensors(tensors, metadata), SOURCE);

  it('refuse the tensors of a layer that the activations do not list (they would be lost)', () => {
    expectRefused(() => decodeMlpOf({ ...layer(3, 2, 0), ...layer(2, 2, 1) }, MLP_META), 'unknown tensor "bias_1"', 'per layer of its activations (1)');
  });

  it('refuse a sizes metadata that the tensors contradict', () => {
    expectRefused(() => decodeMlpOf(layer(3, 2, 0), { ...MLP_META, sizes: '[3,4]' }), 'metadata "sizes" is "[3,4]"', 'the tensors\' layers are [3,2]');
  });

  it('refuse layers of no units, and non-finite values naming the tensor', () => {
    expectRefused(() => decodeMlpOf(layer(3, 0, 0), MLP_META), 'tensor "weights_0" is [3, 0]', 'at least 1 unit');
    expectRefused(() => decodeMlpOf({ ...layer(3, 2, 0), bias_0: f32([2], [NaN, 0]) }, MLP_META), 'tensor "bias_0" holds NaN or infinite values');
    expectRefused(() => decodeMlpOf({ ...layer(3, 2, 0), bias_0: f32([3]) }, MLP_META), 'tensor "bias_0" is [3], expected [2]');
  });
});

describe('text from a model file in messages', () => {
  it('is escaped: a kind, a format and a tensor name with control characters', () => {
    expectRefused(() => decode(rbmTensors(3, 2), { ...RBM_META, kind: '\u001b]0;x\u0007' }), '"\\u001b]0;x\\u0007" model');
    expectRefused(() => decode(rbmTensors(3, 2), { ...RBM_META, format: 'v\r2' }), 'model format "v\\u000d2"');
    const strange = JSON.stringify({ '\u001b[31m': { dtype: 'X9', shape: [], data_offsets: [0, 0] } });
    expectRefused(() => decodeSafetensors(withHeader(strange), SOURCE), 'tensor "\\u001b[31m"', 'unsupported dtype "X9"');
    expectRefused(() => decodeSafetensors(withHeader('{"__metadata__":{"\u009b":1}}'), SOURCE), 'metadata "\\u009b" is not a string');
    expectRefused(() => decodeSafetensors(withHeader('{"a":\u001b[2J}'), SOURCE), 'header is not valid JSON', '\\u001b');
  });
});

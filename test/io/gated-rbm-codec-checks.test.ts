/**
 * The refusals of gated RBM files (io/gated-rbm-codec.ts), each a one-line UserError naming the file: grouped
 * units (softmax:K) whose layer is not whole groups of K, on the outputs or the mapping units; a file of
 * another kind opened as a gated RBM; a missing tensor, the message listing the five tensors the file must have.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { decodeModel, decodeModelOf, encodeModel } from '../../src/io/model-codec.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { GatedRBM } from '../../src/models/gated-rbm.js';
import { RBM } from '../../src/models/rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const f32 = (shape: number[]) => ({ dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

/** The tensors of a gated RBM of 2 inputs, `nOutput` outputs, `nHidden` mapping units and 3 factors. */
const tensorsOf = (nOutput: number, nHidden: number) => ({
  input_factors: f32([2, 3]),
  output_factors: f32([nOutput, 3]),
  hidden_factors: f32([nHidden, 3]),
  output_bias: f32([nOutput]),
  hidden_bias: f32([nHidden]),
});
const meta = { format: 'boltzmann/1', kind: 'gated-rbm', visible: 'bernoulli', hidden: 'bernoulli' };

/** The UserError of decoding `bytes` as `source`: its one-line message. */
function refusal(bytes: Uint8Array, source = 'g.safetensors'): string {
  let caught: unknown;
  try {
    decodeModel(engine, bytes, source);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UserError);
  const message = (caught as UserError).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('gated RBM files of grouped units', () => {
  it('reads whole groups: 6 mapping units of softmax:3, 6 outputs of softmax:2', () => {
    const { model } = decodeModel(engine, encodeSafetensors(tensorsOf(6, 6), { ...meta, visible: 'softmax:2', hidden: 'softmax:3' }), 'g.safetensors');
    expect(model.kind).toBe('gated-rbm');
    const gated = model as GatedRBM;
    expect([gated.shape.output.name, gated.shape.hidden.name, gated.shape.nHidden]).toEqual(['softmax:2', 'softmax:3', 6]);
  });

  it('refuses 4 mapping units of softmax:3, naming the file, the layer and the groups', () => {
    expect(refusal(encodeSafetensors(tensorsOf(2, 4), { ...meta, hidden: 'softmax:3' }))).toBe('g.safetensors: 4 hidden units are not groups of 3 (softmax:3)');
  });

  it('refuses 4 outputs of softmax:3 the same way', () => {
    expect(refusal(encodeSafetensors(tensorsOf(4, 3), { ...meta, visible: 'softmax:3' }), 'o.safetensors')).toBe('o.safetensors: 4 output units are not groups of 3 (softmax:3)');
  });
});

describe('other refusals of gated RBM files', () => {
  it('refuses an RBM file opened as a gated RBM, naming what was asked for', () => {
    const rbm = RBM.create(engine, { nVisible: 3, nHidden: 2 });
    let caught: unknown;
    try {
      decodeModelOf(engine, encodeModel(rbm), 'r.safetensors', 'gated-rbm');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toBe('r.safetensors: a "rbm" model, not a gated RBM');
  });

  it('refuses a file without its hidden bias, listing the tensors a gated RBM file has', () => {
    const { hidden_bias: _, ...tensors } = tensorsOf(2, 2);
    expect(refusal(encodeSafetensors(tensors, meta))).toBe('g.safetensors: no tensor "hidden_bias" (a gated RBM file has input_factors, output_factors, hidden_factors, output_bias, hidden_bias)');
  });

  it('refuses an unknown tensor with the same list', () => {
    expect(refusal(encodeSafetensors({ ...tensorsOf(2, 2), visible_bias: f32([2]) }, meta))).toBe(
      'g.safetensors: unknown tensor "visible_bias" (a gated RBM file has input_factors, output_factors, hidden_factors, output_bias, hidden_bias)',
    );
  });
});

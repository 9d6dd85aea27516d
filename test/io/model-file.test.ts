/**
 * The model-file contract (DESIGN.md): an RBM written by Python with numpy under the contract's names loads
 * and computes what numpy computes; ours load in Python and give the free energies we give. Needs python3
 * with numpy for the exchange tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadRbm, saveModel } from '../../src/io/model-file.js';
import { decodeRbm, encodeRbm } from '../../src/io/rbm-codec.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { RBM } from '../../src/models/rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import { expectAllClose } from '../helpers/reference.js';
import { numpyPython, python } from '../helpers/python.js';

const engine = createNodeEngine({ threads: 1 });
const dir = mkdtempSync(join(tmpdir(), 'boltzmann-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const visible = matrix(Float32Array.of(1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0), 3, 5);

describe('model files', () => {
  it('round-trip an RBM exactly, with its metadata', () => {
    const rbm = RBM.create(engine, { nVisible: 5, nHidden: 3, seed: 4, weightScale: 0.3 });
    rbm.params.visibleBias.set([0.1, -0.2, 0.3, -0.4, 0.5]);
    rbm.epochsTrained = 7;
    const { rbm: back, metadata } = decodeRbm(engine, encodeRbm(rbm, { seed: '4' }), 'memory');
    expect(back.params).toEqual(rbm.params);
    expect([back.nVisible, back.nHidden, back.epochsTrained]).toEqual([5, 3, 7]);
    expect(metadata).toMatchObject({ format: 'boltzmann/1', kind: 'rbm', visible: 'bernoulli', hidden: 'bernoulli', seed: '4' });
  });

  it('reject files that are not RBMs of the contract, naming the file', () => {
    const f32 = (...shape: number[]) => ({ dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const units = { visible: 'bernoulli', hidden: 'bernoulli' };
    const cases: [Uint8Array, RegExp][] = [
      [encodeSafetensors({ weights: f32(2, 3), visible_bias: f32(2) }, units), /no tensor "hidden_bias"/],
      [encodeSafetensors({ weights: f32(2, 3), visible_bias: f32(3), hidden_bias: f32(3) }, units), /tensor "visible_bias" is \[3\], expected \[2\]/],
      [encodeSafetensors({ weights: f32(2, 3), visible_bias: f32(2), hidden_bias: f32(3) }, { ...units, format: 'other/9' }), /format "other\/9"/],
      [encodeSafetensors({ weights: f32(2, 3), visible_bias: f32(2), hidden_bias: f32(3) }, { ...units, visible: 'quantum' }), /metadata "visible": unknown unit type "quantum"/],
      [encodeSafetensors({ weights: f32(2, 3), visible_bias: f32(2), hidden_bias: f32(3) }), /no metadata "visible"/],
      [encodeSafetensors({ weights: f32(6), visible_bias: f32(2), hidden_bias: f32(3) }, units), /tensor "weights" is \[6\], expected 2-D/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => decodeRbm(engine, bytes, 'bad.safetensors')).toThrow(UserError);
      expect(() => decodeRbm(engine, bytes, 'bad.safetensors')).toThrow(message);
      expect(() => decodeRbm(engine, bytes, 'bad.safetensors')).toThrow(/^bad\.safetensors: /);
    }
  });

  it('a missing file is a UserError naming it', async () => {
    await expect(loadRbm(engine, join(dir, 'absent.safetensors'))).rejects.toThrow(/absent\.safetensors: cannot read the model file \(ENOENT\)/);
  });

  it.skipIf(numpyPython === undefined)('load an RBM that Python wrote with numpy, and compute the features numpy computes', async () => {
    const path = join(dir, 'from-python.safetensors');
    const features = python(
      `
import json, struct, sys
import numpy as np
rng = np.random.default_rng(0)
W = rng.normal(0, 0.5, (5, 3)).astype(np.float32)
a = rng.normal(0, 0.5, 5).astype(np.float32)
b = rng.normal(0, 0.5, 3).astype(np.float32)
header = {'__metadata__': {'format': 'boltzmann/1', 'kind': 'rbm', 'visible': 'bernoulli', 'hidden': 'bernoulli'}}
data = b''
for name, t in [('weights', W), ('visible_bias', a), ('hidden_bias', b)]:
    raw = t.astype('<f4').tobytes()
    header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode()
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(text)) + text + data)
v = np.array(json.loads(sys.argv[2]), dtype=np.float64).reshape(3, 5)
print(json.dumps((1 / (1 + np.exp(-(v @ W + b)))).ravel().tolist()))
`,
      path,
      JSON.stringify(Array.from(visible.data)),
    );
    const { rbm } = await loadRbm(engine, path);
    expectAllClose((await rbm.transform(visible)).data, JSON.parse(features) as number[], { atol: 1e-6 });
  });

  it.skipIf(numpyPython === undefined)('write an RBM that Python reads with numpy and gets the same free energies', async () => {
    const rbm = RBM.create(engine, { nVisible: 5, nHidden: 3, seed: 9, weightScale: 0.5 });
    rbm.params.hiddenBias.set([0.5, -1, 2]);
    const path = join(dir, 'to-python.safetensors');
    await saveModel(path, rbm, { seed: '9' });
    const out = python(
      `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__')
t = {k: np.frombuffer(raw[8 + n + i['data_offsets'][0]:8 + n + i['data_offsets'][1]], dtype='<f4').reshape(i['shape']).astype(np.float64) for k, i in header.items()}
v = np.array(json.loads(sys.argv[2]), dtype=np.float64).reshape(3, 5)
F = -(v @ t['visible_bias']) - np.logaddexp(0, v @ t['weights'] + t['hidden_bias']).sum(axis=1)
print(json.dumps({'meta': meta, 'shape': header['weights']['shape'], 'F': F.tolist()}))
`,
      path,
      JSON.stringify(Array.from(visible.data)),
    );
    const parsed = JSON.parse(out) as { meta: Record<string, string>; shape: number[]; F: number[] };
    expect(parsed.meta).toMatchObject({ format: 'boltzmann/1', kind: 'rbm', visible: 'bernoulli', hidden: 'bernoulli', seed: '9' });
    expect(parsed.shape).toEqual([5, 3]);
    expectAllClose(await rbm.freeEnergy(visible), parsed.F, { atol: 1e-5 });
  });
});


/**
 * Model files exchanged with Python (the model-file contract in DESIGN.md): files written by hand with
 * numpy + json + struct must decode to the same numbers, and Python must parse ours. Needs python3 with numpy.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic-write.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { numpyPython, python, pythonSkipNote } from '../helpers/python.js';

/** Writes an RBM model file with numpy, json and struct only; no padding, so the data is unaligned. */
const WRITE_RBM = `
import json, struct, sys
import numpy as np
weights = ((np.arange(12, dtype=np.float32) - 5.5) / 4).reshape(3, 4)
tensors = {
    'weights': weights,
    'visible_bias': np.array([0.1, -0.2, 0.3], dtype=np.float32),
    'hidden_bias': np.array([1e-3, -1e3, 3.5, 0.0], dtype=np.float32),
}
header = {'__metadata__': {'format': 'boltzmann/1', 'kind': 'rbm', 'visible': 'bernoulli', 'hidden': 'bernoulli'}}
data = b''
for name, t in tensors.items():
    raw = t.astype('<f4').tobytes()
    header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode('utf-8')
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<Q', len(text)) + text + data)
print(len(text))
`;

/** Parses a safetensors file with struct, json and numpy.frombuffer; prints what it found as JSON. */
const READ_ANY = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
text = raw[8:8 + n].decode('utf-8')
header = json.loads(text)
metadata = header.pop('__metadata__', {})
base = 8 + n
dtypes = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4', 'I64': '<i8', 'U8': 'u1'}
tensors = {}
end = 0
for name, info in header.items():
    b, e = info['data_offsets']
    end = max(end, e)
    a = np.frombuffer(raw[base + b:base + e], dtype=dtypes[info['dtype']]).reshape(info['shape'])
    tensors[name] = {'dtype': info['dtype'], 'shape': list(a.shape), 'offsets': [b, e],
                     'values': a.ravel().astype(np.float64).tolist()}
w = np.frombuffer(raw[base + header['weights']['data_offsets'][0]:], dtype='<f4', count=12).reshape(3, 4)
print(json.dumps({'n': n, 'padding': len(text) - len(text.rstrip(' ')), 'covers_file': base + end == len(raw),
                  'metadata': metadata, 'tensors': tensors, 'weights_column_sums': w.sum(axis=0).tolist()}))
`;

interface PythonView {
  n: number;
  padding: number;
  covers_file: boolean;
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; offsets: [number, number]; values: number[] }>;
  weights_column_sums: number[];
}

describe('safetensors files exchanged with Python (numpy + json + struct)' + pythonSkipNote, () => {
  const dir = mkdtempSync(join(tmpdir(), 'boltzmann-io-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(numpyPython === undefined)('decodes an RBM model file written by Python to the same numbers', () => {
    const path = join(dir, 'from-python.safetensors');
    const headerLength = Number(python(WRITE_RBM, path));
    expect(headerLength % 4).not.toBe(0); // json.dumps does not pad: our reader must cope with unaligned data
    const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
    expect(metadata).toEqual({ format: 'boltzmann/1', kind: 'rbm', visible: 'bernoulli', hidden: 'bernoulli' });
    expect(tensors.weights.dtype).toBe('F32');
    expect(tensors.weights.shape).toEqual([3, 4]);
    const quarters = [-5.5, -4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5].map((x) => x / 4);
    expect([...tensors.weights.data]).toEqual(quarters);
    expect(tensors.visible_bias.shape).toEqual([3]);
    expect([...tensors.visible_bias.data]).toEqual([0.1, -0.2, 0.3].map(Math.fround));
    expect(tensors.hidden_bias.shape).toEqual([4]);
    expect([...tensors.hidden_bias.data]).toEqual([1e-3, -1e3, 3.5, 0].map(Math.fround));
  });

  it.skipIf(numpyPython === undefined)('writes an RBM model file that Python parses to the same numbers', async () => {
    const nVisible = 3;
    const nHidden = 4;
    const weights = Float32Array.from({ length: nVisible * nHidden }, (_, i) => Math.fround((i - 5) / 3));
    const visibleBias = new Float32Array([0.1, -0.2, 0.3]);
    const hiddenBias = new Float32Array([1e-3, -1e3, 3.5, 0]);
    const metadata = { format: 'boltzmann/1', kind: 'rbm', visible: 'bernoulli', hidden: 'bernoulli', seed: '7' };
    const path = join(dir, 'from-ts.safetensors');
    await writeFileAtomic(
      path,
      encodeSafetensors(
        {
          weights: { dtype: 'F32', shape: [nVisible, nHidden], data: weights },
          visible_bias: { dtype: 'F32', shape: [nVisible], data: visibleBias },
          hidden_bias: { dtype: 'F32', shape: [nHidden], data: hiddenBias },
        },
        metadata,
      ),
    );
    const view = JSON.parse(python(READ_ANY, path)) as PythonView;
    expect(view.n % 8).toBe(0);
    expect(view.padding).toBeLessThan(8);
    expect(view.covers_file).toBe(true);
    expect(view.metadata).toEqual(metadata);
    expect(view.tensors.weights).toMatchObject({ dtype: 'F32', shape: [3, 4], values: [...weights] });
    expect(view.tensors.visible_bias).toMatchObject({ dtype: 'F32', shape: [3], values: [...visibleBias] });
    expect(view.tensors.hidden_bias).toMatchObject({ dtype: 'F32', shape: [4], values: [...hiddenBias] });
    // Column sums of W computed by numpy in float32, against the same sums rounded to float32 step by step here.
    const sums = [0, 1, 2, 3].map((j) => [0, 1, 2].reduce((s, i) => Math.fround(s + weights[i * nHidden + j]), 0));
    expect(view.weights_column_sums).toEqual(sums);
  });
});

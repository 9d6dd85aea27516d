/**
 * Gradients of composite graphs against float64 finite differences: an MLP's softmax cross-entropy (every
 * activation), a loss reusing values along several paths, and the RBM free energy (float32: Softplus) against
 * its closed-form derivative.
 */
import { afterAll, describe, it } from 'vitest';
import { gradients } from '../../src/autodiff/index.js';
import { Graph } from '../../src/graph/graph.js';
import * as op from '../../src/graph/ops/index.js';
import { freeEnergy, parameterInputs } from '../../src/models/rbm-graph.js';
import { dense, softmaxCrossEntropy, type Activation } from '../../src/nn/layers.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { bernoulli } from '../../src/units/index.js';
import { expectAllClose, randomFloat32, seededRandom } from '../helpers/reference.js';
import { checkGradients } from './grad-check.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('composite graphs', () => {
  for (const activations of [['sigmoid', 'tanh'], ['relu', 'sigmoid']] as [Activation, Activation][]) {
    it(`an MLP 5-4-3-3 (${activations.join(', ')}) with softmax cross-entropy, w.r.t. every parameter and the input`, async () => {
      const onehot = [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1];
      await checkGradients(
        engine,
        ([x, w0, b0, w1, b1, w2, b2], g) => {
          const h = dense(dense(x, w0, b0, activations[0]), w1, b1, activations[1]);
          return softmaxCrossEntropy(dense(h, w2, b2), g.constant(onehot, 'float64', [4, 3]));
        },
        [
          { name: 'x', dims: [4, 5] },
          { name: 'w0', dims: [5, 4] },
          { name: 'b0', dims: [4] },
          { name: 'w1', dims: [4, 3] },
          { name: 'b1', dims: [3] },
          { name: 'w2', dims: [3, 3] },
          { name: 'b2', dims: [3] },
        ],
      );
    });
  }

  it('a loss reaching its inputs along several paths (a tied autoencoder with a weight penalty)', async () => {
    await checkGradients(
      engine,
      ([x, w, b, c]) => {
        const h = op.sigmoid(op.gemm(x, w, b));
        const r = op.sigmoid(op.gemm(h, w, c, { transB: true }));
        const error = op.reduceMean(op.reduceSum(op.square(op.sub(r, x)), [1]), [0]);
        return op.add(error, op.mul(op.reduceSum(op.square(w), [0, 1]), 0.01));
      },
      [
        { name: 'x', dims: [3, 4], lo: 0, hi: 1 },
        { name: 'w', dims: [4, 2] },
        { name: 'b', dims: [2] },
        { name: 'c', dims: [4] },
      ],
    );
  });

  it('the RBM free energy: dF/dW = -v sigmoid(b + v W)^T, dF/da = -v, dF/db = -sigmoid(b + v W)', async () => {
    const [rows, nV, nH] = [6, 5, 4];
    const rand = seededRandom(5);
    const w = randomFloat32(nV * nH, rand);
    const a = randomFloat32(nV, rand);
    const b = randomFloat32(nH, rand);
    const v = Float32Array.from({ length: rows * nV }, () => (rand() < 0.5 ? 1 : 0));
    const g = new Graph('free-energy-gradient');
    const rbm = parameterInputs(g, nV, nH, { visible: bernoulli, hidden: bernoulli });
    const vIn = g.input('v', 'float32', [rows, nV]);
    const grads = gradients(op.reduceSum(freeEnergy(rbm, vIn), [0]), [rbm.weights, rbm.visibleBias, rbm.hiddenBias]);
    ['gw', 'ga', 'gb'].forEach((name, i) => g.output(name, grads[i]));
    const out = await (await engine.compile(g)).run({
      weights: engine.float32(w, [nV, nH]),
      visible_bias: engine.float32(a, [nV]),
      hidden_bias: engine.float32(b, [nH]),
      v: engine.float32(v, [rows, nV]),
    });
    const gw = new Float64Array(nV * nH);
    const ga = new Float64Array(nV);
    const gb = new Float64Array(nH);
    for (let r = 0; r < rows; r++) {
      for (let mu = 0; mu < nH; mu++) {
        let field = b[mu];
        for (let i = 0; i < nV; i++) field += v[r * nV + i] * w[i * nH + mu];
        const p = 1 / (1 + Math.exp(-field));
        gb[mu] -= p;
        for (let i = 0; i < nV; i++) gw[i * nH + mu] -= v[r * nV + i] * p;
      }
      for (let i = 0; i < nV; i++) ga[i] -= v[r * nV + i];
    }
    expectAllClose(out.gw.data as Float32Array, gw, { rtol: 1e-5, atol: 1e-6 }, 'dF/dW');
    expectAllClose(out.ga.data as Float32Array, ga, { rtol: 1e-6, atol: 1e-6 }, 'dF/da');
    expectAllClose(out.gb.data as Float32Array, gb, { rtol: 1e-5, atol: 1e-6 }, 'dF/db');
  });
});

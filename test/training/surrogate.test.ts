/**
 * The contrastive surrogate loss: its autodiff gradient for a Bernoulli RBM equals the closed-form CD
 * statistics, both of a float64 reference and of the CD/PCD training step graph (src/training/step-graph.ts).
 */
import { afterAll, describe, it } from 'vitest';
import { gradients } from '../../src/autodiff/index.js';
import { Graph } from '../../src/graph/graph.js';
import { freeEnergy, parameterInputs, visibleField } from '../../src/models/rbm-graph.js';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import type { TensorMap } from '../../src/runtime/engine.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { nextName } from '../../src/graph/state.js';
import { stepNames } from '../../src/training/step-names.js';
import { contrastiveSurrogate } from '../../src/training/surrogate.js';
import { bernoulli } from '../../src/units/index.js';
import { expectAllClose } from '../helpers/reference.js';
import { hiddenMeanOf, type SmallRbm } from '../reference/rbm-exact.js';
import { runStep } from '../helpers/step-feeds.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const [nVisible, nHidden] = [7, 5];

function randomRbm(seed: number): RBM {
  const rng = new RandomStream(seed);
  const rbm = RBM.create(engine, { nVisible, nHidden, seed, weightScale: 0.7 });
  for (let i = 0; i < nVisible; i++) rbm.params.visibleBias[i] = 0.5 * rng.normal();
  for (let mu = 0; mu < nHidden; mu++) rbm.params.hiddenBias[mu] = 0.5 * rng.normal();
  return rbm;
}

function randomBinary(rows: number, seed: number): Matrix {
  const rng = new RandomStream(seed);
  return matrix(Float32Array.from({ length: rows * nVisible }, () => (rng.uniform() < 0.4 ? 1 : 0)), rows, nVisible);
}

/** CD statistics in float64: <v h^T>, <v>, <E[h|v]> over the rows of v, with h at its conditional mean. */
function statistics(rbm: SmallRbm, v: Matrix): { weights: Float64Array; visibleBias: Float64Array; hiddenBias: Float64Array } {
  const s = { weights: new Float64Array(nVisible * nHidden), visibleBias: new Float64Array(nVisible), hiddenBias: new Float64Array(nHidden) };
  for (let r = 0; r < v.rows; r++) {
    const row = v.data.subarray(r * nVisible, (r + 1) * nVisible);
    const h = hiddenMeanOf(rbm, row);
    for (let i = 0; i < nVisible; i++) {
      s.visibleBias[i] += row[i] / v.rows;
      for (let mu = 0; mu < nHidden; mu++) s.weights[i * nHidden + mu] += (row[i] * h[mu]) / v.rows;
    }
    for (let mu = 0; mu < nHidden; mu++) s.hiddenBias[mu] += h[mu] / v.rows;
  }
  return s;
}

/** The surrogate's gradients w.r.t. the parameters, for v_data and v_model (fed, or computed in the graph). */
async function surrogateGradients(rbm: RBM, data: Matrix, model: Matrix, modelAsMeans = false): Promise<Record<string, Float32Array>> {
  const g = new Graph('surrogate');
  const params = parameterInputs(g, nVisible, nHidden, { visible: bernoulli, hidden: bernoulli });
  const vData = g.input('v_data', 'float32', [data.rows, nVisible]);
  const fed = g.input('v_model', 'float32', [model.rows, model.cols]);
  // As means E[v | h] the model side depends on the weights: the surrogate must still not differentiate it.
  const vModel = modelAsMeans ? bernoulli.mean(visibleField(params, fed)) : fed;
  const loss = contrastiveSurrogate((v) => freeEnergy(params, v), vData, vModel);
  const grads = gradients(loss, [params.weights, params.visibleBias, params.hiddenBias]);
  ['weights', 'visibleBias', 'hiddenBias'].forEach((name, i) => g.output(`grad_${name}`, grads[i]));
  const feeds: TensorMap = {
    ...rbm.parameterFeeds(),
    v_data: engine.float32(data.data, [data.rows, nVisible]),
    v_model: engine.float32(model.data, [model.rows, model.cols]),
  };
  const out = await (await engine.compile(g)).run(feeds);
  const read = (name: string) => out[`grad_${name}`].data as Float32Array;
  return { weights: read('weights'), visibleBias: read('visibleBias'), hiddenBias: read('hiddenBias') };
}

describe('contrastive surrogate loss of a Bernoulli RBM', () => {
  it('its gradient is minus the CD statistics <.>_data - <.>_model (float64 closed form)', async () => {
    const rbm = randomRbm(3);
    const [data, model] = [randomBinary(9, 4), randomBinary(6, 5)];
    const got = await surrogateGradients(rbm, data, model);
    const small = { nVisible, nHidden, ...rbm.params };
    const [pos, neg] = [statistics(small, data), statistics(small, model)];
    for (const key of ['weights', 'visibleBias', 'hiddenBias'] as const) {
      expectAllClose(got[key], Array.from(pos[key], (x, i) => -(x - neg[key][i])), { rtol: 1e-5, atol: 1e-6 }, key);
    }
  });

  it('does not differentiate through the model samples, even when they depend on the parameters', async () => {
    const rbm = randomRbm(4);
    const data = randomBinary(5, 6);
    const hidden = matrix(Float32Array.from({ length: 4 * nHidden }, (_, i) => (i % 3 === 0 ? 1 : 0)), 4, nHidden);
    const got = await surrogateGradients(rbm, data, hidden, true);
    // The reference: the model side as the constant means E[v | h], in float64.
    const small = { nVisible, nHidden, ...rbm.params };
    const means = new Float32Array(4 * nVisible);
    for (let r = 0; r < 4; r++) {
      for (let i = 0; i < nVisible; i++) {
        let x = rbm.params.visibleBias[i];
        for (let mu = 0; mu < nHidden; mu++) x += rbm.params.weights[i * nHidden + mu] * hidden.data[r * nHidden + mu];
        means[r * nVisible + i] = 1 / (1 + Math.exp(-x));
      }
    }
    const [pos, neg] = [statistics(small, data), statistics(small, matrix(means, 4, nVisible))];
    for (const key of ['weights', 'visibleBias', 'hiddenBias'] as const) {
      expectAllClose(got[key], Array.from(pos[key], (x, i) => -(x - neg[key][i])), { rtol: 1e-4, atol: 1e-6 }, key);
    }
  });

  it('equals the statistics of the PCD-1 step graph on the same data and negative samples', async () => {
    const rbm = randomRbm(5);
    const data = randomBinary(8, 7);
    const chains = randomBinary(6, 8);
    // One step with learning rate 1 and no momentum or decay: the parameter change is the step's statistics;
    // chains_next holds the negative samples v- that they use.
    const { out, change } = await runStep(rbm, data, { state: { [stepNames.chains]: chains }, seed: 21 });
    const negative = matrix(out[nextName(stepNames.chains)].data as Float32Array, chains.rows, nVisible);
    const got = await surrogateGradients(rbm, data, negative);
    const names = { weights: 'weights', visibleBias: 'visible_bias', hiddenBias: 'hidden_bias' } as const;
    for (const key of ['weights', 'visibleBias', 'hiddenBias'] as const) {
      expectAllClose(got[key].map((x) => -x), change(names[key]), { rtol: 1e-5, atol: 1e-6 }, key);
    }
  });
});

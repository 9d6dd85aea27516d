/**
 * The multi-prediction DBM's inference and loss against a float64 host reference written from the equations
 * (test/reference/mp-dbm-exact.ts): mean field with pixels and labels seen or free, Q(y), the filled-in
 * pixels, and the loss's gradient against central differences of the reference loss.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gradients } from '../../src/autodiff/gradients.js';
import { Graph } from '../../src/graph/graph.js';
import { reduceSum } from '../../src/graph/ops/index.js';
import { classRbmNames } from '../../src/models/class-rbm-graph.js';
import { dbmNames } from '../../src/models/dbm.js';
import { maskedMeanField, meanField } from '../../src/models/machine.js';
import { mpDbmInputs } from '../../src/models/mp-dbm-graph.js';
import { MpDBM } from '../../src/models/mp-dbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import { multiPredictionLoss } from '../../src/training/fit-mp-dbm.js';
import { expectAllClose } from '../helpers/reference.js';
import { randomMpDbm } from '../helpers/mp-dbm.js';
import { referenceLoss, referenceMeanField, type MaskedExample } from '../reference/mp-dbm-exact.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

/** Examples with random pixels, random seen pixels and labels seen or not. */
function randomExamples(model: MpDBM, rows: number, seed: number): MaskedExample[] {
  const rng = new RandomStream(seed);
  const n = model.nVisible;
  return Array.from({ length: rows }, (_, r) => ({
    v: Float32Array.from({ length: n }, () => Number(rng.uniform() < 0.4)),
    seen: Float32Array.from({ length: n }, () => Number(rng.uniform() < 0.5)),
    label: rng.int(0, model.nClasses - 1),
    labelSeen: r % 2 === 0,
  }));
}

/** The rows of the examples as the graphs take them: v, the pixel mask, one-hot y and the label mask [rows, 1]. */
function feedsOf(model: MpDBM, examples: readonly MaskedExample[]) {
  const n = model.nVisible;
  const K = model.nClasses;
  const rows = examples.length;
  const v = new Float32Array(rows * n);
  const seen = new Float32Array(rows * n);
  const y = new Float32Array(rows * K);
  examples.forEach((x, r) => {
    v.set(x.v, r * n);
    seen.set(x.seen, r * n);
    y[r * K + x.label] = 1;
  });
  return {
    v: engine.float32(v, [rows, n]),
    seen: engine.float32(seen, [rows, n]),
    y: engine.float32(y, [rows, K]),
    labelSeen: engine.float32(Float32Array.from(examples, (x) => Number(x.labelSeen)), [rows, 1]),
  };
}

/** The loss graph of `multiPredictionLoss` with the masks as inputs, its sum and its gradient for every parameter. */
function lossGraph(model: MpDBM, iterations: number): { graph: Graph; parameters: string[] } {
  const g = new Graph('mp-loss');
  const machine = mpDbmInputs(g, model.shape);
  const [n, K] = [model.nVisible, model.nClasses];
  const v = g.input('v', 'float32', ['rows', n]);
  const loss = reduceSum(multiPredictionLoss(machine, v, g.input('y', 'float32', ['rows', K]), { visibleMask: g.input('seen', 'float32', ['rows', n]), labelMask: g.input('label_seen', 'float32', ['rows', 1]) }, iterations).perExample, [0]);
  g.output('loss', loss);
  const params = [...machine.couplings.flatMap((c) => c.parameters), ...machine.layers.map((l) => l.bias)];
  gradients(loss, params).forEach((grad, i) => g.output(`grad_${params[i].name}`, grad));
  return { graph: g, parameters: params.map((p) => p.name) };
}

/** The host array behind parameter `name`. */
function parameter(model: MpDBM, name: string): Float32Array {
  const { weights, biases } = model.dbm.params;
  if (name === classRbmNames.labelWeights) return model.labels.labelWeights;
  if (name === classRbmNames.labelBias) return model.labels.labelBias;
  const l = weights.findIndex((_, i) => dbmNames.weights(i) === name);
  return l >= 0 ? weights[l] : biases[biases.findIndex((_, i) => dbmNames.bias(i) === name)];
}

describe('the multi-prediction DBM', () => {
  it('infers Q(y), Q(v) and the hidden means as the reference mean field does, pixels seen or missing', async () => {
    const model = randomMpDbm(engine, [7, 5, 4], 3, 1, 0.8);
    const examples = randomExamples(model, 6, 2).map((x) => ({ ...x, labelSeen: false }));
    const v = matrix(Float32Array.from(examples.flatMap((x) => Array.from(x.v))), 6, 7);
    const seen = matrix(Float32Array.from(examples.flatMap((x) => Array.from(x.seen))), 6, 7);
    for (const observed of [undefined, seen]) {
      const out = await model.infer(v, { observed, iterations: 6 });
      examples.forEach((x, r) => {
        const ref = referenceMeanField(model, observed === undefined ? { ...x, seen: new Float32Array(7).fill(1) } : x, 6);
        expectAllClose(out.class_log_probabilities.data.subarray(r * 3, r * 3 + 3), ref.means[3].map(Math.log), { atol: 1e-5 }, `log Q(y), row ${r}`);
        expectAllClose(out.visible_means.data.subarray(r * 7, r * 7 + 7), ref.means[0], { atol: 1e-5 }, `Q(v), row ${r}`);
        expectAllClose(out.features.data.subarray(r * 4, r * 4 + 4), ref.means[2], { atol: 1e-5 }, `top hidden means, row ${r}`);
      });
    }
  });

  it('keeps the seen pixels and predicts the missing ones (fillIn), and classifies with them (predict)', async () => {
    const model = randomMpDbm(engine, [6, 4, 3], 4, 3, 0.8);
    const examples = randomExamples(model, 5, 4);
    const v = matrix(Float32Array.from(examples.flatMap((x) => Array.from(x.v))), 5, 6);
    const seen = matrix(Float32Array.from(examples.flatMap((x) => Array.from(x.seen))), 5, 6);
    const filled = await model.fillIn(v, seen);
    const predicted = await model.predict(v, seen);
    examples.forEach((x, r) => {
      const ref = referenceMeanField(model, { ...x, labelSeen: false }, 10);
      for (let i = 0; i < 6; i++) if (x.seen[i] === 1) expect(filled.data[r * 6 + i]).toBe(x.v[i]);
      expectAllClose(filled.data.subarray(r * 6, r * 6 + 6), ref.means[0], { atol: 1e-5 });
      expect(predicted[r]).toBe(ref.means[3].indexOf(Math.max(...ref.means[3])));
    });
  });

  it('gives the multi-prediction loss of the reference, and its gradient matches central differences of it', async () => {
    const model = randomMpDbm(engine, [5, 4, 3], 3, 5, 0.8);
    const examples = randomExamples(model, 4, 6);
    const iterations = 3;
    const { graph, parameters } = lossGraph(model, iterations);
    const f = feedsOf(model, examples);
    const out = await engine.withProgram(graph, (p) => p.run({ ...model.parameterFeeds(), v: f.v, seen: f.seen, y: f.y, label_seen: f.labelSeen }));
    const total = (): number => examples.reduce((s, x) => s + referenceLoss(model, x, iterations), 0);
    expect((out.loss.data as Float32Array)[0]).toBeCloseTo(total(), 4);
    const h = 1e-3;
    for (const name of parameters) {
      const values = parameter(model, name);
      const numeric = Array.from(values, (x, i) => {
        values[i] = x + h;
        const up = total();
        values[i] = x - h;
        const down = total();
        values[i] = x;
        return (up - down) / (2 * h);
      });
      expectAllClose(out[`grad_${name}`].data as Float32Array, numeric, { atol: 2e-3, rtol: 2e-3 }, name);
    }
  });

  it("fills in a DBM's missing pixels as the reference does for the same DBM with its label cut off (U = 0)", async () => {
    const model = randomMpDbm(engine, [7, 5, 4], 3, 9, 0.8);
    model.labels.labelWeights.fill(0);
    const examples = randomExamples(model, 5, 10);
    const v = matrix(Float32Array.from(examples.flatMap((x) => Array.from(x.v))), 5, 7);
    const seen = matrix(Float32Array.from(examples.flatMap((x) => Array.from(x.seen))), 5, 7);
    const filled = await model.dbm.fillIn(v, seen, 8);
    examples.forEach((x, r) => expectAllClose(filled.data.subarray(r * 7, r * 7 + 7), referenceMeanField(model, { ...x, labelSeen: false }, 8).means[0], { atol: 1e-5 }, `row ${r}`));
  });

  it('is the DBM mean field when every pixel is seen and no label layer is asked about', async () => {
    const model = randomMpDbm(engine, [6, 5, 4], 2, 7, 0.8);
    const g = new Graph('both');
    const machine = mpDbmInputs(g, model.shape);
    const dbmPart = { layers: machine.layers.slice(0, 3), couplings: machine.couplings.slice(0, 2) };
    const v = g.input('v', 'float32', ['rows', 6]);
    g.output('plain', meanField(dbmPart, v, 4).means[2]);
    g.output('masked', maskedMeanField(dbmPart, [{ values: v, mask: g.constant(new Float32Array(6).fill(1), 'float32', [1, 6]) }], 4).means[2]);
    const x = Float32Array.from({ length: 18 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    const out = await engine.withProgram(g, (p) => p.run({ ...model.parameterFeeds(), v: engine.float32(x, [3, 6]) }));
    expectAllClose(out.masked.data as Float32Array, out.plain.data as Float32Array, { atol: 1e-6 });
  });
});

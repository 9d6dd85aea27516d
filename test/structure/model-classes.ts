/**
 * Every model class of the library, for the common checks of common-checks.test.ts (scikit-learn's
 * `check_estimator`): how to make a tiny instance, the tiny data it trains on, how to fit, save and load it, and
 * the verbs it answers. A new model class is one entry of MODEL_CLASSES; a new unit type is one `rbm(...)` line.
 */
import { barsAndStripes } from '../../src/data/bars-and-stripes.js';
import { score } from '../../src/estimators/score.js';
import { loadModel, saveModel } from '../../src/io/model-file.js';
import type { AnyModel } from '../../src/io/model-codec.js';
import { ClassRBM } from '../../src/models/class-rbm.js';
import { DBM } from '../../src/models/dbm.js';
import { DBN } from '../../src/models/dbn.js';
import { GatedRBM } from '../../src/models/gated-rbm.js';
import { MpDBM } from '../../src/models/mp-dbm.js';
import { RBM } from '../../src/models/rbm.js';
import { loadMlp, saveMlp } from '../../src/nn/mlp-file.js';
import { Mlp } from '../../src/nn/mlp.js';
import type { Engine } from '../../src/runtime/engine.js';
import { matrix, type Matrix } from '../../src/tensor/matrix.js';
import { fitClassRbm } from '../../src/training/fit-class-rbm.js';
import { fitDbm } from '../../src/training/fit-dbm.js';
import { fitDbn } from '../../src/training/fit-dbn.js';
import { fitGatedRbm } from '../../src/training/fit-gated-rbm.js';
import { fitMpDbm } from '../../src/training/fit-mp-dbm.js';
import { trainClassifier } from '../../src/training/fit-classifier.js';
import { fit } from '../../src/training/fit.js';
import type { UnitName } from '../../src/units/index.js';

/** What the checks pass to `fit`: the seed, and a batch size (absent: the trainer's default). */
export interface CheckFitOptions {
  readonly seed: number;
  readonly batchSize?: number;
}

/** One instance of a model class, behind the verbs the checks use. */
export interface Instance {
  /** Train on the rows of x (tiny settings: 2 epochs at most). */
  fit(x: Matrix, options: CheckFitOptions): Promise<unknown>;
  /** Every parameter tensor, by its file name. */
  parameters(): Readonly<Record<string, Float32Array>>;
  /** What a model file must keep besides the parameters: kind, sizes, unit types, epochs trained. */
  facts(): Readonly<Record<string, unknown>>;
  save(path: string): Promise<void>;
  /** The instance of the same class read from `path`. */
  load(path: string): Promise<Instance>;
  /** Verbs on data rows [rows, width] (features, reconstructions, scores, chains started at the rows). */
  readonly transforms: Readonly<Record<string, (x: Matrix) => Promise<unknown>>>;
  /** Seeded draws from the model alone. */
  readonly samplers: Readonly<Record<string, () => Promise<unknown>>>;
}

export interface ModelClass {
  readonly name: string;
  /** Tiny training rows of the values the class takes (a fresh copy each call). */
  data(): Matrix;
  /** What fit does with a single example at the trainer's default batch size. */
  readonly oneExample: 'refused' | 'accepted';
  /** A fresh tiny instance (the same seed, the same instance). */
  create(engine: Engine, seed: number): Instance;
}

/** The 14 bars-and-stripes patterns of 3 x 3 pixels, [14, 9], mapped value by value (or row by row) to the values a class takes. */
function bars(map: (row: Float32Array) => ArrayLike<number> = (row) => row): Matrix {
  const { examples } = barsAndStripes(3);
  const out = new Float32Array(examples.data.length);
  for (let r = 0; r < examples.rows; r++) out.set(map(examples.data.slice(r * examples.cols, (r + 1) * examples.cols)), r * examples.cols);
  return matrix(out, examples.rows, examples.cols);
}

/** Each group of 3 pixels as a one-hot group of 3 (the count of its ones, mod 3). */
function oneHotGroups(row: Float32Array): Float32Array {
  const out = new Float32Array(row.length);
  for (let g = 0; g < row.length; g += 3) out[g + ((row[g] + row[g + 1] + row[g + 2]) % 3)] = 1;
  return out;
}

const EPOCHS = 2;
const SAMPLE = { steps: 5, seed: 3 } as const;
/** Cheap settings for the score: exact log Z where the model is small enough, else a short AIS. */
const SCORE = { seed: 5, chains: 4, betas: 50, samples: 2, meanFieldSweeps: 5 } as const;

/** The verbs and files every GenerativeModel shares (RBM, DBN, DBM), with its trainer. */
function generative<M extends AnyModel>(model: M, train: (m: M, x: Matrix, o: CheckFitOptions) => Promise<unknown>): Instance {
  return {
    fit: (x, o) => train(model, x, o),
    parameters: () => model.describe().tensors,
    facts: () => ({ ...model.describe().summary, visible: model.visible.name }),
    save: (path) => saveModel(path, model),
    load: async (path) => generative((await loadModel(model.engine, path)).model as M, train),
    transforms: {
      transform: (x) => model.transform(x),
      reconstruct: (x) => model.reconstruct(x),
      score: (x) => score(model, x, SCORE),
      'sample from rows': (x) => model.sample(x.rows, { ...SAMPLE, start: x }),
      ...(model instanceof RBM && { freeEnergy: (x: Matrix) => model.freeEnergy(x) }),
    },
    samplers: { sample: () => model.sample(4, SAMPLE) },
  };
}

/** An RBM of 9 `visible` units and 4 `hidden` ones (default Bernoulli), trained by CD/PCD on `data`. */
function rbm(visible: UnitName, map: (row: Float32Array) => ArrayLike<number>, hidden: UnitName = 'bernoulli'): ModelClass {
  return {
    name: `rbm ${visible} x ${hidden}`,
    data: () => bars(map),
    oneExample: 'refused',
    create: (engine, seed) => generative(RBM.create(engine, { nVisible: 9, nHidden: 4, visible, hidden, seed, weightScale: 0.1 }), (m, x, o) => fit(m, x, { epochs: EPOCHS, ...o })),
  };
}

/** Labels of rows for the classifiers (an MLP, a classification RBM): alternating classes 0 and 1. */
const labelsOf = (x: Matrix): Int32Array => Int32Array.from({ length: x.rows }, (_, r) => r % 2);

function mlpInstance(mlp: Mlp): Instance {
  return {
    fit: (x, o) => trainClassifier(mlp, x, labelsOf(x), { epochs: EPOCHS, ...o }),
    parameters: () => Object.fromEntries(mlp.layers.flatMap((l, i) => [[`weights_${i}`, l.weights], [`bias_${i}`, l.bias]])),
    facts: () => ({ kind: 'mlp', sizes: mlp.sizes, activations: mlp.layers.map((l) => l.activation) }),
    save: (path) => saveMlp(path, mlp),
    load: async (path) => mlpInstance((await loadMlp(mlp.engine, path)).mlp),
    transforms: { logits: (x) => mlp.logits(x), predict: (x) => mlp.predict(x) },
    samplers: {},
  };
}

export const MODEL_CLASSES: readonly ModelClass[] = [
  rbm('bernoulli', (row) => row),
  rbm('spin', (row) => row.map((x) => 2 * x - 1)),
  rbm('gaussian', (row) => row.map((x, i) => 2 * x - 1 + 0.1 * i)),
  rbm('relu', (row) => row.map((x, i) => x * (1 + 0.25 * i))),
  rbm('softmax:3', oneHotGroups),
  rbm('binomial:3', (row) => row.map((x, i) => x * (1 + (i % 3)))),
  rbm('bernoulli', (row) => row, 'spin'),
  rbm('bernoulli', (row) => row, 'gaussian'),
  rbm('bernoulli', (row) => row, 'relu'),
  rbm('bernoulli', (row) => row, 'softmax:2'),
  rbm('bernoulli', (row) => row, 'binomial:3'),
  {
    name: 'dbn 9-4-3',
    data: () => bars(),
    oneExample: 'refused',
    create: (engine, seed) => generative(DBN.create(engine, { sizes: [9, 4, 3], seed, weightScale: 0.1 }), (m, x, o) => fitDbn(m, x, { epochs: EPOCHS, ...o })),
  },
  {
    name: 'dbm 9-4-3',
    data: () => bars(),
    oneExample: 'refused',
    create: (engine, seed) => generative(DBM.create(engine, { sizes: [9, 4, 3], seed, weightScale: 0.1 }), (m, x, o) => fitDbm(m, x, { epochs: EPOCHS, chains: 8, ...o })),
  },
  {
    name: 'class-rbm 9-4, 2 classes',
    data: () => bars(),
    oneExample: 'refused',
    create: (engine, seed) =>
      generative(ClassRBM.create(engine, { nVisible: 9, nHidden: 4, nClasses: 2, seed, weightScale: 0.1 }), (m, x, o) => fitClassRbm(m, { examples: x, labels: labelsOf(x) }, { epochs: EPOCHS, ...o })),
  },
  {
    name: 'gated-rbm 4 -> 5, 3 mapping units, 4 factors',
    data: () => bars(),
    oneExample: 'refused',
    create: (engine, seed) => generative(GatedRBM.create(engine, { nInput: 4, nOutput: 5, nHidden: 3, nFactors: 4, seed, weightScale: 0.5 }), (m, x, o) => fitGatedRbm(m, x, { epochs: EPOCHS, ...o })),
  },
  {
    name: 'mp-dbm 9-4-3, 2 classes',
    data: () => bars(),
    oneExample: 'refused',
    create: (engine, seed) =>
      generative(MpDBM.create(engine, { sizes: [9, 4, 3], nClasses: 2, seed, weightScale: 0.1 }), (m, x, o) => fitMpDbm(m, { examples: x, labels: labelsOf(x) }, { epochs: EPOCHS, ...o })),
  },
  {
    name: 'mlp 9-4-2',
    data: () => bars(),
    oneExample: 'refused',
    create: (engine, seed) => mlpInstance(Mlp.create(engine, { sizes: [9, 4, 2], seed })),
  },
];

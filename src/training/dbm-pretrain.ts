/**
 * Greedy layer-wise pretraining of a DBM (Salakhutdinov & Hinton 2009, 2012; Deep Learning 20.4.4). In the
 * DBM, h1 hears both v and h2; an RBM trained alone hears one side only. So the bottom RBM is trained with its
 * visible layer doubled (two tied copies of v: p(h1 | v) = sigmoid(c + 2 W^T v) while p(v | h1) =
 * sigmoid(a + W h1)), and the top RBM with its hidden layer doubled (p(h1 | h2) = sigmoid(b + 2 W h2),
 * p(h2 | h1) = sigmoid(c' + W^T h1)); with more than 2 hidden layers, each RBM in the middle doubles both
 * (p(h_{l+1} | h_l) = sigmoid(c + 2 W^T h_l), p(h_l | h_{l+1}) = sigmoid(b + 2 W h_{l+1})). Each RBM learns
 * the layer below drawn from the doubled posteriors of the RBMs under it.
 *
 * Two tied copies x_1, x_2 of a Bernoulli layer that share its bias and weights enter the energy only through
 * their sum X = x_1 + x_2: -a.X - X^T W h. So a doubled side is a layer of binomial:2 units (units/binomial.ts)
 * holding X, and the tied RBM is an RBM like any other, trained by `fit` (PCD by default): on the data X = 2 v
 * where its visible side is doubled; its chains draw both copies of a side at once.
 *
 * Composition: the DBM takes W0 and W1 as they are, the visible bias a of the bottom RBM, the top's hidden bias,
 * and for each middle layer the mean of the two RBMs' biases: the geometric mean of their conditionals of h1,
 * sigmoid((c + 2 W0^T v + b + 2 W1 h2) / 2), is the DBM's (likewise for every middle layer).
 */
import { DBM } from '../models/dbm.js';
import { RBM } from '../models/rbm.js';
import { RandomStream } from '../random/stream.js';
import type { Engine } from '../runtime/engine.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { bernoulli, binomial, type UnitType } from '../units/index.js';
import { fit } from './fit.js';
import type { FitOptions } from './options.js';

/** The units of the RBM between layers l and l + 1 of a DBM during pretraining: binomial:2 for a doubled side. */
export interface PretrainingUnits {
  readonly visible: UnitType;
  readonly hidden: UnitType;
}

/** Whether the RBM between layers l and l + 1 of a DBM with `depth` hidden layers doubles its visible layer: all but the top one. */
const doublesVisible = (l: number, depth: number): boolean => l < depth - 1;

/**
 * The units of the RBM between layers l and l + 1 of a DBM with `depth` hidden layers: the bottom RBM doubles
 * its visible layer, the top one its hidden layer, the middle ones both (each middle layer hears two
 * neighbours in the DBM; Salakhutdinov & Hinton 2012).
 */
export function pretrainingUnits(l: number, depth: number): PretrainingUnits {
  const doubled = binomial(2);
  return { visible: doublesVisible(l, depth) ? doubled : bernoulli, hidden: l > 0 ? doubled : bernoulli };
}

/**
 * Pretrain a DBM of `sizes` [n_0, n_1, ..., n_L] (L >= 2) on `data` (see the file comment): RBM l with
 * `pretrainingUnits(l, L)`, trained by `fit` with `options` (the same for every RBM, but a seed of its own) on
 * one draw of the doubled up-pass h_l ~ sigmoid(c + 2 W^T h_{l-1}) of the data through the RBMs below; returns
 * the composed DBM (epochsTrained 0: joint training comes next).
 */
export async function pretrainDbm(engine: Engine, sizes: readonly number[], data: Matrix, options: Partial<FitOptions> = {}): Promise<DBM> {
  if (sizes.length < 3) throw new RangeError(`a DBM has 2 or more hidden layers, got ${sizes.length - 1}`);
  const depth = sizes.length - 1;
  const rng = new RandomStream(options.seed ?? 0);
  const rbms: RBM[] = [];
  let input = data;
  for (let l = 0; l < depth; l++) {
    const rbm = RBM.create(engine, { nVisible: sizes[l], nHidden: sizes[l + 1], ...pretrainingUnits(l, depth), seed: rng.seed() });
    // The data as the visible units hold it: X = 2 h for a doubled side.
    const visible = doublesVisible(l, depth) ? matrix(input.data.map((x) => 2 * x), input.rows, input.cols) : input;
    await fit(rbm, visible, { ...options, seed: rng.seed() });
    rbms.push(rbm);
    if (l + 1 < depth) {
      const doubled = new RBM(engine, { nVisible: sizes[l], nHidden: sizes[l + 1] }, { ...rbm.params, weights: rbm.params.weights.map((x) => 2 * x) });
      const means = await doubled.transform(input);
      input = matrix(rng.bernoulli(means.data), means.rows, means.cols);
    }
  }
  const hiddenBias = (l: number): Float32Array =>
    l === depth ? rbms[depth - 1].params.hiddenBias.slice() : Float32Array.from(rbms[l - 1].params.hiddenBias, (c, j) => (c + rbms[l].params.visibleBias[j]) / 2);
  return new DBM(engine, sizes, {
    weights: rbms.map((r) => r.params.weights.slice()),
    biases: sizes.map((_, l) => (l === 0 ? rbms[0].params.visibleBias.slice() : hiddenBias(l))),
  });
}

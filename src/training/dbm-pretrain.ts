/**
 * Greedy layer-wise pretraining of a DBM (Salakhutdinov & Hinton 2009, 2012; Deep Learning 20.4.4). In the
 * DBM, h1 hears both v and h2; an RBM trained alone hears one side only. So the bottom RBM is trained with its
 * visible layer doubled (two tied copies of v: p(h1 | v) = sigmoid(c + 2 W^T v) while p(v | h1) =
 * sigmoid(a + W h1)), and the top RBM with its hidden layer doubled (p(h1 | h2) = sigmoid(b + 2 W h2),
 * p(h2 | h1) = sigmoid(c' + W^T h1)); with more than 2 hidden layers, each RBM in the middle doubles both
 * (p(h_{l+1} | h_l) = sigmoid(c + 2 W^T h_l), p(h_l | h_{l+1}) = sigmoid(b + 2 W h_{l+1})). Each RBM learns
 * the layer below drawn from the doubled posteriors of the RBMs under it.
 *
 * An RBM with tied copies: visible copies x_1..x_r and hidden copies y_1..y_s share a, c, W, so with
 * X = sum x_k and Y = sum y_k the energy is -a.X - c.Y - X^T W Y and, summing the s hidden copies out,
 *   F(x_1..x_r) = -a.X - s sum_mu softplus(c + W^T X)_mu,
 * trained by PCD on the contrastive surrogate mean F(data, ..., data) - mean F(chains) (its gradient is the
 * tied statistics), with the autodiff and SGD with momentum: one graph run per minibatch. Block Gibbs: every
 * hidden copy from sigmoid(c + W^T X), every visible copy from sigmoid(a + W Y).
 *
 * Composition: the DBM takes W0 and W1 as they are, the visible bias a of the bottom RBM, the top's hidden bias,
 * and for each middle layer the mean of the two RBMs' biases: the geometric mean of their conditionals of h1,
 * sigmoid((c + 2 W0^T v + b + 2 W1 h2) / 2), is the DBM's (likewise for every middle layer).
 */
import { stopGradient } from '../autodiff/stop-gradient.js';
import { Graph, type Value } from '../graph/graph.js';
import { add, gemm, matmul, mul, neg, reduceMean, reduceSum, sigmoid, sub } from '../graph/ops/index.js';
import { RandomStream } from '../random/stream.js';
import type { Engine } from '../runtime/engine.js';
import { gatherRows, matrix, type Matrix } from '../tensor/matrix.js';
import { runEpochs, stepState } from './epochs.js';
import { initVisibleBias } from './initial-bias.js';
import { addMinimizer, optimizerNames } from './optimizers.js';
import { batchRowsInput, gatheredMinibatch, minibatchNames, MinibatchRows } from './minibatch.js';
import { nextName } from '../graph/state.js';
import { bernoulli } from '../units/bernoulli.js';
import { DBM } from '../models/dbm.js';
import { defaultDbmFitOptions, type DbmFitOptions } from './fit-dbm.js';
import { defaultFitOptions, learningRateAt } from './options.js';
import { parameterNames } from '../models/rbm-graph.js';
import { RBM } from '../models/rbm.js';
import { samplerNames } from '../samplers/negative-phase.js';

/** The tied RBM's state: its parameters by their model-file names and its persistent chains. */
const names = { ...parameterNames, chains: samplerNames.chains } as const;

/** The copies of each side of a tied RBM. */
export interface Copies {
  readonly visible: number;
  readonly hidden: number;
}

/**
 * One PCD-k step of a tied RBM as a graph (see the file comment); chains [chains, copies.visible * nVisible];
 * the minibatch gathered from all the `examples` [nExamples, nVisible] at `batch_rows` (training/minibatch.ts).
 */
function tiedStep(nVisible: number, nHidden: number, nExamples: number, copies: Copies, o: DbmFitOptions, seed: number) {
  const g = new Graph('tied-rbm-step', seed);
  const w = g.input(names.weights, 'float32', [nVisible, nHidden]);
  const a = g.input(names.visibleBias, 'float32', [nVisible]);
  const c = g.input(names.hiddenBias, 'float32', [nHidden]);
  const data = gatheredMinibatch(g, batchRowsInput(g, o.batchSize), nExamples, nVisible);
  const chainState = g.input(names.chains, 'float32', [o.chains, copies.visible * nVisible]);
  // The chains as copies: column block k is copy k.
  const sumCopies = (x: Value, count: number, width: number): Value => {
    if (count === 1) return x;
    const blocks = new Float32Array(count * width * width);
    for (let k = 0; k < count; k++) for (let i = 0; i < width; i++) blocks[(k * width + i) * width + i] = 1;
    return matmul(x, g.constant(blocks, 'float32', [count * width, width]));
  };
  const repeat = (x: Value, count: number, width: number): Value => {
    if (count === 1) return x;
    const blocks = new Float32Array(width * count * width);
    for (let k = 0; k < count; k++) for (let i = 0; i < width; i++) blocks[i * count * width + k * width + i] = 1;
    return matmul(x, g.constant(blocks, 'float32', [width, count * width]));
  };
  const freeEnergy = (xSum: Value): Value => neg(add(matmul(xSum, a), mul(reduceSum(bernoulli.logPartition(gemm(xSum, w, c)), [1]), copies.hidden)));
  let x = chainState;
  for (let s = 0; s < o.k; s++) {
    const hField = gemm(sumCopies(x, copies.visible, nVisible), w, c);
    const hMean = repeat(sigmoid(hField), copies.hidden, nHidden);
    const hSum = sumCopies(bernoulli.sample(hMean, hMean), copies.hidden, nHidden);
    const vMean = repeat(sigmoid(gemm(hSum, w, a, { transB: true })), copies.visible, nVisible);
    x = bernoulli.sample(vMean, vMean);
  }
  g.output(nextName(names.chains), x);
  const loss = sub(
    reduceMean(freeEnergy(mul(stopGradient(data), copies.visible)), [0]),
    reduceMean(freeEnergy(sumCopies(stopGradient(x), copies.visible, nVisible)), [0]),
  );
  const state = addMinimizer(loss, [{ param: w }, { param: a, decay: false }, { param: c, decay: false }], { optimizer: 'sgd', momentum: o.momentum, weightDecay: o.weightDecay });
  return { graph: g, state };
}

/**
 * Train `rbm` (Bernoulli) as a tied RBM with `copies` on the rows of `data` for `o.epochs` epochs by PCD-k,
 * the learning rate on `learningRateSchedule` (default: an RBM's, 0.05, decaying linearly to 0); a fresh one
 * (epochsTrained 0) first gets the data's log-odds as visible biases.
 */
export async function fitTiedRbm(rbm: RBM, data: Matrix, copies: Copies, options: Partial<DbmFitOptions> = {}): Promise<void> {
  const o: DbmFitOptions = { ...defaultDbmFitOptions, learningRate: defaultFitOptions.learningRate, ...options };
  if (o.batchSize > data.rows) throw new RangeError(`batchSize ${o.batchSize} is larger than the ${data.rows} examples`);
  const { nVisible, nHidden } = rbm;
  if (rbm.epochsTrained === 0) initVisibleBias(rbm.visible, rbm.params, data);
  const rng = new RandomStream(o.seed);
  const start = gatherRows(data, rng.indices(o.chains, data.rows));
  const chains = new Float32Array(o.chains * copies.visible * nVisible);
  for (let r = 0; r < o.chains; r++) for (let k = 0; k < copies.visible; k++) chains.set(start.data.subarray(r * nVisible, (r + 1) * nVisible), (r * copies.visible + k) * nVisible);
  const { graph, state: optimizerState } = tiedStep(nVisible, nHidden, data.rows, copies, o, rng.seed());
  const parameters = [
    { name: names.weights, dims: [nVisible, nHidden], values: rbm.params.weights },
    { name: names.visibleBias, dims: [nVisible], values: rbm.params.visibleBias },
    { name: names.hiddenBias, dims: [nHidden], values: rbm.params.hiddenBias },
  ];
  const state = stepState(rbm.engine, parameters, [{ name: names.chains, dims: [o.chains, copies.visible * nVisible], initial: chains }], optimizerState);
  await runEpochs({
    engine: rbm.engine,
    state,
    minibatches: new MinibatchRows(rbm.engine, o.batchSize, { [minibatchNames.examples]: data }),
    rng,
    nExamples: data.rows,
    from: rbm.epochsTrained,
    to: o.epochs,
    parameters,
    graphAt: () => graph,
    startEpoch: (epoch) => ({
      scalars: { [optimizerNames.learningRate]: learningRateAt(o, epoch) },
      finish: () => {
        rbm.epochsTrained = epoch + 1;
      },
    }),
  });
}

/**
 * The copies of the RBM between layers l and l + 1 of a DBM with L hidden layers: the bottom one doubles its
 * visible layer, the top one its hidden layer, the middle ones both (each middle layer hears two neighbours in
 * the DBM; Salakhutdinov & Hinton 2012).
 */
export function pretrainingCopies(l: number, depth: number): Copies {
  return { visible: l === depth - 1 ? 1 : 2, hidden: l === 0 ? 1 : 2 };
}

/**
 * Pretrain a DBM of `sizes` [n_0, n_1, ..., n_L] (L >= 2) on `data` (see the file comment): RBM l with
 * `pretrainingCopies(l, L)`, trained on one draw of the doubled up-pass h_l ~ sigmoid(c + 2 W^T h_{l-1}) of
 * the data through the RBMs below, each for `options.epochs` epochs; returns the composed DBM (epochsTrained
 * 0: joint training comes next).
 */
export async function pretrainDbm(engine: Engine, sizes: readonly number[], data: Matrix, options: Partial<DbmFitOptions> = {}): Promise<DBM> {
  if (sizes.length < 3) throw new RangeError(`a DBM has 2 or more hidden layers, got ${sizes.length - 1}`);
  const depth = sizes.length - 1;
  const rng = new RandomStream(options.seed ?? 0);
  const rbms: RBM[] = [];
  let input = data;
  for (let l = 0; l < depth; l++) {
    const rbm = RBM.create(engine, { nVisible: sizes[l], nHidden: sizes[l + 1], seed: rng.seed() });
    await fitTiedRbm(rbm, input, pretrainingCopies(l, depth), { ...options, seed: rng.seed() });
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

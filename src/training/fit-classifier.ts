import { UserError } from '../errors.js';
import { Graph } from '../graph/graph.js';
import { argMax, cast, equal, reduceSum, sub } from '../graph/ops/index.js';
import { RandomStream } from '../random/stream.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { runEpochs, stepState } from './epochs.js';
import { batchRowsInput, gatheredMinibatch, minibatchNames, MinibatchRows } from './minibatch.js';
import { addMinimizer, checkOptimizerOptions, defaultOptimizerOptions, optimizerNames, type OptimizerOptions, type StateTensor } from './optimizers.js';
import { softmaxCrossEntropy } from '../nn/layers.js';
import { checkInputs, layerInputs, layerNames, mlpForward, type DenseLayer, type Mlp } from '../nn/mlp.js';

/** Options of `trainClassifier`, with `defaultClassifierOptions`. */
export interface ClassifierOptions extends OptimizerOptions {
  readonly epochs: number;
  /** Examples per minibatch; the N mod batchSize examples left over after shuffling sit that epoch out. */
  readonly batchSize: number;
  readonly learningRate: number;
  /** Seed of the shuffling. */
  readonly seed: number;
  /** Held-out examples and their labels, whose error rate is measured after each epoch. */
  readonly heldOut?: { readonly examples: Matrix; readonly labels: ArrayLike<number> };
}

export const defaultClassifierOptions: ClassifierOptions = {
  ...defaultOptimizerOptions,
  epochs: 20,
  batchSize: 100,
  learningRate: 0.1,
  seed: 0,
};

/** One line of the training log. */
export interface ClassifierEpoch {
  /** 1-based. */
  readonly epoch: number;
  /** Mean cross-entropy of the epoch's minibatches (each measured before its update). */
  readonly loss: number;
  /** Error rate on the epoch's minibatches (each measured before its update). */
  readonly trainingError: number;
  /** Error rate on the held-out examples after the epoch, when given. */
  readonly heldOutError?: number;
  /** Training examples per second of the epoch's steps. */
  readonly samplesPerSecond: number;
  readonly seconds: number;
}

export interface ClassifierCallbacks {
  readonly onEpoch?: (record: ClassifierEpoch) => void | Promise<void>;
}

/** Names of the classifier step graph's inputs and outputs besides the parameters and optimiser state. */
export const classifierStepNames = { x: minibatchNames.examples, targets: 'targets', loss: 'loss', errors: 'errors' } as const;

/**
 * One whole training step of an MLP classifier as one graph: forward pass, softmax cross-entropy against
 * one-hot targets, its gradient by autodiff and the optimiser's update (addMinimizer). Inputs: weights_i,
 * bias_i, the optimiser state, all the training `examples` [nExamples, nIn] and their one-hot `targets`
 * [nExamples, classes], the minibatch's `batch_rows` (int64 [batch], gathered from both in the graph: see
 * training/minibatch.ts), learning_rate; outputs: X_next for every state input X, `loss` (the minibatch's
 * mean cross-entropy) and `errors` (how many rows the network got wrong), both before the update. Biases are
 * not decayed. Returns the graph and the optimiser's state tensors.
 */
export function buildClassifierStep(
  layers: readonly Pick<DenseLayer, 'nIn' | 'nOut' | 'activation'>[],
  nExamples: number,
  batchSize: number,
  options: Partial<OptimizerOptions> = {},
): { graph: Graph; state: StateTensor[] } {
  const g = new Graph('mlp-step');
  const params = layerInputs(g, layers);
  const rows = batchRowsInput(g, batchSize);
  const x = gatheredMinibatch(g, rows, nExamples, layers[0].nIn, classifierStepNames.x);
  const targets = gatheredMinibatch(g, rows, nExamples, layers[layers.length - 1].nOut, classifierStepNames.targets);
  const logits = mlpForward(x, params);
  const loss = softmaxCrossEntropy(logits, targets);
  const state = addMinimizer(
    loss,
    params.flatMap((p) => [{ param: p.weights }, { param: p.bias, decay: false }]),
    options,
  );
  g.output(classifierStepNames.loss, loss);
  g.output(classifierStepNames.errors, reduceSum(sub(1, cast(equal(argMax(logits, 1), argMax(targets, 1)), 'float32')), [0]));
  return { graph: g, state };
}

/**
 * Train `mlp` to classify the rows of `data` [examples, nInputs] as `labels` (integers 0 .. nClasses - 1) by
 * minibatch gradient descent on the softmax cross-entropy, reshuffling every epoch. One graph run per
 * minibatch (see buildClassifierStep); the parameters stay in engine tensors until the epoch ends, when they
 * are copied into mlp. A NaN or infinite parameter stops training with a DivergenceError, the network
 * keeping the previous epoch's parameters.
 */
export async function trainClassifier(
  mlp: Mlp,
  data: Matrix,
  labels: ArrayLike<number>,
  options: Partial<ClassifierOptions> = {},
  callbacks: ClassifierCallbacks = {},
): Promise<ClassifierEpoch[]> {
  const o: ClassifierOptions = { ...defaultClassifierOptions, ...options };
  checkInputs(data, mlp.nInputs, 'data');
  checkClassifierOptions(o, data.rows);
  checkLabels(labels, data.rows, mlp.nClasses, 'labels');
  if (o.heldOut !== undefined) {
    checkInputs(o.heldOut.examples, mlp.nInputs, 'held-out data');
    checkLabels(o.heldOut.labels, o.heldOut.examples.rows, mlp.nClasses, 'held-out labels');
  }
  const e = mlp.engine;
  const { graph, state: optimizerState } = buildClassifierStep(mlp.layers, data.rows, o.batchSize, o);
  const parameters = mlp.layers.flatMap((l, i) => [
    { name: layerNames(i).weights, dims: [l.nIn, l.nOut], values: l.weights },
    { name: layerNames(i).bias, dims: [l.nOut], values: l.bias },
  ]);
  const state = stepState(e, parameters, [], optimizerState);
  const nClasses = mlp.nClasses;
  const oneHot = new Float32Array(data.rows * nClasses);
  for (let r = 0; r < data.rows; r++) oneHot[r * nClasses + labels[r]] = 1;
  const minibatches = new MinibatchRows(e, o.batchSize, { [classifierStepNames.x]: data, [classifierStepNames.targets]: matrix(oneHot, data.rows, nClasses) });
  const seen = minibatches.count * o.batchSize;
  return runEpochs({
    engine: e,
    state,
    minibatches,
    rng: new RandomStream(o.seed),
    nExamples: data.rows,
    from: 0,
    to: o.epochs,
    parameters,
    graphAt: () => graph,
    startEpoch: (epoch) => {
      let loss = 0;
      let errors = 0;
      return {
        scalars: { [optimizerNames.learningRate]: o.learningRate },
        onStep: (out) => {
          loss += (out[classifierStepNames.loss].data as Float32Array)[0];
          errors += (out[classifierStepNames.errors].data as Float32Array)[0];
        },
        finish: async ({ stepSeconds, elapsedSeconds }) => {
          const heldOutError = o.heldOut === undefined ? undefined : await mlp.errorRate(o.heldOut.examples, o.heldOut.labels);
          return {
            epoch: epoch + 1,
            loss: loss / minibatches.count,
            trainingError: errors / seen,
            ...(heldOutError === undefined ? {} : { heldOutError }),
            samplesPerSecond: seen / stepSeconds,
            seconds: elapsedSeconds(),
          };
        },
      };
    },
    onEpoch: callbacks.onEpoch,
  });
}


function checkClassifierOptions(o: ClassifierOptions, examples: number): void {
  for (const [name, x] of Object.entries({ epochs: o.epochs, batchSize: o.batchSize })) {
    if (!(Number.isInteger(x) && x >= 1)) throw new UserError(`${name} must be a positive integer, got ${x}`);
  }
  if (o.batchSize > examples) throw new UserError(`batchSize ${o.batchSize} is larger than the ${examples} examples`);
  if (!(Number.isFinite(o.learningRate) && o.learningRate >= 0)) throw new UserError(`learningRate must be a finite number >= 0, got ${o.learningRate}`);
  checkOptimizerOptions(o);
}

/** Throws a UserError unless `labels` holds `rows` integers in [0, nClasses). */
export function checkLabels(labels: ArrayLike<number>, rows: number, nClasses: number, what: string): void {
  if (labels.length !== rows) throw new UserError(`${what}: ${labels.length} labels for ${rows} examples`);
  for (let r = 0; r < rows; r++) {
    const y = labels[r];
    if (!(Number.isInteger(y) && y >= 0 && y < nClasses)) throw new UserError(`${what}: example ${r} (0-based) has label ${y}, not a class from 0 to ${nClasses - 1}`);
  }
}

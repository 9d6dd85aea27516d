import type { Value } from '../graph/graph.js';
import { gemm, logSoftmax, mul, neg, reduceMean, reduceSum, relu, sigmoid, tanh } from '../graph/ops/index.js';

/** Non-linearities of a dense layer; 'linear' for none (the output layer's logits). */
export type Activation = 'sigmoid' | 'tanh' | 'relu' | 'linear';
export const ACTIVATIONS: readonly Activation[] = ['sigmoid', 'tanh', 'relu', 'linear'];

/** f(x) element-wise for the activation f. */
export function activate(x: Value, activation: Activation): Value {
  switch (activation) {
    case 'sigmoid':
      return sigmoid(x);
    case 'tanh':
      return tanh(x);
    case 'relu':
      return relu(x);
    case 'linear':
      return x;
  }
}

/** A dense layer f(x W + b): x [rows, nIn], weights [nIn, nOut], bias [nOut] -> [rows, nOut]. */
export function dense(x: Value, weights: Value, bias: Value, activation: Activation = 'linear'): Value {
  return activate(gemm(x, weights, bias), activation);
}

/**
 * The softmax cross-entropy, averaged over rows: mean_r -sum_k t_rk log softmax(z_r)_k. logits z and targets
 * t [rows, classes] (t one-hot, or any distribution over the classes) -> a scalar.
 */
export function softmaxCrossEntropy(logits: Value, targets: Value): Value {
  return neg(reduceMean(reduceSum(mul(targets, logSoftmax(logits, -1)), [1]), [0]));
}

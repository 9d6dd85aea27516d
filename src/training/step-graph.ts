import { Graph, type Value } from '../graph/graph.js';
import { add, gather, gemm, mul, reduceMean, sub } from '../graph/ops/index.js';
import {
  clampLogStd,
  hiddenField,
  parameterInputs,
  parameterKeys,
  parameterNames,
  sampleHidden,
  standardize,
  standardizedVisibleBias,
  VISIBLE_LOG_STD,
  type ParameterKey,
  type RbmValues,
} from '../models/rbm-graph.js';
import { gibbsFromHidden } from '../samplers/gibbs.js';
import type { UnitType } from '../units/unit-type.js';

/** What fixes a training step's graph: sizes, unit types, the learning rule and the random seed. */
export interface StepSpec {
  readonly nVisible: number;
  readonly nHidden: number;
  readonly visible: UnitType;
  readonly hidden: UnitType;
  /** Rows of the training examples the minibatches are drawn from. */
  readonly nExamples: number;
  readonly batchSize: number;
  /** Gibbs steps of the negative phase. */
  readonly k: number;
  /** Persistent chains (PCD): their count. Undefined for CD, whose chains restart at the data. */
  readonly persistentChains: number | undefined;
  readonly seed: number;
}

/** Names of the step graph's inputs besides the parameters; each state input X has an output X_next. */
export const stepNames = {
  examples: 'examples',
  batchRows: 'batch_rows',
  chains: 'chains',
  learningRate: 'learning_rate',
  momentum: 'momentum',
  weightDecay: 'weight_decay',
} as const;

/** The velocity (momentum buffer) of a parameter. */
export const velocityName = (key: ParameterKey): string => `${parameterNames[key]}_velocity`;
/** The velocity of Gaussian visible units' log standard deviations. */
export const LOG_STD_VELOCITY = `${VISIBLE_LOG_STD}_velocity`;
/** The output that holds the next value of a state input. */
export const nextName = (input: string): string => `${input}_next`;

/**
 * One whole step of CD-k or PCD-k with SGD, momentum and L2 weight decay, as one graph:
 *   positive phase  h+ = E[h | v_data]                       (conditional means, [batch, nHidden])
 *   negative phase  v-, h- after k block Gibbs steps from the data (CD) or from the persistent chains (PCD);
 *                   statistics use the draw v- and the mean E[h | v-]
 *   gradient        dW = v_data^T h+ / batch - v-^T h- / chains,  da = <v>_data - <v>_model,  db likewise
 *   update          velocity = momentum * velocity + learningRate * (gradient - weightDecay * W)  (no decay on
 *                   biases); parameter += velocity
 * Gaussian visible units with std sigma = exp(s): the statistics take u = v / sigma for v, so dW = <u h^T>,
 * da = <u> / sigma (both phases' difference), and ds = <u (u - 2 a / sigma - W h)> with h = E[h | v]: minus
 * dE/ds of E = -(a / sigma) u + u^2 / 2 - u^T W h. s is clamped to LOG_STD_RANGE after the update; input and
 * output visible_log_std, its velocity visible_log_std_velocity.
 * Inputs: the parameters (model-file names), their velocities, the training `examples` [nExamples, nVisible] and
 * the rows of this step's minibatch `batch_rows` (int64 [batch]; the graph gathers them), `chains`
 * [chains, nVisible] for PCD, and scalars learning_rate, momentum, weight_decay. Outputs: each state input's
 * next value, named X_next.
 */
export function buildStepGraph(spec: StepSpec): Graph {
  const { nVisible, nHidden, batchSize, k, persistentChains } = spec;
  const g = new Graph(`${persistentChains === undefined ? 'cd' : 'pcd'}${k}-step`, spec.seed);
  const rbm = parameterInputs(g, nVisible, nHidden, spec);
  const velocity = {
    weights: g.input(velocityName('weights'), 'float32', [nVisible, nHidden]),
    visibleBias: g.input(velocityName('visibleBias'), 'float32', [nVisible]),
    hiddenBias: g.input(velocityName('hiddenBias'), 'float32', [nHidden]),
  };
  const examples = g.input(stepNames.examples, 'float32', [spec.nExamples, nVisible]);
  const data = gather(examples, g.input(stepNames.batchRows, 'int64', [batchSize]));
  const chains = persistentChains === undefined ? undefined : g.input(stepNames.chains, 'float32', [persistentChains, nVisible]);
  const learningRate = g.input(stepNames.learningRate, 'float32', []);
  const momentum = g.input(stepNames.momentum, 'float32', []);
  const weightDecay = g.input(stepNames.weightDecay, 'float32', []);

  const positive = sampleHidden(rbm, data);
  const start = chains === undefined ? positive.sample : sampleHidden(rbm, chains).sample;
  const negativeVisible = gibbsFromHidden(rbm, start, k).sample;
  const negativeHidden = rbm.hidden.mean(hiddenField(rbm, negativeVisible));
  const nChains = persistentChains ?? batchSize;

  const dataU = standardize(rbm, data);
  const negativeU = standardize(rbm, negativeVisible);
  const dataCorrelation = gemm(dataU, positive.mean, undefined, { transA: true, alpha: 1 / batchSize });
  const correlationDifference = gemm(negativeU, negativeHidden, dataCorrelation, {
    transA: true,
    alpha: -1 / nChains,
  });
  const gradient: Record<ParameterKey, Value> = {
    weights: sub(correlationDifference, mul(weightDecay, rbm.weights)),
    visibleBias: standardize(rbm, sub(reduceMean(dataU, [0]), reduceMean(negativeU, [0]))),
    hiddenBias: sub(reduceMean(positive.mean, [0]), reduceMean(negativeHidden, [0])),
  };
  if (rbm.visibleLogStd !== undefined) {
    const logStdVelocity = g.input(LOG_STD_VELOCITY, 'float32', [nVisible]);
    const logStdGradient = sub(logStdStatistic(rbm, dataU, positive.mean), logStdStatistic(rbm, negativeU, negativeHidden));
    const nextVelocity = add(mul(momentum, logStdVelocity), mul(learningRate, logStdGradient));
    g.output(nextName(LOG_STD_VELOCITY), nextVelocity);
    g.output(nextName(VISIBLE_LOG_STD), clampLogStd(add(rbm.visibleLogStd, nextVelocity)));
  }

  for (const key of parameterKeys) {
    const nextVelocity = add(mul(momentum, velocity[key]), mul(learningRate, gradient[key]));
    g.output(nextName(velocityName(key)), nextVelocity);
    g.output(nextName(parameterNames[key]), add(rbm[key], nextVelocity));
  }
  if (chains !== undefined) g.output(nextName(stepNames.chains), negativeVisible);
  return g;
}

/** <u (u - 2 a / sigma - h W^T)> over rows: -dE/d log sigma averaged, u = v / sigma [rows, nVisible], h [rows, nHidden]. */
function logStdStatistic(rbm: RbmValues, u: Value, h: Value): Value {
  const twiceBias = mul(standardizedVisibleBias(rbm), 2);
  const coupling = gemm(h, rbm.weights, undefined, { transB: true });
  return reduceMean(mul(u, sub(sub(u, twiceBias), coupling)), [0]);
}

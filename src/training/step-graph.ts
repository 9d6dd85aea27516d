import { Graph, type Value } from '../graph/graph.js';
import { add, gemm, mul, neg, reduceMean, sub } from '../graph/ops/index.js';
import { clampLogStd } from '../models/machine.js';
import {
  visibleLayer,
  parameterInputs,
  rbmMachine,
  parameterKeys,
  parameterNames,
  sampleHidden,
  standardize,
  standardizedVisibleBias,
  VISIBLE_LOG_STD,
  type ParameterKey,
  type RbmValues,
} from '../models/rbm-graph.js';
import type { UnitType } from '../units/unit-type.js';
import { batchRowsInput, gatheredMinibatch } from './minibatch.js';
import { nextName, type StateInput } from '../graph/state.js';
import { negativePhase } from '../samplers/negative-phase.js';
import { adamStep, limitColumnNorms } from './optimizers.js';
import { adamDecays, OFFSET_DECAY, SPARSITY_DECAY, type FitOptions } from './options.js';
import { adamMomentNames, stepNames, velocityName } from './step-names.js';
import { ascentDirection, likelihoodGradient, plainGradient, runningMean, type Offsets, type PhaseMeans, type PhaseStatistics } from './rbm-gradient.js';

/** What fixes a training step's graph: sizes, unit types, the learning rule, the regularisers and the seed. */
export interface StepSpec
  extends Pick<FitOptions, 'batchSize' | 'k' | 'sampler' | 'chains' | 'temperatures' | 'optimizer' | 'centering' | 'sparsityTarget' | 'sparsityCost' | 'l1' | 'maxNorm' | 'fastDecay'> {
  readonly nVisible: number;
  readonly nHidden: number;
  readonly visible: UnitType;
  readonly hidden: UnitType;
  /** Rows of the training examples the minibatches are drawn from. */
  readonly nExamples: number;
  readonly seed: number;
}


/** A state tensor of the step: graph input `name` [dims] with output name_next; `fill` is its start unless the caller has one. */
export interface StepState {
  readonly name: string;
  readonly dims: readonly number[];
  readonly fill: number;
}

/**
 * One whole training step of an RBM as one graph:
 *   positive phase  h+ = E[h | v_data] of the minibatch, gathered from `examples` at `batch_rows`
 *   negative phase  v-, E[h | v-] by the sampler (negative-phase.ts): CD-k, PCD-k, FPCD-k or PT
 *   direction       d = the log-likelihood gradient <.>_data - <.>_model, centred or not, with the L2, L1 and
 *                   sparsity penalties (rbm-gradient.ts)
 *   update          SGD: velocity = momentum velocity + learning_rate d, parameter += velocity;
 *                   Adam: parameter += learning_rate m_hat / (sqrt(v_hat) + eps) of the moments of d;
 *                   then each hidden unit's weight vector is scaled back to norm maxNorm when longer.
 * Gaussian visible units with std sigma = exp(s) enter as u = v / sigma; s follows the gradient
 * <u (u - 2 a / sigma - W h)>_data - <...>_model (minus dE/ds) with the same optimiser and is clamped to
 * the units' logStdRange. Inputs: the parameters (model-file names) and every state of `state`, the examples and
 * batch rows, and scalars learning_rate, momentum, weight_decay (and fast_learning_rate for FPCD). Outputs:
 * X_next of each state X, and for persistent samplers chain_free_energy [chains] (for the mixing
 * diagnostic), for PT swap_rate [temperatures - 1].
 */
export function buildStepGraph(spec: StepSpec): { graph: Graph; state: StepState[] } {
  const { nVisible, nHidden, batchSize } = spec;
  const g = new Graph(`${spec.sampler}${spec.k}-step`, spec.seed);
  const state: StepState[] = [];
  const stateInput = (name: string, dims: readonly number[], fill = 0): Value => {
    state.push({ name, dims, fill });
    return g.input(name, 'float32', dims);
  };
  const rbm = parameterInputs(g, nVisible, nHidden, spec);
  const dims: Record<ParameterKey, number[]> = { weights: [nVisible, nHidden], visibleBias: [nVisible], hiddenBias: [nHidden] };
  for (const key of parameterKeys) state.push({ name: parameterNames[key], dims: dims[key], fill: 0 });
  const data = gatheredMinibatch(g, batchRowsInput(g, batchSize), spec.nExamples, nVisible);
  const learningRate = g.input(stepNames.learningRate, 'float32', []);
  const momentum = g.input(stepNames.momentum, 'float32', []);
  const weightDecay = g.input(stepNames.weightDecay, 'float32', []);

  const positive = sampleHidden(rbm, data);
  const negative = negativePhase(rbmMachine(rbm), [undefined, positive.sample], spec, stateInput);
  const statistics: PhaseStatistics = {
    dataU: standardize(rbm, data),
    dataHidden: positive.mean,
    modelU: standardize(rbm, negative.even[0]!),
    modelHidden: rbm.hidden.mean(negative.oddFields[1]!),
  };
  const plain = plainGradient(statistics);
  for (const [name, value] of Object.entries(negative.outputs)) g.output(name, value);
  if (negative.fast !== undefined) {
    // FPCD: fast = fastDecay fast + fast_learning_rate (<.>_data - <.>_model), no penalties.
    const fastLearningRate = g.input(stepNames.fastLearningRate, 'float32', []);
    const gradient = likelihoodGradient(rbm, plain);
    for (const key of parameterKeys) {
      const fast = negative.fast[parameterNames[key]];
      g.output(nextName(fast.name), add(mul(fast, spec.fastDecay), mul(fastLearningRate, gradient[key])));
    }
  }

  const direction = ascentDirection(rbm, plain, {
    weightDecay,
    l1: spec.l1,
    offsets: spec.centering ? runningOffsets(stateInput, plain.means, nVisible, nHidden) : undefined,
    sparsity: spec.sparsityTarget === undefined ? undefined : { estimate: runningActivity(stateInput, plain.means, spec.sparsityTarget), target: spec.sparsityTarget, cost: spec.sparsityCost },
  });

  const update = optimizerUpdate(spec, stateInput, { learningRate, momentum });
  for (const key of parameterKeys) {
    const next = update(rbm[key], direction[key]);
    g.output(nextName(parameterNames[key]), key === 'weights' && spec.maxNorm > 0 ? limitColumnNorms(next, spec.maxNorm) : next);
  }
  if (rbm.visibleLogStd !== undefined) {
    state.push({ name: VISIBLE_LOG_STD, dims: [nVisible], fill: 0 });
    const logStdDirection = sub(logStdStatistic(rbm, statistics.dataU, statistics.dataHidden), logStdStatistic(rbm, statistics.modelU, statistics.modelHidden));
    g.output(nextName(VISIBLE_LOG_STD), clampLogStd(visibleLayer(rbm), update(rbm.visibleLogStd, logStdDirection)));
  }
  return { graph: g, state };
}

/** Centering's offsets mu [nVisible], lambda [nHidden] as state, each followed by the running mean of its phase-means of the data. */
function runningOffsets(stateInput: StateInput, means: PhaseMeans, nVisible: number, nHidden: number): Offsets {
  const visible = stateInput(stepNames.visibleOffset, [nVisible]);
  const hidden = stateInput(stepNames.hiddenOffset, [nHidden]);
  visible.graph.output(nextName(visible.name), runningMean(visible, means.dataU, OFFSET_DECAY));
  hidden.graph.output(nextName(hidden.name), runningMean(hidden, means.dataHidden, OFFSET_DECAY));
  return { visible, hidden };
}

/** The sparsity penalty's estimate q [nHidden] of the hidden activations on data, as state started at the target. */
function runningActivity(stateInput: StateInput, means: PhaseMeans, target: number): Value {
  const estimate = stateInput(stepNames.hiddenActivity, [means.dataHidden.shape![0] as number], target);
  estimate.graph.output(nextName(estimate.name), runningMean(estimate, means.dataHidden, SPARSITY_DECAY));
  return estimate;
}

/** The optimiser as a function from a parameter and its ascent direction to its next value, adding its state. */
function optimizerUpdate(spec: StepSpec, stateInput: StateInput, scalars: { learningRate: Value; momentum: Value }): (param: Value, direction: Value) => Value {
  const g = scalars.learningRate.graph;
  const dimsOf = (p: Value): number[] => p.shape as number[];
  if (spec.optimizer === 'adam') {
    const t = stateInput(stepNames.adamStep, []);
    const tNext = add(t, 1);
    g.output(nextName(t.name), tNext);
    const ascentRate = neg(scalars.learningRate); // adamStep descends: p - lr m_hat / ..., and d is an ascent direction
    return (param, direction) => {
      const [mName, vName] = adamMomentNames(param.name);
      const next = adamStep(param, direction, stateInput(mName, dimsOf(param)), stateInput(vName, dimsOf(param)), tNext, ascentRate, adamDecays);
      g.output(nextName(mName), next.m);
      g.output(nextName(vName), next.v);
      return next.param;
    };
  }
  return (param, direction) => {
    const velocity = stateInput(velocityName(param.name), dimsOf(param));
    const nextVelocity = add(mul(scalars.momentum, velocity), mul(scalars.learningRate, direction));
    g.output(nextName(velocity.name), nextVelocity);
    return add(param, nextVelocity);
  };
}

/** <u (u - 2 a / sigma - h W^T)> over rows: -dE/d log sigma averaged, u = v / sigma [rows, nVisible], h [rows, nHidden]. */
function logStdStatistic(rbm: RbmValues, u: Value, h: Value): Value {
  const twiceBias = mul(standardizedVisibleBias(rbm), 2);
  const coupling = gemm(h, rbm.weights, undefined, { transB: true });
  return reduceMean(mul(u, sub(sub(u, twiceBias), coupling)), [0]);
}

/** Running one training step graph in tests: its minibatch the whole of the data, its state from the model. */
import type { RBM } from '../../src/models/rbm.js';
import type { Engine, TensorMap } from '../../src/runtime/engine.js';
import type { Matrix } from '../../src/tensor/matrix.js';
import { defaultFitOptions } from '../../src/training/options.js';
import { buildStepGraph, type StepSpec } from '../../src/training/step-graph.js';
import { nextName } from '../../src/graph/state.js';
import { stepNames } from '../../src/training/step-names.js';

/** Feeds of a training step graph whose minibatch is the whole of `data`, in order. */
export function minibatchFeeds(engine: Engine, data: Matrix): TensorMap {
  return {
    [stepNames.examples]: engine.float32(data.data, [data.rows, data.cols]),
    [stepNames.batchRows]: new engine.ort.Tensor('int64', BigInt64Array.from({ length: data.rows }, (_, i) => BigInt(i)), [data.rows]),
  };
}

/** What one step is run with besides the model: its spec (beyond the defaults), state values and scalars. */
export interface OneStep {
  readonly spec?: Partial<StepSpec>;
  /** State inputs by name (the chains, say); the others start at the graph's fill values. */
  readonly state?: Readonly<Record<string, Matrix>>;
  readonly learningRate?: number;
  readonly weightDecay?: number;
  readonly fastLearningRate?: number;
  readonly seed?: number;
}

/**
 * Run one training step of `rbm` on all of `data` (batch = its rows; PCD with chains = the rows of
 * state.chains when given, else CD), no momentum; returns every output and the change of each parameter per
 * unit of learning rate, by graph name.
 */
export async function runStep(rbm: RBM, data: Matrix, step: OneStep = {}): Promise<{ out: TensorMap; change: (name: string) => Float32Array }> {
  const { engine } = rbm;
  const chains = step.state?.[stepNames.chains];
  const spec: StepSpec = {
    ...defaultFitOptions,
    sampler: chains === undefined ? 'cd' : 'pcd',
    chains: chains?.rows ?? 1,
    ...step.spec,
    ...rbm,
    batchSize: data.rows,
    nExamples: data.rows,
    seed: step.seed ?? 11,
  };
  const { graph, state } = buildStepGraph(spec);
  const learningRate = step.learningRate ?? 1;
  const parameters = rbm.parameterFeeds();
  const feeds: TensorMap = {
    ...minibatchFeeds(engine, data),
    [stepNames.learningRate]: engine.scalar(learningRate),
    [stepNames.momentum]: engine.scalar(0),
    [stepNames.weightDecay]: engine.scalar(step.weightDecay ?? 0),
  };
  if (spec.sampler === 'fpcd') feeds[stepNames.fastLearningRate] = engine.scalar(step.fastLearningRate ?? 0);
  for (const s of state) {
    const given = step.state?.[s.name];
    const size = s.dims.reduce((a, b) => a * b, 1);
    feeds[s.name] = parameters[s.name] ?? engine.float32(given?.data ?? new Float32Array(size).fill(s.fill), s.dims);
  }
  const out = await engine.withProgram(graph, (program) => program.run(feeds));
  const change = (name: string): Float32Array => {
    const before = feeds[name].data as Float32Array;
    return (out[nextName(name)].data as Float32Array).map((x, i) => (x - before[i]) / learningRate);
  };
  return { out, change };
}

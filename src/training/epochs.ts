/**
 * The one epoch loop of every trainer (RBMs, the tied RBMs of DBM pretraining, DBMs, classifiers): each epoch
 * shuffles the examples, runs the step graph once per full minibatch (the graph gathers its rows itself, see
 * minibatch.ts; the state stays in engine tensors), then copies the parameters back to the model's host
 * arrays after checking that every one is finite, and lets the trainer measure and record the epoch. A
 * trainer's check that finds a finite blow-up throws a DivergenceError: the loop puts the previous epoch's
 * parameters back first, so a diverged model always holds its last good epoch. An aborted signal stops the
 * loop before its next step: the parameters are copied back only at an epoch's end, so the model keeps its
 * last whole epoch.
 */
import type { Graph } from '../graph/graph.js';
import type { RandomStream } from '../random/stream.js';
import type { Engine, TensorMap } from '../runtime/engine.js';
import { DivergenceError } from './divergence.js';
import { PingPongState, type StateBuffer } from './graph-state.js';
import type { MinibatchRows } from './minibatch.js';
import type { StateTensor } from './optimizers.js';

/** Progress within an epoch, for progress bars. */
export interface BatchProgress {
  /** 1-based. */
  readonly epoch: number;
  /** 1-based. */
  readonly batch: number;
  readonly batches: number;
  readonly samplesPerSecond: number;
}

/** A parameter as the step's state tensor `name` and the model's host array `values` it is copied back into. */
export interface HostParameter {
  readonly name: string;
  readonly values: Float32Array;
}

/** A parameter with its dims: the state of the step starts at its host values. */
export interface StepParameter extends HostParameter {
  readonly dims: readonly number[];
}

/**
 * The state of a step built by a trainer: its parameters (starting at their host values), then `others`
 * (chains, offsets, ...), then the optimiser's state (at its fill), as two sets of engine tensors.
 */
export function stepState(engine: Engine, parameters: readonly StepParameter[], others: readonly StateBuffer[], optimizer: readonly StateTensor[]): PingPongState {
  return new PingPongState(engine, [
    ...parameters.map((p) => ({ name: p.name, dims: p.dims, initial: p.values })),
    ...others,
    ...optimizer.map((s) => ({ name: s.name, dims: s.dims, initial: s.fill })),
  ]);
}

/** One epoch as the trainer runs it: its scalar feeds, what it does with each step's outputs, and its record. */
export interface EpochRun<R> {
  /** Scalar inputs (learning rate, momentum, ...): each fed where the step graph takes it. */
  readonly scalars: Readonly<Record<string, number>>;
  /** Called with the outputs of each step (b 0-based), e.g. to trace the chains. */
  readonly onStep?: (outputs: TensorMap, b: number) => void;
  /**
   * Called once the parameters are on the host: measure and record the epoch (and count it trained). Throw a
   * DivergenceError to stop: the previous epoch's parameters are put back.
   */
  readonly finish: (timing: EpochTiming) => Promise<R> | R;
}

/** An epoch's time: of its steps, and since it started (the trainer's measurements included). */
export interface EpochTiming {
  readonly stepSeconds: number;
  readonly elapsedSeconds: () => number;
}

export interface EpochLoop<R> {
  readonly engine: Engine;
  /** The step's state: parameters, optimiser state, chains, ... */
  readonly state: PingPongState;
  readonly minibatches: MinibatchRows;
  /** The stream each epoch's shuffle is drawn from. */
  readonly rng: RandomStream;
  /** The examples' count (the permutation's length). */
  readonly nExamples: number;
  /** The 0-based epochs to run: from `from` up to `to` - 1. */
  readonly from: number;
  readonly to: number;
  /** The model's parameters: copied back after every epoch. */
  readonly parameters: readonly HostParameter[];
  /** The step graph of an epoch, built when `graphKey` changes (default: one graph for every epoch). */
  readonly graphAt: (epoch: number) => Graph;
  readonly graphKey?: (epoch: number) => unknown;
  readonly startEpoch: (epoch: number) => EpochRun<R>;
  readonly onBatch?: (progress: BatchProgress) => void;
  readonly onEpoch?: (record: R) => void | Promise<void>;
  /** Once aborted, the loop stops before its next step, throwing the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Run the epochs of `loop` (see the file comment); returns their records. */
export async function runEpochs<R>(loop: EpochLoop<R>): Promise<R[]> {
  const { engine, state, minibatches } = loop;
  const keyAt = loop.graphKey ?? (() => undefined);
  const records: R[] = [];
  for (let epoch = loop.from; epoch < loop.to; ) {
    const key = keyAt(epoch);
    await engine.withProgram(loop.graphAt(epoch), async (program) => {
      for (; epoch < loop.to && keyAt(epoch) === key; epoch++) {
        const started = performance.now();
        const run = loop.startEpoch(epoch);
        const feeds: TensorMap = { ...minibatches.feeds };
        for (const [name, x] of Object.entries(run.scalars)) if (program.inputNames.includes(name)) feeds[name] = engine.scalar(x);
        const order = loop.rng.permutation(loop.nExamples);
        for (let b = 0; b < minibatches.count; b++) {
          loop.signal?.throwIfAborted();
          minibatches.select(order, b);
          const outputs = await state.step(program, feeds);
          run.onStep?.(outputs, b);
          loop.onBatch?.({ epoch: epoch + 1, batch: b + 1, batches: minibatches.count, samplesPerSecond: ((b + 1) * minibatches.batchSize * 1000) / (performance.now() - started) });
        }
        const stepSeconds = (performance.now() - started) / 1000;
        const lastGood = loop.parameters.map((p) => p.values.slice());
        copyBack(state, loop.parameters, epoch);
        let record: R;
        try {
          record = await run.finish({ stepSeconds, elapsedSeconds: () => (performance.now() - started) / 1000 });
        } catch (e) {
          if (e instanceof DivergenceError) loop.parameters.forEach((p, i) => p.values.set(lastGood[i]));
          throw e;
        }
        records.push(record);
        await loop.onEpoch?.(record);
      }
    });
  }
  return records;
}

/** Copy the state's parameters to the host; a DivergenceError (nothing copied) when any is NaN or infinite. */
function copyBack(state: PingPongState, parameters: readonly HostParameter[], epoch: number): void {
  const values = parameters.map((p) => state.get(p.name));
  if (!values.every((v) => v.every(Number.isFinite))) throw new DivergenceError(epoch + 1);
  parameters.forEach((p, i) => p.values.set(values[i]));
}

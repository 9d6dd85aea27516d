import type { Tensor } from 'onnxruntime-common';
import type { Engine, Program, TensorMap } from '../runtime/engine.js';
import { nextName } from '../graph/state.js';

/** A float32 state tensor: its name (a graph input X whose next value is the output X_next), dims and start. */
export interface StateBuffer {
  readonly name: string;
  readonly dims: readonly number[];
  /** The starting values (copied), or a number to fill with. */
  readonly initial: ArrayLike<number> | number;
}

/**
 * The state of a training loop as two sets of engine tensors, read from one and written into the other by
 * each graph run (pre-allocated outputs X_next: no allocation per step), then swapped.
 */
export class PingPongState {
  private current: TensorMap;
  private next: TensorMap;

  constructor(
    engine: Engine,
    readonly buffers: readonly StateBuffer[],
  ) {
    const allocate = (): TensorMap =>
      Object.fromEntries(buffers.map((b) => [b.name, engine.float32(new Float32Array(b.dims.reduce((x, y) => x * y, 1)), b.dims)]));
    this.current = allocate();
    this.next = allocate();
    for (const b of buffers) {
      const data = this.get(b.name);
      if (typeof b.initial === 'number') data.fill(b.initial);
      else if (b.initial.length !== data.length) throw new Error(`state ${b.name}: ${b.initial.length} values for dims [${b.dims.join(', ')}]`);
      else data.set(b.initial);
    }
  }

  /** The current values of state `name` (a view: copy it to keep it across steps). */
  get(name: string): Float32Array {
    const t = this.current[name];
    if (t === undefined) throw new Error(`no state tensor ${name}`);
    return t.data as Float32Array;
  }

  /** Run `program` on `feeds` and the current state, writing the next state; returns the other outputs. */
  async step(program: Program, feeds: TensorMap): Promise<TensorMap> {
    const into: Record<string, Tensor> = {};
    for (const name of Object.keys(this.next)) into[nextName(name)] = this.next[name];
    const results = await program.run({ ...feeds, ...this.current }, into);
    [this.current, this.next] = [this.next, this.current];
    return results;
  }
}

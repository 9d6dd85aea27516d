/**
 * Minibatches gathered inside a step graph: the graph takes all the training `examples` [nExamples, width]
 * (fed once, never copied) and the rows of this step's minibatch `batch_rows` (int64 [batch]), and gathers
 * x = examples[batch_rows] itself (ONNX Gather on axis 0). JavaScript only writes batch_rows, `batch` integers
 * per step, from the epoch's permutation of the examples: minibatch b of an epoch is order[b * batch ..
 * (b + 1) * batch), and the N mod batch examples left over sit the epoch out.
 */
import type { Tensor } from 'onnxruntime-common';
import type { Graph, Value } from '../graph/graph.js';
import { gather } from '../graph/ops/index.js';
import type { Engine, TensorMap } from '../runtime/engine.js';
import type { Matrix } from '../tensor/matrix.js';

/** The inputs of a step that gathers its minibatch: all the training `examples` and the minibatch's `batch_rows`. */
export const minibatchNames = { examples: 'examples', batchRows: 'batch_rows' } as const;

/** The graph input `batch_rows` (int64 [batchSize]): the rows of this step's minibatch. */
export function batchRowsInput(g: Graph, batchSize: number): Value {
  return g.input(minibatchNames.batchRows, 'int64', [batchSize]);
}

/**
 * The graph input `name` (default `examples`), all the training rows [nExamples, width], gathered at `rows`
 * (batchRowsInput): the minibatch [batchSize, width].
 */
export function gatheredMinibatch(g: Graph, rows: Value, nExamples: number, width: number, name: string = minibatchNames.examples): Value {
  return gather(g.input(name, 'float32', [nExamples, width]), rows);
}

/** The host side: the feeds of all the examples and of batch_rows, which `select` points at one minibatch. */
export class MinibatchRows {
  /** Full minibatches per epoch. */
  readonly count: number;
  /** `batch_rows` and every `name: matrix` given to the constructor (`examples` by default), as engine tensors. */
  readonly feeds: TensorMap;
  private readonly rows: BigInt64Array;

  /** `inputs`: the matrices gathered by the graph, by input name, all with the same rows (e.g. examples and targets). */
  constructor(
    engine: Engine,
    readonly batchSize: number,
    inputs: Readonly<Record<string, Matrix>>,
  ) {
    const matrices = Object.values(inputs);
    const examples = matrices[0]?.rows ?? 0;
    if (!matrices.every((m) => m.rows === examples)) throw new Error('MinibatchRows: every gathered input needs the same rows');
    if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= examples)) throw new RangeError(`batchSize ${batchSize} must be an integer from 1 to the ${examples} examples`);
    this.count = Math.floor(examples / batchSize);
    this.rows = new BigInt64Array(batchSize);
    const tensor: Tensor = new engine.ort.Tensor('int64', this.rows, [batchSize]);
    this.feeds = { [minibatchNames.batchRows]: tensor };
    for (const [name, m] of Object.entries(inputs)) this.feeds[name] = engine.float32(m.data, [m.rows, m.cols]);
  }

  /** Point batch_rows at minibatch `b` (0-based) of the epoch's permutation `order`. */
  select(order: ArrayLike<number>, b: number): void {
    for (let r = 0; r < this.batchSize; r++) this.rows[r] = BigInt(order[b * this.batchSize + r]);
  }
}

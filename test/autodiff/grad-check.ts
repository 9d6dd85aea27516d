/**
 * Gradient checks: the gradients that `gradients` builds, run by onnxruntime, against central finite
 * differences of the same graph's loss (float64 by default; float32 with `FLOAT32_CHECK`).
 */
import { expect } from 'vitest';
import { gradients } from '../../src/autodiff/index.js';
import type { DType } from '../../src/graph/dtype.js';
import { Graph, type Value } from '../../src/graph/graph.js';
import { mul, reduceSum } from '../../src/graph/ops/index.js';
import type { Engine } from '../../src/runtime/engine.js';
import { expectAllClose, seededRandom, size } from '../helpers/reference.js';

export interface CheckInput {
  readonly name: string;
  /** The dims at run time. */
  readonly dims: readonly number[];
  /** The shape declared to the builder (default: dims); may hold symbolic names. */
  readonly shape?: readonly (number | string)[];
  /** The values (default: uniform in [lo, hi)). */
  readonly values?: ArrayLike<number>;
  readonly lo?: number;
  readonly hi?: number;
  /** Whether to differentiate with respect to this input (default true). */
  readonly wrt?: boolean;
}

/**
 * Finite differences of a float32 graph: step 1e-2 and relative error 1e-2 (absolute 2e-3). The loss sum(y r)
 * of a few dozen O(1) terms is rounded to about 1e-7 * 30, so the central difference carries a rounding error
 * near 3e-6 / (2h) ~ 2e-4 at h = 1e-2, while its truncation error h^2 / 6 * f''' stays below ~1e-4 for the
 * inputs used (kept 0.05 or more away from kinks such as |x|, max(a, b) or a cast to integers). A smaller step
 * drowns in rounding (at h = 1e-4 the rounding error alone nears 2e-2), a larger one in curvature.
 */
export const FLOAT32_CHECK: CheckOptions = { dtype: 'float32', h: 1e-2, rtol: 1e-2, atol: 2e-3 };

export interface CheckOptions {
  readonly dtype?: DType;
  /** Finite-difference step (default 1e-5). */
  readonly h?: number;
  readonly rtol?: number;
  readonly atol?: number;
  readonly seed?: number;
}

/**
 * Build `f` on float64 inputs, reduce its output y to the scalar loss sum(y * r) with fixed random r (so that
 * every output element counts, each differently), and check d(loss)/d(x) from `gradients` against central
 * differences (loss(x + h e_i) - loss(x - h e_i)) / 2h for every element of every input with wrt !== false.
 * Returns the analytic gradients by input name.
 */
export async function checkGradients(
  engine: Engine,
  f: (xs: Value[], g: Graph) => Value,
  inputs: readonly CheckInput[],
  options: CheckOptions = {},
): Promise<Record<string, Float64Array>> {
  const { dtype = 'float64', h = 1e-5, rtol = 1e-6, atol = 1e-7, seed = 7 } = options;
  const rand = seededRandom(seed);
  const g = new Graph('grad-check');
  const xs = inputs.map((x) => g.input(x.name, dtype, x.shape ?? x.dims));
  const y = f(xs, g);
  if (y.shape === undefined) throw new Error('checkGradients: the output shape must be known');
  const yDims = y.shape.map((d) => (typeof d === 'number' ? d : NaN));
  let loss = y;
  if (y.shape.length > 0) {
    if (yDims.some(Number.isNaN)) throw new Error('checkGradients: symbolic output dims: reduce them inside f');
    const r = g.constant(Array.from({ length: size(yDims) }, () => 0.5 + rand()), dtype, yDims);
    loss = reduceSum(mul(y, r), yDims.map((_, i) => i));
  }
  const wrt = inputs.flatMap((x, i) => (x.wrt === false ? [] : [xs[i]]));
  const grads = gradients(loss, wrt);
  g.output('loss', loss);
  grads.forEach((gr, i) => g.output(`grad_${wrt[i].name}`, gr));
  const program = await engine.compile(g);

  const values = inputs.map((x) => Float64Array.from(x.values ?? Array.from({ length: size(x.dims) }, () => (x.lo ?? -1) + ((x.hi ?? 1) - (x.lo ?? -1)) * rand())));
  const tensorType = dtype === 'float64' ? 'float64' : 'float32';
  // The value fed: a float32 graph sees x + h rounded, and the difference quotient divides by the real step.
  const fed = tensorType === 'float64' ? (v: number): number => v : Math.fround;
  const feeds = () =>
    Object.fromEntries(
      inputs.map((x, i) => [x.name, new engine.ort.Tensor(tensorType, tensorType === 'float64' ? Float64Array.from(values[i]) : Float32Array.from(values[i]), x.dims)]),
    );
  const lossAt = async (): Promise<number> => Number((await program.run(feeds())).loss.data[0]);

  const results = await program.run(feeds());
  const analytic: Record<string, Float64Array> = {};
  for (const x of wrt) {
    const t = results[`grad_${x.name}`];
    const k = inputs.findIndex((i) => i.name === x.name);
    expect(t.dims, `dims of the gradient of ${x.name}`).toEqual(inputs[k].dims);
    analytic[x.name] = Float64Array.from(t.data as Float64Array);
    const numeric = new Float64Array(values[k].length);
    for (let e = 0; e < values[k].length; e++) {
      const keep = values[k][e];
      values[k][e] = keep + h;
      const up = await lossAt();
      values[k][e] = keep - h;
      const down = await lossAt();
      values[k][e] = keep;
      numeric[e] = (up - down) / (fed(keep + h) - fed(keep - h));
    }
    expectAllClose(analytic[x.name], numeric, { rtol, atol }, `d loss / d ${x.name}`);
  }
  return analytic;
}

/** The optimiser fragments' edge cases: clipping empty lists and scalars, weight decay, dtypes, shapes it refuses, option ranges. */
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, type Value } from '../../src/graph/graph.js';
import { add, mul, sub } from '../../src/graph/ops/index.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { addOptimizer, checkOptimizerOptions, clipByGlobalNorm, defaultOptimizerOptions, optimizerNames, type OptimizerOptions } from '../../src/training/optimizers.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

/** The value `x` with its shape unknown (an Identity whose output shape is not declared). */
const unknownShape = (x: Value): Value => x.graph.node('Identity', [x], [{ dtype: x.dtype, shape: undefined }])[0];

/** Clips a scalar s and a vector v of 2 together to maxNorm, running the graph on s = 3, v = [0, 4] (norm 5). */
async function clipped(maxNorm: number, scalar: (s: Value) => Value = (s) => s): Promise<{ s: number[]; v: number[] }> {
  const g = new Graph('clip-scalar');
  const s = g.input('s', 'float32', []);
  const v = g.input('v', 'float32', [2]);
  const [cs, cv] = clipByGlobalNorm([scalar(s), v], maxNorm);
  g.output('cs', cs);
  g.output('cv', cv);
  const r = await (await engine.compile(g)).run({ s: engine.scalar(3), v: engine.float32(Float32Array.of(0, 4), [2]) });
  return { s: Array.from(r.cs.data as Float32Array), v: Array.from(r.cv.data as Float32Array) };
}

describe('clipByGlobalNorm', () => {
  it('returns no gradients for none', () => {
    expect(clipByGlobalNorm([], 1)).toEqual([]);
  });

  it('takes a scalar (rank-0) gradient into the global norm', async () => {
    expect(await clipped(1)).toEqual({ s: [Math.fround(0.6)], v: [0, Math.fround(0.8)] });
    expect(await clipped(10)).toEqual({ s: [3], v: [0, 4] });
  });

  it('takes a gradient of unknown shape as it is, without reducing it', async () => {
    expect(await clipped(1, unknownShape)).toEqual({ s: [Math.fround(0.6)], v: [0, Math.fround(0.8)] });
  });
});

describe('addOptimizer', () => {
  it('with no parameters: no state, and a float32 learning rate', () => {
    const g = new Graph('no-params');
    expect(addOptimizer(g, [])).toEqual([]);
    expect(g.valueNamed(optimizerNames.learningRate)?.dtype).toBe('float32');
    expect(g.valueNamed(optimizerNames.learningRate)?.shape).toEqual([]);
  });

  it('takes the learning rate in the dtype of the parameters, and decays the parameters that take decay (float64, exact)', async () => {
    const g = new Graph('decay-float64');
    const p = g.input('p', 'float64', [2]);
    const q = g.input('q', 'float64', [2]);
    const gp = g.input('gp', 'float64', [2]);
    const gq = g.input('gq', 'float64', [2]);
    const state = addOptimizer(g, [{ param: p, grad: gp }, { param: q, grad: gq, decay: false }], { momentum: 0, weightDecay: 0.5 });
    expect(state).toEqual([]);
    expect(g.valueNamed(optimizerNames.learningRate)?.dtype).toBe('float64');
    const f64 = (xs: number[], dims: number[] = [2]) => new engine.ort.Tensor('float64', Float64Array.from(xs), dims);
    const lr = 0.1;
    const r = await (await engine.compile(g)).run({ p: f64([1, 2]), q: f64([3, 4]), gp: f64([1, -1]), gq: f64([0.5, -0.25]), learning_rate: f64([lr], []) });
    expect(Array.from(r.p_next.data as Float64Array)).toEqual([1 - lr * (1 + 1 * 0.5), 2 - lr * (-1 + 2 * 0.5)]);
    expect(Array.from(r.q_next.data as Float64Array)).toEqual([3 - lr * 0.5, 4 - lr * -0.25]);
  });

  it('with weightDecay 0 adds no decay term: decayed and undecayed parameters give the same graph', () => {
    const nodes = (decay: boolean, weightDecay: number): number => {
      const g = new Graph('decay-nodes');
      const p = g.input('p', 'float32', [2]);
      addOptimizer(g, [{ param: p, grad: add(mul(p, 2), 1), decay }], { momentum: 0, weightDecay });
      return g.nodeList.length;
    };
    expect(nodes(true, 0)).toBe(nodes(false, 0));
    expect(nodes(true, 0.1)).toBeGreaterThan(nodes(false, 0.1));
  });

  it('refuses parameters of unknown or symbolic shape when it keeps state for them', () => {
    /** The message addOptimizer throws for a parameter made by `param` ('' when it accepts it), with the parameter's name as W. */
    const refusal = (param: (g: Graph) => Value, options: Partial<OptimizerOptions>): string => {
      const g = new Graph('shapes');
      const w = param(g);
      try {
        addOptimizer(g, [{ param: w, grad: sub(w, 1) }], options);
        return '';
      } catch (e) {
        return (e as Error).message.replace(`: ${w.name} `, ': W ');
      }
    };
    const symbolic = (g: Graph) => g.input('w', 'float32', ['n', 3]);
    const unknown = (g: Graph) => unknownShape(g.input('w', 'float32', [3]));
    const message = 'addOptimizer: W needs a known numeric shape';
    expect(refusal(symbolic, { momentum: 0.9 })).toBe(message);
    expect(refusal(symbolic, { optimizer: 'adam' })).toBe(message);
    expect(refusal(unknown, { momentum: 0.9 })).toBe(message);
    expect(refusal(unknown, { optimizer: 'adam' })).toBe(message);
    expect(refusal(symbolic, { momentum: 0 })).toBe('');
    expect(refusal((g) => g.input('w', 'float32', [2, 3]), { momentum: 0.9 })).toBe('');
  });
});

describe('checkOptimizerOptions', () => {
  const d = defaultOptimizerOptions;
  const rangeError = (o: Partial<OptimizerOptions>, message: string) => {
    let error: unknown;
    try {
      checkOptimizerOptions({ ...d, ...o });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe(message);
  };

  it('epsilon, weightDecay, clipNorm: 0 accepted; negatives, NaN and Infinity refused', () => {
    expect(() => checkOptimizerOptions({ ...d, epsilon: 0, weightDecay: 0, clipNorm: 0 })).not.toThrow();
    rangeError({ weightDecay: -0.1 }, 'weightDecay must be a finite number >= 0, got -0.1');
    rangeError({ epsilon: -1e-8 }, 'epsilon must be a finite number >= 0, got -1e-8');
    rangeError({ clipNorm: Infinity }, 'clipNorm must be a finite number >= 0, got Infinity');
    rangeError({ clipNorm: NaN }, 'clipNorm must be a finite number >= 0, got NaN');
  });

  it('momentum, beta1, beta2: 0 accepted, 1 refused', () => {
    expect(() => checkOptimizerOptions({ ...d, momentum: 0, beta1: 0, beta2: 0 })).not.toThrow();
    rangeError({ momentum: 1 }, 'momentum must be in [0, 1), got 1');
    rangeError({ beta1: -0.1 }, 'beta1 must be in [0, 1), got -0.1');
    rangeError({ beta2: Infinity }, 'beta2 must be in [0, 1), got Infinity');
    rangeError({ optimizer: 'rmsprop' as 'sgd' }, 'optimizer must be sgd or adam, got rmsprop');
  });
});

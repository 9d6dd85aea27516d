/**
 * The optimiser fragments, run for several steps as whole graphs (gradient by autodiff, update, ping-pong
 * state), against float64 JS references of SGD with momentum, Adam with bias correction, clipping by global
 * norm and L2 weight decay.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gradients } from '../../src/autodiff/index.js';
import { Graph } from '../../src/graph/graph.js';
import { mul, reduceSum, square, sub } from '../../src/graph/ops/index.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { PingPongState } from '../../src/training/graph-state.js';
import { addMinimizer, addOptimizer, checkOptimizerOptions, defaultOptimizerOptions, optimizerNames, type OptimizerOptions } from '../../src/training/optimizers.js';
import { expectAllClose, seededRandom } from '../helpers/reference.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const rand = seededRandom(11);
const init = { a: Array.from({ length: 6 }, () => rand() * 2 - 1), b: Array.from({ length: 3 }, () => rand() * 2 - 1) };
const target = { a: Array.from({ length: 6 }, () => rand() * 2 - 1), b: Array.from({ length: 3 }, () => rand() * 2 - 1) };
const scale = { a: Array.from({ length: 6 }, () => 0.5 + 3 * rand()), b: Array.from({ length: 3 }, () => 0.5 + 3 * rand()) };

/** The loss sum_i scale_i (p_i - target_i)^2 / 2 over both parameters, and its gradient scale (p - target). */
const gradOf = (key: 'a' | 'b', p: readonly number[]): number[] => p.map((x, i) => scale[key][i] * (x - target[key][i]));

/** The float64 reference: `steps` steps of the optimiser on the quadratic loss; b is not decayed. */
function reference(o: OptimizerOptions, lr: number, steps: number): { a: number[]; b: number[] } {
  const p = { a: [...init.a], b: [...init.b] };
  const m = { a: init.a.map(() => 0), b: init.b.map(() => 0) };
  const v = { a: init.a.map(() => 0), b: init.b.map(() => 0) };
  for (let t = 1; t <= steps; t++) {
    let g = { a: gradOf('a', p.a), b: gradOf('b', p.b) };
    if (o.clipNorm > 0) {
      const norm = Math.sqrt([...g.a, ...g.b].reduce((s, x) => s + x * x, 0));
      const c = Math.min(1, o.clipNorm / norm);
      g = { a: g.a.map((x) => x * c), b: g.b.map((x) => x * c) };
    }
    g.a = g.a.map((x, i) => x + o.weightDecay * p.a[i]);
    for (const key of ['a', 'b'] as const) {
      for (let i = 0; i < p[key].length; i++) {
        const gi = g[key][i];
        if (o.optimizer === 'adam') {
          m[key][i] = o.beta1 * m[key][i] + (1 - o.beta1) * gi;
          v[key][i] = o.beta2 * v[key][i] + (1 - o.beta2) * gi * gi;
          // The graph holds beta1 and beta2 as float32 constants: 1 - beta2^t for small t shows their rounding.
          const mHat = m[key][i] / (1 - Math.fround(o.beta1) ** t);
          const vHat = v[key][i] / (1 - Math.fround(o.beta2) ** t);
          p[key][i] -= (lr * mHat) / (Math.sqrt(vHat) + o.epsilon);
        } else {
          m[key][i] = o.momentum * m[key][i] - lr * gi;
          p[key][i] += o.momentum > 0 ? m[key][i] : -lr * gi;
        }
      }
    }
  }
  return p;
}

async function runGraph(o: OptimizerOptions, lr: number, steps: number, how: 'optimizer' | 'minimizer' = 'optimizer'): Promise<{ a: Float32Array; b: Float32Array; state: string[] }> {
  const g = new Graph('optimizer-test');
  const a = g.input('a', 'float32', [2, 3]);
  const b = g.input('b', 'float32', [3]);
  const term = (p: typeof a, key: 'a' | 'b') => {
    const dims = key === 'a' ? [2, 3] : [3];
    const d = sub(p, g.constant(target[key], 'float32', dims));
    return reduceSum(mul(square(d), g.constant(scale[key].map((s) => s / 2), 'float32', dims)), dims.map((_, i) => i));
  };
  const loss = sub(term(a, 'a'), mul(term(b, 'b'), -1));
  let state;
  if (how === 'minimizer') {
    state = addMinimizer(loss, [{ param: a }, { param: b, decay: false }], o);
  } else {
    const [ga, gb] = gradients(loss, [a, b]);
    state = addOptimizer(g, [{ param: a, grad: ga }, { param: b, grad: gb, decay: false }], o);
  }
  const buffers = new PingPongState(engine, [
    { name: 'a', dims: [2, 3], initial: init.a },
    { name: 'b', dims: [3], initial: init.b },
    ...state.map((s) => ({ name: s.name, dims: s.dims, initial: s.fill })),
  ]);
  const program = await engine.compile(g);
  for (let t = 0; t < steps; t++) await buffers.step(program, { [optimizerNames.learningRate]: engine.scalar(lr) });
  return { a: buffers.get('a').slice(), b: buffers.get('b').slice(), state: state.map((s) => s.name) };
}

const d = defaultOptimizerOptions;
describe('optimisers as graph updates, against float64 references', () => {
  const cases: [string, OptimizerOptions, number][] = [
    ['plain SGD', { ...d, momentum: 0 }, 0.1],
    ['SGD with momentum', { ...d, momentum: 0.9 }, 0.05],
    ['SGD with momentum and weight decay', { ...d, momentum: 0.5, weightDecay: 0.1 }, 0.05],
    ['SGD with clipping by global norm', { ...d, momentum: 0.5, clipNorm: 0.5 }, 0.1],
    ['Adam', { ...d, optimizer: 'adam' }, 0.05],
    ['Adam with weight decay and clipping', { ...d, optimizer: 'adam', beta1: 0.8, beta2: 0.99, weightDecay: 0.05, clipNorm: 1 }, 0.1],
  ];
  for (const [name, o, lr] of cases) {
    for (const how of ['optimizer', 'minimizer'] as const) {
      it(`${name} (add${how === 'optimizer' ? 'Optimizer on given gradients' : 'Minimizer on the loss'})`, async () => {
        const steps = 7;
        const got = await runGraph(o, lr, steps, how);
        const want = reference(o, lr, steps);
        expectAllClose(got.a, want.a, { rtol: 1e-5, atol: 1e-6 }, 'a');
        expectAllClose(got.b, want.b, { rtol: 1e-5, atol: 1e-6 }, 'b');
      });
    }
  }

  it('addMinimizer with learning rate 0 leaves the parameters alone, clipping included', async () => {
    const got = await runGraph({ ...d, momentum: 0.5, clipNorm: 0.5, weightDecay: 0.1 }, 0, 3, 'minimizer');
    expectAllClose(got.a, Float32Array.from(init.a), { rtol: 0, atol: 0 });
  });

  it('names its state after the parameters', async () => {
    expect((await runGraph({ ...d, momentum: 0 }, 0.1, 1)).state).toEqual([]);
    expect((await runGraph({ ...d, momentum: 0.9 }, 0.1, 1)).state).toEqual(['a_velocity', 'b_velocity']);
    expect((await runGraph({ ...d, optimizer: 'adam' }, 0.1, 1)).state).toEqual(['adam_step', 'a_adam_m', 'a_adam_v', 'b_adam_m', 'b_adam_v']);
    expect((await runGraph({ ...d, momentum: 0.9 }, 0.1, 1, 'minimizer')).state).toEqual(['a_velocity', 'b_velocity']);
  });

  it('clipping leaves gradients below the norm alone (the global norm of the first step is about 4)', async () => {
    const o = { ...d, momentum: 0, clipNorm: 1000 };
    const got = await runGraph(o, 0.1, 3);
    const want = reference({ ...o, clipNorm: 0 }, 0.1, 3);
    expectAllClose(got.a, want.a, { rtol: 1e-5, atol: 1e-6 });
  });

  it('rejects options out of range', () => {
    expect(() => checkOptimizerOptions({ ...d, momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
    expect(() => checkOptimizerOptions({ ...d, beta2: -0.1 })).toThrow(/beta2/);
    expect(() => checkOptimizerOptions({ ...d, clipNorm: NaN })).toThrow(/clipNorm/);
    expect(() => checkOptimizerOptions({ ...d, optimizer: 'rmsprop' as 'sgd' })).toThrow(/sgd or adam/);
  });
});

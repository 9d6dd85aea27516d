/**
 * Statistical checks of the random ops. Every graph has a fixed seed, so each check is deterministic; the
 * bounds are 5 standard errors of the statistic, which a correct sampler exceeds with probability < 1e-6.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, type Value } from '../../../src/graph/graph.js';
import * as op from '../../../src/graph/ops/index.js';
import type { Engine, TensorMap } from '../../../src/runtime/engine.js';
import { createNodeEngine } from '../../../src/runtime/node.js';
import { correlation, extent, mean, variance } from '../../helpers/reference.js';
import { evaluate, numbers } from '../../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
const otherEngine = createNodeEngine({ threads: 2 });
afterAll(async () => {
  await engine.dispose();
  await otherEngine.dispose();
});

const N = 100_000;
const zeros = new Float32Array(N);

/** A graph over a dummy input x of N zeros whose outputs are `build(x)`. */
async function draw(seed: number, build: (x: Value) => Record<string, Value>, on: Engine = engine): Promise<TensorMap> {
  const g = new Graph('random', seed);
  const x = g.input('x', 'float32', [N]);
  return evaluate(on, g, build(x), { x: on.float32(zeros, [N]) });
}

/** Asserts |estimate - expected| <= 5 standard errors. */
function expectWithin5SE(estimate: number, expected: number, standardError: number, label: string): void {
  expect(Math.abs(estimate - expected), `${label}: ${estimate} vs ${expected} (SE ${standardError})`).toBeLessThanOrEqual(
    5 * standardError,
  );
}

describe('randomUniformLike', () => {
  it('draws uniform [0, 1): range, mean, variance and decile counts', async () => {
    const r = await draw(1, (x) => ({ u: op.randomUniformLike(x) }));
    const u = numbers(r.u);
    expect(u.length).toBe(N);
    const [lo, hi] = extent(u);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expectWithin5SE(mean(u), 0.5, Math.sqrt(1 / 12 / N), 'mean');
    expectWithin5SE(variance(u), 1 / 12, Math.sqrt((1 / 80 - 1 / 144) / N), 'variance');
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < N; i++) counts[Math.floor(u[i] * 10)] += 1;
    for (const c of counts) expectWithin5SE(c / N, 0.1, Math.sqrt(0.09 / N), 'decile');
  });

  it('never reaches 1 in 4 million draws (so u < p is always true at p = 1)', async () => {
    const big = 1 << 22;
    const g = new Graph('uniform-max', 5);
    const x = g.input('x', 'float32', [big]);
    const m = op.reduceMax(op.randomUniformLike(x), [0]);
    const r = await evaluate(engine, g, { m }, { x: engine.float32(new Float32Array(big), [big]) });
    expect(numbers(r.m)[0]).toBeLessThan(1);
    expect(numbers(r.m)[0]).toBeGreaterThan(0.999);
  });

  it('follows the dtype and shape of its argument, float64 included', async () => {
    const g = new Graph('uniform-f64', 9);
    const x = g.input('x', 'float64', ['batch', 1000]);
    const u = op.randomUniformLike(x);
    expect(u.dtype).toBe('float64');
    expect(u.shape).toEqual(['batch', 1000]);
    const r = await evaluate(engine, g, { u }, { x: new engine.ort.Tensor('float64', new Float64Array(3000), [3, 1000]) });
    const v = numbers(r.u, 'float64');
    expect(r.u.dims).toEqual([3, 1000]);
    const [lo, hi] = extent(v);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expectWithin5SE(mean(v), 0.5, Math.sqrt(1 / 12 / 3000), 'mean');
  });
});

describe('randomNormalLike', () => {
  it('draws standard normals: mean 0, variance 1, P(|z| < 1) = 0.6827', async () => {
    const r = await draw(2, (x) => ({ z: op.randomNormalLike(x) }));
    const z = numbers(r.z);
    expect(Array.from(z).every(Number.isFinite)).toBe(true);
    expectWithin5SE(mean(z), 0, Math.sqrt(1 / N), 'mean');
    expectWithin5SE(variance(z), 1, Math.sqrt(2 / N), 'variance');
    const inside = Array.from(z).filter((v) => Math.abs(v) < 1).length / N;
    expectWithin5SE(inside, 0.682689, Math.sqrt((0.682689 * 0.317311) / N), 'P(|z| < 1)');
  });
});

describe('bernoulli', () => {
  const ps = [0, 0.001, 0.05, 0.3, 0.5, 0.77, 0.999, 1];
  const rows = 20_000;

  it('has mean p per element, exactly 0 at p = 0 and exactly 1 at p = 1', async () => {
    const g = new Graph('bernoulli', 3);
    const p = g.input('p', 'float32', ['rows', ps.length]);
    const b = op.bernoulli(p);
    expect(b.dtype).toBe('float32');
    expect(b.shape).toEqual(['rows', ps.length]);
    const probs = new Float32Array(rows * ps.length);
    for (let i = 0; i < rows; i++) probs.set(ps, i * ps.length);
    const r = await evaluate(engine, g, { b }, { p: engine.float32(probs, [rows, ps.length]) });
    const v = numbers(r.b);
    expect(Array.from(v).every((x) => x === 0 || x === 1)).toBe(true);
    ps.forEach((pj, j) => {
      let ones = 0;
      for (let i = 0; i < rows; i++) ones += v[i * ps.length + j];
      const fp = Math.fround(pj); // the probability the graph sees
      if (pj === 0) expect(ones, 'p = 0 never gives 1').toBe(0);
      else if (pj === 1) expect(ones, 'p = 1 always gives 1').toBe(rows);
      else expectWithin5SE(ones / rows, fp, Math.sqrt((fp * (1 - fp)) / rows), `p = ${pj}`);
    });
  });

  it('draws independently across elements: neighbours are uncorrelated', async () => {
    const g = new Graph('bernoulli-half', 4);
    const p = g.input('p', 'float32', [N]);
    const r = await evaluate(engine, g, { b: op.bernoulli(p) }, { p: engine.float32(new Float32Array(N).fill(0.5), [N]) });
    const v = Array.from(numbers(r.b));
    expect(Math.abs(correlation(v.slice(0, -1), v.slice(1)))).toBeLessThan(5 / Math.sqrt(N));
  });

  it('works in float64', async () => {
    const g = new Graph('bernoulli-f64', 6);
    const p = g.input('p', 'float64', [N]);
    const b = op.bernoulli(p);
    expect(b.dtype).toBe('float64');
    const r = await evaluate(engine, g, { b }, { p: new engine.ort.Tensor('float64', new Float64Array(N).fill(0.2), [N]) });
    expectWithin5SE(mean(numbers(r.b, 'float64')), 0.2, Math.sqrt(0.16 / N), 'mean');
  });
});

describe('streams', () => {
  const maxCorrelation = 5 / Math.sqrt(N);

  it('two random nodes in one graph draw different, uncorrelated streams', async () => {
    const r = await draw(7, (x) => ({
      u1: op.randomUniformLike(x),
      u2: op.randomUniformLike(x),
      z1: op.randomNormalLike(x),
      z2: op.randomNormalLike(x),
    }));
    const [u1, u2, z1, z2] = [r.u1, r.u2, r.z1, r.z2].map((t) => Array.from(numbers(t)));
    expect(u1).not.toEqual(u2);
    expect(z1).not.toEqual(z2);
    expect(Math.abs(correlation(u1, u2))).toBeLessThan(maxCorrelation);
    expect(Math.abs(correlation(z1, z2))).toBeLessThan(maxCorrelation);
    expect(Math.abs(correlation(u1, z1))).toBeLessThan(maxCorrelation);
  });

  it('the same graph seed gives the same first draw in two engines, and again in the same engine', async () => {
    const build = (x: Value) => ({ u: op.randomUniformLike(x), z: op.randomNormalLike(x) });
    const first = await draw(42, build, engine);
    const again = await draw(42, build, otherEngine);
    expect(Array.from(numbers(again.u))).toEqual(Array.from(numbers(first.u)));
    expect(Array.from(numbers(again.z))).toEqual(Array.from(numbers(first.z)));
    const sameEngine = await draw(42, build, engine);
    expect(Array.from(numbers(sameEngine.u))).toEqual(Array.from(numbers(first.u)));
  });

  it('the streams advance the same way in two engines, run after run', async () => {
    const runTwice = (on: Engine): Promise<number[][]> => {
      const g = new Graph('twice', 42);
      const x = g.input('x', 'float32', [N]);
      g.output('u', op.randomUniformLike(x));
      const feeds = { x: on.float32(zeros, [N]) };
      return on.withProgram(g, async (p) => [
        Array.from(numbers((await p.run(feeds)).u)),
        Array.from(numbers((await p.run(feeds)).u)),
      ]);
    };
    const [a1, a2] = await runTwice(engine);
    const [b1, b2] = await runTwice(otherEngine);
    expect(b1).toEqual(a1);
    expect(b2).toEqual(a2);
    expect(a2).not.toEqual(a1);
  });

  it('a second run of the same program draws new numbers', async () => {
    const g = new Graph('advance', 11);
    const x = g.input('x', 'float32', [N]);
    g.output('u', op.randomUniformLike(x));
    const feeds = { x: engine.float32(zeros, [N]) };
    const [a, b] = await engine.withProgram(g, async (program) => [
      Array.from(numbers((await program.run(feeds)).u)),
      Array.from(numbers((await program.run(feeds)).u)),
    ]);
    expect(b).not.toEqual(a);
    expect(Math.abs(correlation(a, b))).toBeLessThan(maxCorrelation);
  });

  it('different graph seeds draw different, uncorrelated numbers', async () => {
    const build = (x: Value) => ({ u: op.randomUniformLike(x) });
    const seeds = [0, 1, 2, 1000, 2 ** 24 - 1, 2 ** 31 - 1];
    const draws = await Promise.all(seeds.map(async (s) => Array.from(numbers((await draw(s, build, otherEngine)).u))));
    for (let i = 0; i < draws.length; i++) {
      for (let j = i + 1; j < draws.length; j++) {
        expect(draws[j], `seeds ${seeds[i]} and ${seeds[j]}`).not.toEqual(draws[i]);
        expect(Math.abs(correlation(draws[i], draws[j])), `seeds ${seeds[i]} and ${seeds[j]}`).toBeLessThan(maxCorrelation);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { RandomStream } from '../../src/random/stream.js';
import { UserError } from '../../src/errors.js';
import { binomial, isUnitName, MAX_UNIT_COUNT, softmax, unitType } from '../../src/units/index.js';
import { expectAllClose } from '../helpers/reference.js';
import { evaluate, numbers } from '../helpers/run-graph.js';
import { groupReference } from '../reference/units-exact.js';

const engine = createNodeEngine({ threads: 1 });

/** Fields [rows, n] spanning small and large values, and biases [n]. */
function fields(rows: number, n: number, seed: number, scale = 3): Float32Array {
  const rng = new RandomStream(seed);
  return Float32Array.from({ length: rows * n }, () => scale * rng.normal());
}

async function runUnit(name: string, field: Float32Array, rows: number, n: number, bias: Float32Array, x: Float32Array) {
  const units = unitType(name);
  const g = new Graph(`unit-${name}`, 5);
  const f = g.input('field', 'float32', [rows, n]);
  const xs = g.input('x', 'float32', [rows, n]);
  const b = g.input('bias', 'float32', [n]);
  const mean = units.mean(f);
  const out = await evaluate(
    engine,
    g,
    { mean, sample: units.sample(f, mean), logPartition: units.logPartition(f), biasTerm: units.biasTerm(xs, b) },
    { field: engine.float32(field, [rows, n]), x: engine.float32(x, [rows, n]), bias: engine.float32(bias, [n]) },
  );
  return {
    mean: numbers(out.mean),
    sample: numbers(out.sample),
    logPartition: numbers(out.logPartition),
    biasTerm: numbers(out.biasTerm),
  };
}

const rowOf = (a: ArrayLike<number>, r: number, n: number): number[] => Array.from({ length: n }, (_, i) => a[r * n + i]);

describe.each(['bernoulli', 'spin', 'softmax:3', 'softmax:2', 'gaussian', 'binomial:3'])('%s units against exact enumeration or integration', (name) => {
  const ref = groupReference(name);
  const n = 6;
  const rows = 40;
  const field = fields(rows, n, 1);
  const bias = fields(1, n, 2, 1);
  // States to evaluate a(x) at: draws of the reference's support (or reals for Gaussian units).
  const rng = new RandomStream(3);
  const x = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let s = 0; s < n; s += ref.size) {
      const state = ref.states === undefined ? [rng.normal() * 2] : ref.states[rng.int(0, ref.states.length - 1)];
      x.set(state, r * n + s);
    }
  }

  it('mean, log-partition and bias term match the float64 reference', async () => {
    const out = await runUnit(name, field, rows, n, bias, x);
    for (let r = 0; r < rows; r++) {
      const f = rowOf(field, r, n);
      const groups = Array.from({ length: n / ref.size }, (_, g) => f.slice(g * ref.size, (g + 1) * ref.size));
      expectAllClose(rowOf(out.mean, r, n), groups.flatMap((group) => ref.mean(group)), { atol: 2e-5, rtol: 1e-5 }, 'mean');
      expectAllClose(rowOf(out.logPartition, r, n / ref.size), groups.map((group) => ref.logPartition(group)), { atol: 2e-5, rtol: 2e-6 }, 'logPartition');
      const xr = rowOf(x, r, n);
      let a = 0;
      for (let s = 0; s < n; s += ref.size) a += ref.a0(xr.slice(s, s + ref.size));
      xr.forEach((xi, i) => (a += xi * bias[i]));
      expect(out.biasTerm[r]).toBeCloseTo(a, 4);
    }
  });

  it('draws follow p(x | field): frequencies of each state (or moments) within 5 standard errors', async () => {
    const draws = 20000;
    const f0 = fields(1, n, 4, 1.5);
    const tiled = new Float32Array(draws * n);
    for (let r = 0; r < draws; r++) tiled.set(f0, r * n);
    const out = await runUnit(name, tiled, draws, n, bias, new Float32Array(draws * n));
    for (let s = 0; s < n; s += ref.size) {
      const f = Array.from(f0.subarray(s, s + ref.size));
      if (ref.states !== undefined) {
        const logZ = ref.logPartition(f);
        for (const state of ref.states) {
          const p = Math.exp(ref.a0(state) + state.reduce((acc, xi, i) => acc + xi * f[i], 0) - logZ);
          let count = 0;
          for (let r = 0; r < draws; r++) if (state.every((xi, i) => out.sample[r * n + s + i] === xi)) count++;
          expect(Math.abs(count / draws - p), `group at ${s}, state ${state.join(',')}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / draws) + 1e-4);
        }
      } else {
        // Gaussian: mean f and variance 1.
        let m = 0;
        let m2 = 0;
        for (let r = 0; r < draws; r++) {
          m += out.sample[r * n + s] / draws;
          m2 += out.sample[r * n + s] ** 2 / draws;
        }
        expect(Math.abs(m - ref.mean(f)[0])).toBeLessThan(5 / Math.sqrt(draws));
        expect(Math.abs(m2 - m * m - 1)).toBeLessThan(5 * Math.sqrt(2 / draws));
      }
    }
  });
});

describe('ReLU units (noisy rectified, Nair & Hinton 2010)', () => {
  const normalCdf = (z: number): number => {
    // Abramowitz-Stegun 7.1.26 via erf, accurate to 1e-7.
    const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
    return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
  };

  it('draws are max(0, f + N(0, sigmoid(f))): their mean and P(0) match the closed forms', async () => {
    const n = 5;
    const draws = 40000;
    const f0 = Float32Array.from([-2, -0.5, 0, 1, 3]);
    const tiled = new Float32Array(draws * n);
    for (let r = 0; r < draws; r++) tiled.set(f0, r * n);
    const out = await runUnit('relu', tiled, draws, n, new Float32Array(n), new Float32Array(draws * n));
    for (let i = 0; i < n; i++) {
      const f = f0[i];
      const s = Math.sqrt(1 / (1 + Math.exp(-f)));
      const z = f / s;
      const expectedMean = f * normalCdf(z) + (s * Math.exp(-(z * z) / 2)) / Math.sqrt(2 * Math.PI);
      const p0 = 1 - normalCdf(z);
      let m = 0;
      let zeros = 0;
      for (let r = 0; r < draws; r++) {
        const h = out.sample[r * n + i];
        expect(h).toBeGreaterThanOrEqual(0);
        m += h / draws;
        if (h === 0) zeros++;
      }
      expect(Math.abs(m - expectedMean), `field ${f}`).toBeLessThan(5 * Math.sqrt((f * f + 1) / draws) + 1e-3);
      expect(Math.abs(zeros / draws - p0), `field ${f}`).toBeLessThan(5 * Math.sqrt((p0 * (1 - p0)) / draws) + 1e-4);
    }
  });

  it('mean max(0, f), log-partition max(0, f)^2 / 2: the stepped units\' sum_n softplus(f - n + 1/2) up to a constant', async () => {
    const field = Float32Array.from([-3, -1, 0, 0.5, 2, 8]);
    const out = await runUnit('relu', field, 1, 6, new Float32Array(6), new Float32Array(6));
    expectAllClose(out.mean, Array.from(field, (f) => Math.max(0, f)));
    expectAllClose(out.logPartition, Array.from(field, (f) => Math.max(0, f) ** 2 / 2), { atol: 1e-5 });
    // The documented approximation: at a large field (8) the exact stepped-sigmoid log-partition exceeds the
    // units' own by the constant pi^2/6 - 1/24.
    const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
    let stepped = 0;
    for (let k = 1; k < 200; k++) stepped += softplus(8 - k + 0.5);
    expect(stepped - out.logPartition[5]).toBeCloseTo(Math.PI ** 2 / 6 - 1 / 24, 2);
  });
});

describe('unitType', () => {
  it('parses the CLI and model-file names', () => {
    expect(unitType('softmax:4').groupSize).toBe(4);
    expect(unitType('softmax:4').name).toBe('softmax:4');
    expect(unitType('spin').name).toBe('spin');
    expect(() => unitType('softmax:1')).toThrow(/K from 2 to 65536/);
    expect(unitType('binomial:2').name).toBe('binomial:2');
    expect(() => unitType('binomial:1')).toThrow(/N from 2 to 65536 trials \(N = 1 is bernoulli\)/);
    expect(() => unitType('potts')).toThrow(/unknown unit type "potts" \(known: bernoulli, spin, gaussian, relu, softmax:K, binomial:N\)/);
  });

  it('takes every digit of K and N, and nothing around the name', () => {
    expect(unitType('softmax:12').groupSize).toBe(12);
    expect(unitType('binomial:10').name).toBe('binomial:10');
    for (const name of ['xsoftmax:3', 'softmax:3x', 'xbinomial:3', 'binomial:3x', 'softmax:', 'softmax:-3']) {
      expect(() => unitType(name), name).toThrow(new RegExp(`^unknown unit type "${name}"`));
    }
  });

  it('refuses K or N below 2 or above MAX_UNIT_COUNT as the user\'s mistake (UserError: one line, exit 2), and says which', () => {
    expect(() => unitType('softmax:1')).toThrow(UserError);
    expect(() => unitType('softmax:1')).toThrow('unit type "softmax:1": softmax groups need K from 2 to 65536');
    expect(() => unitType('binomial:0')).toThrow(UserError);
    expect(MAX_UNIT_COUNT).toBe(65536);
    expect(unitType('softmax:65536').groupSize).toBe(65536);
    expect(() => unitType('softmax:65537')).toThrow('unit type "softmax:65537": softmax groups need K from 2 to 65536');
    expect(unitType('binomial:65536').name).toBe('binomial:65536');
    expect(() => unitType('binomial:65537')).toThrow('unit type "binomial:65537": binomial units need N from 2 to 65536 trials (N = 1 is bernoulli)');
    expect(() => unitType(`binomial:${'9'.repeat(400)}`)).toThrow(`unit type "binomial:${'9'.repeat(51)}"...: binomial units need N from 2`);
  });

  it('isUnitName: the names unitType accepts', () => {
    expect(['bernoulli', 'softmax:3', 'binomial:2'].map(isUnitName)).toEqual([true, true, true]);
    expect(['potts', 'softmax:1', 'binomial:1', 'Bernoulli'].map(isUnitName)).toEqual([false, false, false, false]);
  });

  it('the constructors refuse sizes that are not whole numbers >= 2', () => {
    for (const k of [1, 2.5, Number.NaN]) expect(() => softmax(k)).toThrow(`softmax groups need an integer size K >= 2, got ${k}`);
    for (const n of [1, 2.5, Number.NaN]) expect(() => binomial(n)).toThrow(`binomial units need an integer number of trials N >= 2, got ${n}`);
  });
});

describe('softmax groups: shapes', () => {
  const units = softmax(3);

  it('keep any leading dims, known or symbolic, and the width', async () => {
    const g = new Graph('softmax-rank-3', 1);
    const f = g.input('field', 'float32', [2, 4, 6]);
    const mean = units.mean(f);
    expect(mean.shape).toEqual([2, 4, 6]);
    expect(units.mean(new Graph('softmax-symbolic', 1).input('field', 'float32', ['rows', 6])).shape).toEqual(['rows', 6]);
    const field = fields(8, 6, 4);
    const out = numbers((await evaluate(engine, g, { mean }, { field: engine.float32(field, [2, 4, 6]) })).mean);
    for (let s = 0; s < field.length; s += 3) {
      const e = [0, 1, 2].map((k) => Math.exp(field[s + k]));
      const z = e[0] + e[1] + e[2];
      expectAllClose([0, 1, 2].map((k) => out[s + k]), e.map((x) => x / z));
    }
  });

  it('refuse a width that is unknown or not a multiple of K', () => {
    const g = new Graph('softmax-widths', 1);
    expect(() => units.mean(g.input('seven', 'float32', ['rows', 7]))).toThrow('softmax:3 units: a layer of 7 units is not made of groups of 3');
    expect(() => units.mean(g.input('n', 'float32', ['rows', 'n']))).toThrow('softmax units: the width of the field must be known');
  });
});

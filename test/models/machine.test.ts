/**
 * The machine of layers (src/models/machine.ts) against float64 enumeration on a small chain of three layers
 * (spin, Bernoulli, Bernoulli units; two dense couplings): the energy of every state, the free energy of the
 * bipartite split (odd layers summed out) against the sum over them, each layer's conditional mean against
 * the ratio of sums, the mean-field fixed point, and a sweep that keeps its clamped layers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, type Value } from '../../src/graph/graph.js';
import { denseCoupling, energy, freeEnergy, gibbsSweep, layerMean, meanField, type MachineValues } from '../../src/models/machine.js';
import { RandomStream } from '../../src/random/stream.js';
import type { TensorMap } from '../../src/runtime/engine.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { bernoulli, spin } from '../../src/units/index.js';
import { evaluate } from '../helpers/run-graph.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const SIZES = [3, 2, 2];
const UNITS = [spin, bernoulli, bernoulli];
const STATES = [[-1, 1], [0, 1], [0, 1]];
const rng = new RandomStream(11);
const W = [Float32Array.from({ length: 6 }, () => rng.normal()), Float32Array.from({ length: 4 }, () => rng.normal())];
const B = SIZES.map((n) => Float32Array.from({ length: n }, () => 0.5 * rng.normal()));

/** The machine as graph inputs, and their feeds. */
function machineGraph(seed = 0): { g: Graph; m: MachineValues; feeds: TensorMap } {
  const g = new Graph('machine-test', seed);
  const couplings = [0, 1].map((l) => denseCoupling(l, l + 1, g.input(`w${l}`, 'float32', [SIZES[l], SIZES[l + 1]])));
  const layers = SIZES.map((n, l) => ({ units: UNITS[l], bias: g.input(`b${l}`, 'float32', [n]) }));
  const feeds: TensorMap = {};
  W.forEach((w, l) => (feeds[`w${l}`] = engine.float32(w, [SIZES[l], SIZES[l + 1]])));
  B.forEach((b, l) => (feeds[`b${l}`] = engine.float32(b, [SIZES[l]])));
  return { g, m: { layers, couplings }, feeds };
}

/** Every joint state of a layer (one row per configuration), as float32 rows. */
function layerStates(l: number): number[][] {
  const out: number[][] = [];
  for (let c = 0; c < 2 ** SIZES[l]; c++) out.push(Array.from({ length: SIZES[l] }, (_, i) => STATES[l][(c >> i) & 1]));
  return out;
}

/** -E(x) in float64. */
function negEnergy(x: number[][]): number {
  let s = 0;
  x.forEach((xl, l) => xl.forEach((v, i) => (s += B[l][i] * v)));
  for (let l = 0; l < 2; l++) for (let i = 0; i < SIZES[l]; i++) for (let j = 0; j < SIZES[l + 1]; j++) s += x[l][i] * W[l][i * SIZES[l + 1] + j] * x[l + 1][j];
  return s;
}

/** The states of every combination of layers 0 and 2 (the even side), with each one's rows. */
const evenRows = (): { v: number[][]; h2: number[][] } => {
  const v: number[][] = [];
  const h2: number[][] = [];
  for (const a of layerStates(0)) {
    for (const c of layerStates(2)) {
      v.push(a);
      h2.push(c);
    }
  }
  return { v, h2 };
};

const input = (g: Graph, name: string, rows: number[][], n: number): { value: Value; tensor: ReturnType<typeof engine.float32> } => ({
  value: g.input(name, 'float32', [rows.length, n]),
  tensor: engine.float32(Float32Array.from(rows.flat()), [rows.length, n]),
});

describe('the machine of layers', () => {
  it('energy, the free energy of the odd layers summed out, and the odd layer\'s mean match enumeration', async () => {
    const { g, m, feeds } = machineGraph();
    const { v, h2 } = evenRows();
    const h1Rows = v.map(() => [0, 0]);
    const x0 = input(g, 'x0', v, 3);
    const x2 = input(g, 'x2', h2, 2);
    const x1 = input(g, 'x1', h1Rows, 2);
    const out = await evaluate(engine, g, {
      energy: energy(m, [x0.value, x1.value, x2.value]),
      free: freeEnergy(m, [x0.value, undefined, x2.value]),
      mean1: layerMean(m, [x0.value, undefined, x2.value], 1),
    }, { ...feeds, x0: x0.tensor, x1: x1.tensor, x2: x2.tensor });
    v.forEach((a, r) => {
      const states = layerStates(1).map((b) => negEnergy([a, b, h2[r]]));
      const logSum = Math.log(states.reduce((s, e) => s + Math.exp(e), 0));
      expect((out.energy.data as Float32Array)[r]).toBeCloseTo(-negEnergy([a, h1Rows[r], h2[r]]), 4);
      expect((out.free.data as Float32Array)[r]).toBeCloseTo(-logSum, 4);
      for (let j = 0; j < 2; j++) {
        const mean = layerStates(1).reduce((s, b, c) => s + b[j] * Math.exp(states[c] - logSum), 0);
        expect((out.mean1.data as Float32Array)[r * 2 + j]).toBeCloseTo(mean, 5);
      }
    });
  });

  it('mean field reaches its fixed point, mu_l = E[x_l | mu_{l-1}, mu_{l+1}], with v clamped', async () => {
    const { g, m, feeds } = machineGraph();
    const v = input(g, 'v', layerStates(0), 3);
    const { means } = meanField(m, v.value, 60);
    const again = [1, 2].map((l) => layerMean(m, means.map((x, k) => (k === l ? undefined : x)), l));
    const out = await evaluate(engine, g, { mu1: means[1], mu2: means[2], next1: again[0], next2: again[1] }, { ...feeds, v: v.tensor });
    for (const [a, b] of [['mu1', 'next1'], ['mu2', 'next2']] as const) {
      (out[a].data as Float32Array).forEach((x, i) => expect(x).toBeCloseTo((out[b].data as Float32Array)[i], 5));
    }
  });

  it('a Gibbs sweep keeps its clamped layers and draws the others from their units', async () => {
    const { g, m, feeds } = machineGraph(3);
    const rows = 64;
    const x = [input(g, 'x0', Array.from({ length: rows }, () => [1, -1, 1]), 3), input(g, 'x1', Array.from({ length: rows }, () => [0, 0]), 2), input(g, 'x2', Array.from({ length: rows }, () => [1, 0]), 2)];
    const next = gibbsSweep(m, x.map((s) => s.value), { clamped: new Set([0]) });
    const out = await evaluate(engine, g, { v: next[0], h1: next[1], h2: next[2] }, { ...feeds, x0: x[0].tensor, x1: x[1].tensor, x2: x[2].tensor });
    expect(Array.from(out.v.data as Float32Array)).toEqual(Array.from({ length: rows }, () => [1, -1, 1]).flat());
    for (const [name, states] of [['h1', STATES[1]], ['h2', STATES[2]]] as const) {
      const values = new Set(Array.from(out[name].data as Float32Array));
      expect([...values].every((s) => (states as readonly number[]).includes(s))).toBe(true);
    }
    expect(new Set(Array.from(out.h1.data as Float32Array)).size).toBe(2);
  });
});

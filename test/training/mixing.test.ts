import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/random/stream.js';
import { chainMixing } from '../../src/training/mixing.js';
import { kAt } from '../../src/training/options.js';

/** Chains of an AR(1) process x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t, whose integrated autocorrelation time is (1 + phi) / (1 - phi); plus drift(t), the same for every chain. */
function ar1(phi: number, steps: number, chains: number, drift: (t: number) => number, seed: number): Float64Array {
  const rng = new RandomStream(seed);
  const trace = new Float64Array(steps * chains);
  const x = Float64Array.from({ length: chains }, () => rng.normal());
  for (let t = 0; t < steps; t++) {
    for (let c = 0; c < chains; c++) {
      x[c] = phi * x[c] + Math.sqrt(1 - phi * phi) * rng.normal();
      trace[t * chains + c] = x[c] + drift(t);
    }
  }
  return trace;
}

describe('the mixing diagnostic of persistent chains', () => {
  it('finds the autocorrelation time of AR(1) chains, (1 + phi) / (1 - phi)', () => {
    for (const phi of [0, 0.5, 0.8]) {
      const m = chainMixing(ar1(phi, 2000, 40, () => 0, 1), 2000, 40);
      const exact = (1 + phi) / (1 - phi);
      expect(m.autocorrelationTime, `phi ${phi}`).toBeGreaterThan(0.85 * exact);
      expect(m.autocorrelationTime, `phi ${phi}`).toBeLessThan(1.15 * exact);
      expect(m.effectiveSamples).toBeCloseTo((2000 * 40) / m.autocorrelationTime, 6);
      expect(m.reliable).toBe(true);
    }
  });

  it('ignores a drift that all chains share (the model learning) and flags a trace too short', () => {
    const m = chainMixing(ar1(0.5, 2000, 40, (t) => 0.05 * t, 2), 2000, 40);
    expect(m.autocorrelationTime).toBeGreaterThan(0.85 * 3);
    expect(m.autocorrelationTime).toBeLessThan(1.15 * 3);
    expect(chainMixing(ar1(0.95, 100, 40, () => 0, 3), 100, 40).reliable).toBe(false);
    expect(() => chainMixing(new Float64Array(10), 3, 4)).toThrow(/steps/);
  });
});

describe('the k schedule', () => {
  it('rises linearly from k to kFinal over the epochs', () => {
    const o = { k: 1, kFinal: 10, epochs: 10 };
    expect(Array.from({ length: 10 }, (_, e) => kAt(o, e))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(kAt({ k: 3, epochs: 5 }, 4)).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { corrupt, noiseEvidence, parseCorruption } from '../../src/data/corrupt.js';
import { RandomStream } from '../../src/random/stream.js';
import { matrix } from '../../src/tensor/matrix.js';
import { unitType } from '../../src/units/index.js';

describe('parseCorruption', () => {
  it('reads noise:P and erase:half, and names the flag otherwise', () => {
    expect(parseCorruption('noise:0.25')).toEqual({ kind: 'noise', level: 0.25 });
    expect(parseCorruption('erase:half')).toEqual({ kind: 'erase-half' });
    for (const bad of ['noise:1.5', 'noise:-0.1', 'noise:', 'noise:x', 'erase:top', 'blur']) {
      expect(() => parseCorruption(bad)).toThrow(`--corrupt ${bad}: expected noise:P`);
    }
  });

  it('reads erase:P for 0 <= P <= 1 and refuses other fractions', () => {
    expect(parseCorruption('erase:0.25')).toEqual({ kind: 'erase', fraction: 0.25 });
    expect(parseCorruption('erase:1')).toEqual({ kind: 'erase', fraction: 1 });
    for (const bad of ['erase:1.5', 'erase:-0.2', 'erase:', 'erase:x']) expect(() => parseCorruption(bad)).toThrow(`--corrupt ${bad}: expected noise:P or erase:P`);
  });

  it('accepts the end points noise:0 and noise:1', () => {
    expect(parseCorruption('noise:0')).toEqual({ kind: 'noise', level: 0 });
    expect(parseCorruption('noise:1')).toEqual({ kind: 'noise', level: 1 });
  });

  it('refuses a blank level, text before noise: and text after the level, with the one-line message naming the flag', () => {
    for (const bad of ['noise: ', 'noise:  ', 'xnoise:0.5', 'my-noise:0.5']) {
      expect(() => parseCorruption(bad, '--fill')).toThrow(`--fill ${bad}: expected noise:P or erase:P with 0 <= P <= 1, or erase:half`);
    }
    expect(() => parseCorruption('noise:0.5\nextra')).toThrow(/^--corrupt noise:0\.5\nextra: expected noise:P or erase:P with 0 <= P <= 1, or erase:half$/);
  });
});

describe('corrupt', () => {
  const rows = 200;
  const cols = 50;
  const rng = new RandomStream(3);
  const bits = matrix(Float32Array.from({ length: rows * cols }, () => (rng.uniform() < 0.5 ? 1 : 0)), rows, cols);

  it('erase:half sets the second half of each example to 0 and marks it missing, keeping the first half', () => {
    const { examples, observed } = corrupt(bits, { kind: 'erase-half' }, unitType('bernoulli'), 0);
    for (let i = 0; i < bits.data.length; i++) {
      const kept = i % cols < cols / 2;
      expect(observed.data[i]).toBe(kept ? 1 : 0);
      expect(examples.data[i]).toBe(kept ? bits.data[i] : 0);
    }
    expect(bits.data.some((x) => x === 1)).toBe(true);
  });

  it('erase:half keeps softmax groups whole', () => {
    const groups = matrix(Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), 1, 9);
    expect(Array.from(corrupt(groups, { kind: 'erase-half' }, unitType('softmax:3'), 0).observed.data)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('erase:P erases about a fraction P of the units at random, marking exactly those missing, and is seeded', () => {
    const { examples, observed } = corrupt(bits, { kind: 'erase', fraction: 0.3 }, unitType('bernoulli'), 5);
    const erased = observed.data.filter((x) => x === 0).length / bits.data.length;
    expect(erased).toBeGreaterThan(0.28);
    expect(erased).toBeLessThan(0.32);
    for (let i = 0; i < bits.data.length; i++) expect(examples.data[i]).toBe(observed.data[i] === 1 ? bits.data[i] : 0);
    const firstRow = Array.from(observed.data.subarray(0, cols));
    expect(firstRow.slice(0, cols / 2)).not.toEqual(Array(cols / 2).fill(1));
    expect(corrupt(bits, { kind: 'erase', fraction: 0.3 }, unitType('bernoulli'), 5).observed.data).toEqual(observed.data);
    expect(corrupt(bits, { kind: 'erase', fraction: 0.3 }, unitType('bernoulli'), 6).observed.data).not.toEqual(observed.data);
  });

  it('erase:P erases whole softmax groups', () => {
    const groups = matrix(Float32Array.from({ length: 300 }, (_, i) => Number(i % 3 === 0)), 10, 30);
    const { observed } = corrupt(groups, { kind: 'erase', fraction: 0.5 }, unitType('softmax:3'), 1);
    for (let g = 0; g < 300; g += 3) expect(new Set(observed.data.subarray(g, g + 3)).size).toBe(1);
    expect(new Set(observed.data).size).toBe(2);
  });

  it('noise:P flips about a fraction P of binary units, marks every unit unobserved, and is seeded', () => {
    const { examples, observed } = corrupt(bits, { kind: 'noise', level: 0.2 }, unitType('bernoulli'), 7);
    const flipped = examples.data.filter((x, i) => x !== bits.data[i]).length / bits.data.length;
    expect(flipped).toBeGreaterThan(0.18);
    expect(flipped).toBeLessThan(0.22);
    expect(examples.data.every((x) => x === 0 || x === 1)).toBe(true);
    expect(observed.data.every((x) => x === 0)).toBe(true);
    expect(corrupt(bits, { kind: 'noise', level: 0.2 }, unitType('bernoulli'), 7).examples.data).toEqual(examples.data);
  });

  it('noise:P moves a fraction P of softmax groups to another category, one-hot still', () => {
    const k = 4;
    const groups = matrix(Float32Array.from({ length: 1000 * k }, (_, i) => (i % k === Math.floor(i / k) % k ? 1 : 0)), 1000, k);
    const { examples } = corrupt(groups, { kind: 'noise', level: 0.3 }, unitType('softmax:4'), 1);
    let moved = 0;
    for (let g = 0; g < 1000; g++) {
      const group = examples.data.subarray(g * k, (g + 1) * k);
      expect(group.reduce((a, b) => a + b, 0)).toBe(1);
      if (group[g % k] !== 1) moved++;
    }
    expect(moved / 1000).toBeGreaterThan(0.26);
    expect(moved / 1000).toBeLessThan(0.34);
  });

  it('noise:P adds N(0, P^2) to Gaussian units', () => {
    const zero = matrix(new Float32Array(20000), 1, 20000);
    const { examples } = corrupt(zero, { kind: 'noise', level: 0.5 }, unitType('gaussian'), 2);
    const variance = examples.data.reduce((a, x) => a + x * x, 0) / 20000;
    expect(variance).toBeGreaterThan(0.25 * 0.95);
    expect(variance).toBeLessThan(0.25 * 1.05);
  });
});

describe('noiseEvidence', () => {
  it('exp(e . v) is proportional to p(noisy | v) for every clean value v of a unit or group', () => {
    const p = 0.15;
    const cases = [
      { units: 'bernoulli', values: [[0], [1]], likelihood: (noisy: number[], v: number[]) => (noisy[0] === v[0] ? 1 - p : p) },
      { units: 'spin', values: [[-1], [1]], likelihood: (noisy: number[], v: number[]) => (noisy[0] === v[0] ? 1 - p : p) },
      {
        units: 'softmax:3',
        values: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
        likelihood: (noisy: number[], v: number[]) => (noisy.every((x, i) => x === v[i]) ? 1 - p : p / 2),
      },
    ];
    for (const { units, values, likelihood } of cases) {
      for (const noisy of values) {
        const e = noiseEvidence(matrix(Float32Array.from(noisy), 1, noisy.length), p, unitType(units))!.field;
        // log p(noisy | v) - e . v must be the same for every v.
        const offsets = values.map((v) => Math.log(likelihood(noisy, v)) - v.reduce((a, x, i) => a + x * e.data[i], 0));
        for (const offset of offsets) expect(offset).toBeCloseTo(offsets[0], 5);
      }
    }
  });

  it('Gaussian units: field and precision give log N(x~; v, s^2) up to a constant, s = P / scale in the model\'s units', () => {
    const noisy = matrix(Float32Array.from([0.3, -1.2]), 1, 2);
    const scale = [2, 0.5]; // data units per model unit: noise 0.2 is 0.1 and 0.4 model units
    const { field, precision } = noiseEvidence(noisy, 0.2, unitType('gaussian'), scale)!;
    for (let j = 0; j < 2; j++) {
      const s = 0.2 / scale[j];
      const offsets = [-2, 0, 0.7, 3].map((v) => -((noisy.data[j] - v) ** 2) / (2 * s * s) - (field.data[j] * v - (precision!.data[j] * v * v) / 2));
      for (const offset of offsets) expect(offset).toBeCloseTo(offsets[0], 3);
    }
  });

  it('gives none for ReLU units and for P = 0, and finite fields for P = 1', () => {
    const x = matrix(Float32Array.from([0, 1]), 1, 2);
    expect(noiseEvidence(x, 0.1, unitType('relu'))).toBeUndefined();
    expect(noiseEvidence(x, 0, unitType('bernoulli'))).toBeUndefined();
    expect(Array.from(noiseEvidence(x, 1, unitType('bernoulli'))!.field.data)).toEqual([20, -20]);
  });

  it('gives binary units a field and no precision, also for a batch of no examples', () => {
    expect(noiseEvidence(matrix(Float32Array.from([0, 1]), 1, 2), 0.1, unitType('bernoulli'))).not.toHaveProperty('precision');
    const none = noiseEvidence(matrix(new Float32Array(0), 0, 2), 0.1, unitType('bernoulli'))!;
    expect(none.field.rows).toBe(0);
    expect(none).not.toHaveProperty('precision');
  });
});

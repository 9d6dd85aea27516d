import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { findValue, validateForUnits } from '../../src/data/validate.js';
import { expectUserError } from './fixtures.js';

const dataset = (values: number[], cols: number): Dataset => ({
  name: 'some.csv',
  examples: { data: Float32Array.from(values), rows: cols === 0 ? 3 : values.length / cols, cols },
});

describe('validateForUnits', () => {
  it('accepts binary data of the right width, or of any width when none is expected', () => {
    expect(() => validateForUnits(dataset([0, 1, 1, 0, 0, 0], 3), 3, 'bernoulli')).not.toThrow();
    expect(() => validateForUnits(dataset([1, 1], 1), undefined, 'bernoulli')).not.toThrow();
  });

  it('rejects empty data', () => {
    expectUserError(() => validateForUnits(dataset([], 4), 4, 'bernoulli'), 'some.csv', 'no examples');
    expectUserError(() => validateForUnits(dataset([], 0), undefined, 'bernoulli'), 'some.csv', 'no features');
  });

  it('rejects a width mismatch in the words of the contract', () => {
    const d = dataset(new Array<number>(20).fill(0), 10);
    expectUserError(
      () => validateForUnits(d, 784, 'bernoulli'),
      'some.csv: data has 10 features per example but the model has 784 visible units',
    );
  });

  it('rejects NaN and infinities, naming the first bad example and feature', () => {
    const nan = dataset([0, 1, 1, 0, NaN, Infinity], 3);
    expectUserError(() => validateForUnits(nan, 3, 'bernoulli'), 'example 1, feature 1', 'NaN');
    const infinite = dataset([0, -Infinity], 2);
    expectUserError(() => validateForUnits(infinite, 2, 'bernoulli'), 'example 0, feature 1', '-Infinity');
  });

  it('rejects non-binary values for Bernoulli units, suggesting --binarize', () => {
    expectUserError(
      () => validateForUnits(dataset([0, 1, 1, 0, 0.25, 1], 2), 2, 'bernoulli'),
      'some.csv',
      'example 2, feature 0',
      '0.25',
      'Bernoulli',
      '--binarize',
    );
  });
});

describe('findValue', () => {
  it('finds the first match in row-major order, or nothing', () => {
    const m = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), rows: 2, cols: 3 };
    expect(findValue(m, (x) => x > 3)).toEqual({ example: 1, feature: 0, value: 4 });
    expect(findValue(m, (x) => x > 6)).toBeUndefined();
  });
});

describe('validateForUnits: the values each unit type takes', () => {
  it('spin units take -1 and +1', () => {
    expect(() => validateForUnits(dataset([1, -1, -1, 1], 2), 2, 'spin')).not.toThrow();
    expect(() => validateForUnits(dataset([1, 0, -1, 1], 2), 2, 'spin')).toThrow(/example 0, feature 1 \(0-based\) is 0, but spin visible units need values -1 or \+1/);
  });

  it('softmax:K units take one-hot groups of K', () => {
    expect(() => validateForUnits(dataset([0, 1, 0, 1, 0, 0], 3), 3, 'softmax:3')).not.toThrow();
    expect(() => validateForUnits(dataset([0, 1, 1, 0, 0, 1], 6), 6, 'softmax:3')).toThrow(/example 0, features 0 to 2 \(0-based\) hold 2 ones, but softmax:3 visible units need exactly one per group/);
    expect(() => validateForUnits(dataset([0, 1, 0, 0], 4), 4, 'softmax:3')).toThrow(/4 features are not groups of 3/);
  });

  it('softmax:K checks each group of each example on its own: several groups per example, the bad one named', () => {
    expect(() => validateForUnits(dataset([1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0], 6), 6, 'softmax:3')).not.toThrow();
    expect(expectUserError(() => validateForUnits(dataset([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0], 6), 6, 'softmax:3'))).toBe(
      'some.csv: example 1, features 3 to 5 (0-based) hold 0 ones, but softmax:3 visible units need exactly one per group',
    );
  });

  it('ReLU units take values >= 0; Gaussian units any finite value', () => {
    expect(() => validateForUnits(dataset([0, 2.5], 2), 2, 'relu')).not.toThrow();
    expect(() => validateForUnits(dataset([0, -2.5], 2), 2, 'relu')).toThrow(/relu visible units need values >= 0/);
    expect(() => validateForUnits(dataset([-3.25, 1e6], 2), 2, 'gaussian')).not.toThrow();
    expect(() => validateForUnits(dataset([-3.25, Number.NaN], 2), 2, 'gaussian')).toThrow(/not a finite number/);
  });
});

import { UserError } from '../errors.js';
import type { Matrix } from '../tensor/matrix.js';
import { unitType, type UnitName } from '../units/index.js';
import type { Dataset } from './dataset.js';

/** Visible unit types whose data requirements `validateForUnits` knows: all of them. */
export type VisibleUnitType = UnitName;

/** A value of a data matrix found by `findValue`: its example (row) and feature (column), both 0-based. */
export interface FoundValue {
  example: number;
  feature: number;
  value: number;
}

/** The first value of m (in row-major order) for which `test` holds, or undefined. */
export function findValue(m: Matrix, test: (x: number) => boolean): FoundValue | undefined {
  for (let i = 0; i < m.data.length; i++) {
    if (test(m.data[i])) return { example: Math.floor(i / m.cols), feature: i % m.cols, value: m.data[i] };
  }
  return undefined;
}

/** "NAME: example E, feature F (0-based) is V", the start of a message about one value of d. */
export function describeValue(d: Dataset, found: FoundValue): string {
  return `${d.name}: example ${found.example}, feature ${found.feature} (0-based) is ${found.value}`;
}

/**
 * Checks that d can feed a model with `expectedFeatures` visible units (undefined: any width, as when the
 * model is built from the data) of type `visibleUnits`: at least one example with at least one feature, the
 * width, finite values, and the values the units take: Bernoulli {0, 1}, spin {-1, +1}, softmax:K one-hot
 * groups of K, ReLU >= 0, Gaussian any. Throws a UserError naming the data set.
 */
export function validateForUnits(
  d: Dataset,
  expectedFeatures: number | undefined,
  visibleUnits: VisibleUnitType,
): void {
  const { rows, cols } = d.examples;
  if (rows === 0) throw new UserError(`${d.name}: the data set has no examples`);
  if (cols === 0) throw new UserError(`${d.name}: the examples have no features`);
  if (expectedFeatures !== undefined && cols !== expectedFeatures) {
    throw new UserError(
      `${d.name}: data has ${cols} features per example but the model has ${expectedFeatures} visible units`,
    );
  }
  const nonFinite = findValue(d.examples, (x) => !Number.isFinite(x));
  if (nonFinite !== undefined) throw new UserError(`${describeValue(d, nonFinite)}, not a finite number`);
  const units = unitType(visibleUnits);
  if (cols % units.groupSize !== 0) {
    throw new UserError(`${d.name}: ${cols} features are not groups of ${units.groupSize} (${visibleUnits} visible units)`);
  }
  const need = (test: (x: number) => boolean, what: string): void => {
    const bad = findValue(d.examples, (x) => !test(x));
    if (bad !== undefined) throw new UserError(`${describeValue(d, bad)}, but ${visibleUnits} visible units need ${what}`);
  };
  switch (units.name) {
    case 'gaussian':
      return;
    case 'spin':
      need((x) => x === -1 || x === 1, 'values -1 or +1');
      return;
    case 'relu':
      need((x) => x >= 0, 'values >= 0');
      return;
    case 'bernoulli': {
      const nonBinary = findValue(d.examples, (x) => x !== 0 && x !== 1);
      if (nonBinary !== undefined) {
        throw new UserError(
          `${describeValue(d, nonBinary)}, but Bernoulli visible units need values 0 or 1: ` +
            'binarize the data with --binarize threshold or --binarize stochastic',
        );
      }
      return;
    }
    default:
      need((x) => x === 0 || x === 1, 'one-hot groups: values 0 or 1');
      checkOneHot(d, units.groupSize);
  }
}

/** Each group of k consecutive features of each example sums to 1 (values already known to be 0 or 1). */
function checkOneHot(d: Dataset, k: number): void {
  const { rows, cols, data } = d.examples;
  for (let r = 0; r < rows; r++) {
    for (let start = 0; start < cols; start += k) {
      let sum = 0;
      for (let j = start; j < start + k; j++) sum += data[r * cols + j];
      if (sum !== 1) {
        throw new UserError(`${d.name}: example ${r}, features ${start} to ${start + k - 1} (0-based) hold ${sum} ones, but softmax:${k} visible units need exactly one per group`);
      }
    }
  }
}

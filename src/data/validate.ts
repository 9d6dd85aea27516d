import { UserError } from '../errors.js';
import type { Matrix } from '../tensor/matrix.js';
import { unitType, type UnitName, type UnitType } from '../units/index.js';
import type { Dataset } from './dataset.js';
import { checkFiniteRows } from '../models/model.js';

/** Visible unit types whose data requirements `validateForUnits` knows: all of them, or their names. */
export type VisibleUnitType = UnitType | UnitName;

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
 * model is built from the data) of type `visibleUnits` (a unit type or its name): at least one example with at
 * least one feature, the width, finite values, and the values the units take (their `support`: Bernoulli
 * {0, 1}, spin {-1, +1}, softmax:K one-hot groups of K, ReLU >= 0, binomial:N whole numbers 0 to N, Gaussian any). Throws a UserError naming the
 * data set.
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
  checkFiniteRows(d.examples, d.name);
  const units = unitType(visibleUnits);
  const k = units.groupSize;
  if (cols % k !== 0) throw new UserError(`${d.name}: ${cols} features are not groups of ${k} (${units.name} visible units)`);
  const { support } = units;
  const outside = findValue(d.examples, (x) => !support.contains(x));
  if (outside !== undefined) throw new UserError(`${describeValue(d, outside)}, but ${support.need('visible')}`);
  if (support.groupFault === undefined) return;
  for (let r = 0; r < rows; r++) {
    for (let start = 0; start < cols; start += k) {
      const fault = support.groupFault(d.examples.data.subarray(r * cols + start, r * cols + start + k), 'visible');
      if (fault !== undefined) throw new UserError(`${d.name}: example ${r}, features ${start} to ${start + k - 1} (0-based) ${fault}`);
    }
  }
}

import { UserError } from '../errors.js';
import type { Matrix } from '../tensor/matrix.js';
import type { Dataset } from './dataset.js';

/** Visible unit types whose data requirements `validateForUnits` knows. */
export type VisibleUnitType = 'bernoulli';

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
 * width, finite values, and for Bernoulli units values in {0, 1}. Throws a UserError naming the data set.
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
  switch (visibleUnits) {
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
  }
}

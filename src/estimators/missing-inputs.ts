/**
 * Classification with missing inputs (Goodfellow et al. 2013, the MP-DBM's test): for each fraction F, every
 * pixel of every test example is missing with probability F (`corrupt` with erase:F, seeded: the same pixels
 * for every classifier given the same seed), and the classifier sees the rest and which they are. Returns the
 * error rate at each fraction.
 */
import { corrupt } from '../data/corrupt.js';
import type { Matrix } from '../tensor/matrix.js';
import type { UnitType } from '../units/unit-type.js';

/** A classifier of examples [rows, n] of which only the units where `observed` [rows, n] is 1 are seen: a class per row. */
export type PartialClassifier = (examples: Matrix, observed: Matrix) => Promise<ArrayLike<number>>;

/** The error rate at one fraction of missing inputs. */
export interface MissingInputError {
  readonly fraction: number;
  readonly error: number;
}

/** The error rate of `classify` on labelled `examples` (of `units`) at each fraction of missing inputs (see the file comment). */
export async function missingInputErrors(classify: PartialClassifier, examples: Matrix, labels: ArrayLike<number>, units: UnitType, fractions: readonly number[], seed: number): Promise<MissingInputError[]> {
  const errors: MissingInputError[] = [];
  for (const fraction of fractions) {
    const seen = corrupt(examples, { kind: 'erase', fraction }, units, seed);
    const predicted = await classify(seen.examples, seen.observed);
    let wrong = 0;
    for (let r = 0; r < examples.rows; r++) wrong += Number(predicted[r] !== labels[r]);
    errors.push({ fraction, error: wrong / examples.rows });
  }
  return errors;
}

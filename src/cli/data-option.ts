import { binarize, parseBinarization } from '../data/binarize.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataSpec } from '../data/spec.js';
import { validateForUnits } from '../data/validate.js';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { UNIT_NAMES, unitType, type UnitName } from '../units/index.js';

/** The help text of --data. */
export const DATA_HELP =
  'data: mnist (bundled digits, train split), mnist:test, mnist:all, idx:PATH (gzipped or not), csv:PATH, npy:PATH, bars-and-stripes:N';
/** The help text of --binarize. */
export const BINARIZE_HELP = 'threshold[:T], stochastic[:SEED] (1 with probability x) or none (default: stochastic for Bernoulli visible units, none for the others)';

/** --binarize's default for visible units of type `units`: stochastic for Bernoulli units, none for the others. */
export const defaultBinarization = (units: UnitName): string => (units === 'bernoulli' ? 'stochastic' : 'none');

/**
 * Load the data set of `spec`, binarise it as `binarization` says (undefined: the units' default), and check it
 * can feed `nVisible` visible units of type `units` (undefined: any width).
 */
export function loadData(spec: string, binarization: string | undefined, units: UnitName, nVisible?: number): Dataset {
  const data = binarize(loadDataSpec(spec), parseBinarization(binarization ?? defaultBinarization(units)));
  validateForUnits(data, nVisible, units);
  return data;
}

/** Commander parser of a unit-type flag: one of UNIT_NAMES. */
export function unitTypeFlag(text: string): UnitName {
  try {
    return unitType(text).name;
  } catch {
    throw new InvalidArgumentError(`expected a unit type: ${UNIT_NAMES}.`);
  }
}

import { binarize, parseBinarization } from '../data/binarize.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataSpec } from '../data/spec.js';
import { validateForUnits } from '../data/validate.js';
import type { UnitName } from '../units/index.js';

/** The help text of --data. */
export const DATA_HELP =
  'data: mnist (bundled digits, train split), mnist:test, mnist:all, idx:PATH (gzipped or not), csv:PATH, npy:PATH, bars-and-stripes:N';
/** The help text of --binarize. */
export const BINARIZE_HELP = 'threshold[:T], stochastic[:SEED] (1 with probability x) or none';

/**
 * Load the data set of `spec`, binarise it as `binarization` says, and check it can feed `nVisible` visible
 * units of type `units` (undefined: any width).
 */
export function loadData(spec: string, binarization: string, units: UnitName, nVisible?: number): Dataset {
  const data = binarize(loadDataSpec(spec), parseBinarization(binarization));
  validateForUnits(data, nVisible, units);
  return data;
}

import { UserError } from '../errors.js';
import { barsAndStripes } from './bars-and-stripes.js';
import { loadCsv } from './csv.js';
import type { Dataset } from './dataset.js';
import { loadIdx } from './idx.js';
import { loadBundledDigits } from './mnist.js';
import { loadNpy } from './npy.js';

const VALID_FORMS =
  'mnist (the bundled train split), mnist:train, mnist:test, mnist:all, idx:PATH, csv:PATH, npy:PATH, ' +
  'bars-and-stripes:N (N from 2 to 8)';

/**
 * The data set named by a command-line data spec: `mnist` (bundled digits, train split), `mnist:train`,
 * `mnist:test`, `mnist:all`, `idx:PATH`, `csv:PATH`, `npy:PATH` or `bars-and-stripes:N` (N from 2 to 8).
 * PATH is everything after the first colon. An unknown form is a UserError listing the valid ones.
 */
export function loadDataSpec(spec: string): Dataset {
  const colon = spec.indexOf(':');
  const scheme = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? undefined : spec.slice(colon + 1);
  const fail = (why: string): never => {
    throw new UserError(`data spec '${spec}': ${why}; valid forms: ${VALID_FORMS}`);
  };
  switch (scheme) {
    case 'mnist':
      if (arg === undefined) return loadBundledDigits('train');
      if (arg === 'train' || arg === 'test' || arg === 'all') return loadBundledDigits(arg);
      return fail(`unknown mnist split '${arg}'`);
    case 'bars-and-stripes': {
      const n = arg !== undefined && /^\d+$/.test(arg) ? Number(arg) : NaN;
      return n >= 2 && n <= 8 ? barsAndStripes(n) : fail('N must be an integer from 2 to 8');
    }
    case 'idx':
    case 'csv':
    case 'npy': {
      if (arg === undefined || arg === '') return fail(`${scheme} needs a file path`);
      const load = { idx: loadIdx, csv: loadCsv, npy: loadNpy }[scheme];
      return load(arg);
    }
    default:
      return fail(`unknown data source '${scheme}'`);
  }
}

import { UserError } from '../errors.js';
import { barsAndStripes } from './bars-and-stripes.js';
import { loadCsv } from './csv.js';
import type { Dataset } from './dataset.js';
import { loadIdx } from './idx.js';
import { loadBundledDigits } from './mnist.js';
import { loadNpy } from './npy.js';
import { PAIR_TRANSFORMATIONS, transformationPairs, type PairTransformation } from './pairs.js';
import { RANDOM_DOTS, randomDots } from './random-dots.js';

const VALID_FORMS =
  'mnist (the bundled train split), mnist:train, mnist:test, mnist:all, idx:PATH, csv:PATH, npy:PATH, ' +
  'bars-and-stripes:N (N from 2 to 8), dots:N[:SIZE[:SEED]] (N random-dot images, SIZE from 2 to 64, default 13, SEED default 0), ' +
  'pairs:shift:SPEC or pairs:rotate:SPEC (each image of the data SPEC beside a shifted or turned copy)';

/** The most random-dot images `dots:N` makes. */
const MAX_DOTS = 1_000_000;

/**
 * The data set named by a command-line data spec: `mnist` (bundled digits, train split), `mnist:train`,
 * `mnist:test`, `mnist:all`, `idx:PATH`, `csv:PATH`, `npy:PATH`, `bars-and-stripes:N` (N from 2 to 8),
 * `dots:N[:SIZE[:SEED]]` (random-dot images, random-dots.ts) or `pairs:shift|rotate:SPEC` (pairs of images related
 * by a transformation, pairs.ts, from the images of the spec SPEC). PATH and SPEC are everything after the
 * colon before them. An unknown form is a UserError listing the valid ones.
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
    case 'dots': {
      const parts = /^(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(arg ?? '');
      const n = parts === null ? NaN : Number(parts[1]);
      const size = parts?.[2] === undefined ? RANDOM_DOTS.size : Number(parts[2]);
      const seed = Number(parts?.[3] ?? 0);
      if (!(n >= 1 && n <= MAX_DOTS)) return fail(`N must be an integer from 1 to ${MAX_DOTS}`);
      if (!(size >= 2 && size <= 64)) return fail('SIZE must be an integer from 2 to 64');
      return seed <= 0x7fffffff ? randomDots(n, size, seed) : fail('SEED must be an integer from 0 to 2147483647');
    }
    case 'pairs': {
      const cut = (arg ?? '').indexOf(':');
      const kind = cut < 0 ? arg : arg!.slice(0, cut);
      if (!PAIR_TRANSFORMATIONS.includes(kind as PairTransformation)) return fail(`pairs takes ${PAIR_TRANSFORMATIONS.join(' or ')}, then the spec of the images`);
      if (cut < 0) return fail(`pairs:${kind} needs the spec of the images, such as pairs:${kind}:mnist`);
      return transformationPairs(loadDataSpec(arg!.slice(cut + 1)), kind as PairTransformation);
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

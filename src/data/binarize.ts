import { UserError } from '../errors.js';
import { RandomStream } from '../random/stream.js';
import type { Dataset } from './dataset.js';
import { parseDecimal } from './parse-number.js';
import { describeValue, findValue } from './validate.js';

/**
 * How to turn data into 0/1 values: `threshold` maps x to 1 when x > threshold (strictly: with the default 0.5,
 * a value of exactly 0.5 becomes 0), else 0; `stochastic` maps x in [0, 1] to 1 with probability x, drawing
 * one uniform u per value in row-major order from RandomStream(seed) (1 when u < x); `none` keeps the data.
 */
export type Binarization =
  | { kind: 'threshold'; threshold: number }
  | { kind: 'stochastic'; seed: number }
  | { kind: 'none' };

/**
 * d with its examples binarized by b (labels, imageShape and name kept; `none` returns d itself).
 * NaN values, and for `stochastic` values outside [0, 1], are UserErrors naming the example and feature.
 */
export function binarize(d: Dataset, b: Binarization): Dataset {
  if (b.kind === 'none') return d;
  const source = d.examples.data;
  const data = new Float32Array(source.length);
  if (b.kind === 'threshold') {
    const nan = findValue(d.examples, Number.isNaN);
    if (nan !== undefined) throw new UserError(`${describeValue(d, nan)}, which cannot be binarized`);
    for (let i = 0; i < source.length; i++) data[i] = source[i] > b.threshold ? 1 : 0;
  } else {
    const outside = findValue(d.examples, (x) => !(x >= 0 && x <= 1));
    if (outside !== undefined) {
      throw new UserError(
        `${describeValue(d, outside)}, outside [0, 1]: stochastic binarization reads values as probabilities`,
      );
    }
    const random = new RandomStream(b.seed);
    for (let i = 0; i < source.length; i++) data[i] = random.uniform() < source[i] ? 1 : 0;
  }
  return { ...d, examples: { ...d.examples, data } };
}

/**
 * A Binarization from its command-line text: `threshold` (0.5), `threshold:T` (T a finite number),
 * `stochastic` (seed 0), `stochastic:SEED` (SEED an integer from 0 to 2^31 - 1) or `none`.
 * Other text is a UserError naming `flag`.
 */
export function parseBinarization(text: string, flag = '--binarize'): Binarization {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? undefined : text.slice(colon + 1);
  const fail = (why: string): never => {
    throw new UserError(
      `${flag} '${text}': ${why}; use threshold, threshold:T, stochastic, stochastic:SEED or none`,
    );
  };
  switch (kind) {
    case 'none':
      return arg === undefined ? { kind: 'none' } : fail("'none' takes no argument");
    case 'threshold': {
      if (arg === undefined) return { kind: 'threshold', threshold: 0.5 };
      const threshold = parseDecimal(arg);
      return Number.isFinite(threshold) ? { kind: 'threshold', threshold } : fail(`'${arg}' is not a number`);
    }
    case 'stochastic': {
      if (arg === undefined) return { kind: 'stochastic', seed: 0 };
      const seed = /^\d+$/.test(arg) ? Number(arg) : NaN;
      if (!(seed <= 0x7fffffff)) fail(`seed '${arg}' is not an integer from 0 to 2^31 - 1`);
      return { kind: 'stochastic', seed };
    }
    default:
      return fail(`unknown binarization '${kind}'`);
  }
}

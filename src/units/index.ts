import { UserError } from '../errors.js';
import { bernoulli } from './bernoulli.js';
import { binomial } from './binomial.js';
import { gaussian } from './gaussian.js';
import { relu } from './relu.js';
import { softmax } from './softmax.js';
import { spin } from './spin.js';
import type { UnitName, UnitType } from './unit-type.js';
import { quoted } from '../quote.js';

export type { LearnedStd, NoiseEvidence, NoiseSource, Support, UnitName, UnitType } from './unit-type.js';
export { clip, type Range } from './host-math.js';
export { bernoulli } from './bernoulli.js';
export { binomial } from './binomial.js';
export { gaussian, LOG_STD_RANGE } from './gaussian.js';
export { relu } from './relu.js';
export { softmax } from './softmax.js';
export { spin } from './spin.js';

const unitTypes: Readonly<Record<string, UnitType>> = { bernoulli, spin, gaussian, relu };

/** The names `unitType` knows, for messages and help. */
export const UNIT_NAMES = 'bernoulli, spin, gaussian, relu, softmax:K, binomial:N';

/** The largest K of softmax:K and N of binomial:N a name may give (a binomial unit keeps N + 1 values in every graph). */
export const MAX_UNIT_COUNT = 2 ** 16;

/**
 * The unit type called `name` (as in model files and on the command line): one of UNIT_NAMES. A unit type
 * given instead of a name is returned as it is, so that names parsed once travel on as types.
 */
export function unitType(name: string | UnitType): UnitType {
  if (typeof name !== 'string') return name;
  const grouped = /^softmax:(\d+)$/.exec(name);
  if (grouped !== null) {
    const k = Number(grouped[1]);
    if (k < 2 || k > MAX_UNIT_COUNT) throw new UserError(`unit type ${quoted(name)}: softmax groups need K from 2 to ${MAX_UNIT_COUNT}`);
    return softmax(k);
  }
  const trials = /^binomial:(\d+)$/.exec(name);
  if (trials !== null) {
    const n = Number(trials[1]);
    if (n < 2 || n > MAX_UNIT_COUNT) throw new UserError(`unit type ${quoted(name)}: binomial units need N from 2 to ${MAX_UNIT_COUNT} trials (N = 1 is bernoulli)`);
    return binomial(n);
  }
  if (!Object.hasOwn(unitTypes, name)) throw new UserError(`unknown unit type ${quoted(name)} (known: ${UNIT_NAMES})`);
  return unitTypes[name];
}

/** Whether `name` is a unit type's name. */
export function isUnitName(name: string): name is UnitName {
  try {
    unitType(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether units are binary: two states 0 and 1, so p(x = 1 | field) = sigmoid(field) and the log-partition is
 * softplus (Bernoulli units). What AIS's base-rate model, pseudo-likelihood's flips and the sigmoid layers of
 * DBNs and MLPs assume.
 */
export const isBinary = (units: UnitType): boolean => units.states?.[0] === 0 && units.states[1] === 1;

import { UserError } from '../errors.js';
import { bernoulli } from './bernoulli.js';
import { gaussian } from './gaussian.js';
import { relu } from './relu.js';
import { softmax } from './softmax.js';
import { spin } from './spin.js';
import type { UnitName, UnitType } from './unit-type.js';

export type { UnitName, UnitType } from './unit-type.js';
export { bernoulli } from './bernoulli.js';
export { gaussian } from './gaussian.js';
export { relu } from './relu.js';
export { softmax } from './softmax.js';
export { spin } from './spin.js';

const unitTypes: Readonly<Record<string, UnitType>> = { bernoulli, spin, gaussian, relu };

/** The names `unitType` knows, for messages and help. */
export const UNIT_NAMES = 'bernoulli, spin, gaussian, relu, softmax:K';

/** The unit type called `name` (as in model files and on the command line): one of UNIT_NAMES. */
export function unitType(name: string): UnitType {
  const grouped = /^softmax:(\d+)$/.exec(name);
  if (grouped !== null) {
    const k = Number(grouped[1]);
    if (k < 2) throw new UserError(`unit type "${name}": softmax groups need K >= 2`);
    return softmax(k);
  }
  if (!Object.hasOwn(unitTypes, name)) throw new UserError(`unknown unit type "${name}" (known: ${UNIT_NAMES})`);
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

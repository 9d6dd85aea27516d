import { UserError } from '../errors.js';
import { bernoulli } from './bernoulli.js';
import type { UnitName, UnitType } from './unit-type.js';

export type { UnitName, UnitType } from './unit-type.js';
export { bernoulli } from './bernoulli.js';

const unitTypes: Readonly<Record<UnitName, UnitType>> = { bernoulli };

/** The unit type called `name` (as in model files and on the command line). */
export function unitType(name: string): UnitType {
  if (!Object.hasOwn(unitTypes, name)) {
    throw new UserError(`unknown unit type "${name}" (known: ${Object.keys(unitTypes).join(', ')})`);
  }
  return unitTypes[name as UnitName];
}

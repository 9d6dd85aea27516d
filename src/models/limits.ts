/** A bound on the arrays made from a user's settings (layer sizes, chains), checked before they are made. */
import { UserError } from '../errors.js';

/** The most float32 values one array made from a user's settings may hold: 2^28, 1 GiB. */
export const MAX_VALUES = 2 ** 28;

/**
 * Throws a UserError when `rows` rows of `cols` values (`what` names them, such as "chains 100" or "the
 * weights of 784 visible x 500 hidden units") would hold more than MAX_VALUES values.
 */
export function checkValues(what: string, rows: number, cols: number): void {
  if (rows * cols > MAX_VALUES) throw new UserError(`${what}: ${rows} x ${cols} = ${rows * cols} values, more than the ${MAX_VALUES} (1 GiB) one array may hold`);
}

/** Host arithmetic the unit types share: clipping, and the log-odds of noise that changes a value. */

/** A closed interval [min, max]. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** x clipped to the range. */
export const clip = (x: number, range: Range): number => Math.min(range.max, Math.max(range.min, x));

/** Where a data mean is kept when it sets a discrete unit's bias: 0.001 from either end, so that the bias is finite. */
export const MEAN_RANGE: Range = { min: 0.001, max: 0.999 };

/** The largest evidence field, in nats: odds of about 5e8 to 1. */
const MAX_LOG_ODDS = 20;

/**
 * log((1 - p) / (p / others)): how much likelier a value kept by noise that changes it with probability p (to
 * one of `others` values alike) is than any one changed value. Beyond p = others / (others + 1) a changed value
 * is the likelier one and the sign turns, as it should; floored at -MAX_LOG_ODDS, so that p = 1 gives a large
 * finite field rather than infinities.
 */
export const keptLogOdds = (p: number, others: number): number => Math.max(-MAX_LOG_ODDS, Math.log(((1 - p) * others) / p));

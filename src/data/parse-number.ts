/** A plain decimal number such as `3`, `-0.25`, `.5` or `1e-3` (no hex, no `Infinity`, no empty string). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The value of decimal number text, NaN for anything else; overflow (`1e999`) gives +-Infinity. */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}

import { InvalidArgumentError } from '@commander-js/extra-typings';

/** Commander argument parsers: each rejects bad text with a message commander prints as one line. */

export function positiveInt(text: string): number {
  const x = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(x) || x < 1) throw new InvalidArgumentError('expected a positive integer.');
  return x;
}

export function nonNegativeInt(text: string): number {
  const x = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(x)) throw new InvalidArgumentError('expected an integer >= 0.');
  return x;
}

export function nonNegativeNumber(text: string): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || x < 0) throw new InvalidArgumentError('expected a finite number >= 0.');
  return x;
}

/** A seed: an integer from 0 to 2^31 - 1. */
export function seed(text: string): number {
  const x = nonNegativeInt(text);
  if (x > 0x7fffffff) throw new InvalidArgumentError('expected an integer from 0 to 2147483647.');
  return x;
}

/** A fraction: a number from 0 up to, not including, 1. */
export function fraction(text: string): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || x < 0 || x >= 1) throw new InvalidArgumentError('expected a number from 0 up to (not including) 1.');
  return x;
}

/** A comma-separated list of numbers from 0 to 1 ("0.25,0.5"). */
export function fractionList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (!parts.every((s, i) => s !== '' && Number.isFinite(values[i]) && values[i] >= 0 && values[i] <= 1)) throw new InvalidArgumentError('expected numbers from 0 to 1 separated by commas, such as 0.25,0.5.');
  return values;
}

/** A probability strictly between 0 and 1. */
export function openFraction(text: string): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || x <= 0 || x >= 1) throw new InvalidArgumentError('expected a number between 0 and 1 (not including either).');
  return x;
}

/** The most threads one graph run may take: above the cores of any machine here; onnxruntime starts each up front. */
export const MAX_THREADS = 256;

/** `--threads`: a positive integer up to MAX_THREADS. */
export function threadCount(text: string): number {
  const x = positiveInt(text);
  if (x > MAX_THREADS) throw new InvalidArgumentError(`expected at most ${MAX_THREADS} threads.`);
  return x;
}

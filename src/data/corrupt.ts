/**
 * Corrupting data to test denoising and filling in: `noise:P` perturbs every unit (no unit is trusted),
 * `erase:half` erases the second half of each example (the bottom half of a row-major image) and marks it
 * missing; and the evidence a noisy example gives about the clean one, for `fillIn`.
 */
import { UserError } from '../errors.js';
import { RandomStream } from '../random/stream.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import type { Evidence } from '../models/rbm-fill-in.js';
import type { NoiseEvidence, UnitType } from '../units/unit-type.js';

/** A corruption: noise of level P on every unit, the second half of each example erased, or each unit erased with probability P. */
export type Corruption = { readonly kind: 'noise'; readonly level: number } | { readonly kind: 'erase-half' } | { readonly kind: 'erase'; readonly fraction: number };

/** The help text of a corruption spec. */
export const CORRUPTION_HELP =
  'noise:P (binary and spin units flip with probability P, a softmax group moves to another category with probability P, Gaussian and ReLU units get N(0, P^2) added in the data\'s units, ReLU clipped at 0) erase:half (the second half of each example, the bottom half of an image, erased to 0 and marked missing) or erase:P (each unit, or softmax group, erased and marked missing with probability P, 0 <= P <= 1)';

/** The corruption of a spec `noise:P`, `erase:P` (0 <= P <= 1) or `erase:half`; a UserError names `flag` otherwise. */
export function parseCorruption(text: string, flag = '--corrupt'): Corruption {
  if (text === 'erase:half') return { kind: 'erase-half' };
  const spec = /^(noise|erase):(.+)$/.exec(text);
  const level = spec === null ? NaN : Number(spec[2]);
  if (spec === null || spec[2].trim() === '' || !Number.isFinite(level) || level < 0 || level > 1) {
    throw new UserError(`${flag} ${text}: expected noise:P or erase:P with 0 <= P <= 1, or erase:half`);
  }
  return spec[1] === 'noise' ? { kind: 'noise', level } : { kind: 'erase', fraction: level };
}

/** Corrupted examples and which of their units are observed (1) or missing (0), both [rows, units]. */
export interface Corrupted {
  readonly examples: Matrix;
  readonly observed: Matrix;
}

/**
 * `clean` [rows, units] of units of type `units`, corrupted: with noise every unit is unobserved (0) and
 * perturbed as CORRUPTION_HELP says; with erase:half the groups from ceil(groups / 2) on are set to 0 and
 * unobserved, the others kept and observed; with erase:P each group is, with probability P, set to 0 and
 * unobserved. Seeded by `seed`.
 */
export function corrupt(clean: Matrix, corruption: Corruption, units: UnitType, seed: number): Corrupted {
  const examples = Float32Array.from(clean.data);
  const observed = new Float32Array(clean.data.length);
  const k = units.groupSize;
  if (corruption.kind === 'noise') {
    units.addNoise(examples, corruption.level, new RandomStream(seed));
    return { examples: matrix(examples, clean.rows, clean.cols), observed: matrix(observed, clean.rows, clean.cols) };
  }
  const rng = new RandomStream(seed);
  const firstErased = k * Math.ceil(clean.cols / k / 2);
  for (let g = 0; g < examples.length; g += k) {
    const erased = corruption.kind === 'erase-half' ? g % clean.cols >= firstErased : rng.uniform() < corruption.fraction;
    if (erased) examples.fill(0, g, g + k);
    else observed.fill(1, g, g + k);
  }
  return { examples: matrix(examples, clean.rows, clean.cols), observed: matrix(observed, clean.rows, clean.cols) };
}

/**
 * The evidence noisy examples `noisy` [rows, units] (in the model's input units) give about the clean ones, for
 * noise of level p: field and precision such that field . v - precision . v^2 / 2 = log p(noisy | v) + const,
 * so that fillIn samples the posterior p(v | noisy): each unit type's `noiseEvidence` (flips: a field of the
 * log-odds of keeping a value; Gaussian units, noise N(0, p^2) in the data's units, which are `scale` [units]
 * times the model's (a standardised model: its std; default 1): a field and a precision). Undefined for units
 * whose noise has no such form (ReLU: rectified noise) and for p = 0 (nothing to restore).
 */
export function noiseEvidence(noisy: Matrix, p: number, units: UnitType, scale?: ArrayLike<number>): Evidence | undefined {
  const evidenceOf = units.noiseEvidence;
  if (p === 0 || evidenceOf === undefined) return undefined;
  const evidence = Array.from(noisy.data, (x, i) => evidenceOf(x, p, scale?.[i % noisy.cols] ?? 1));
  const like = (f: (e: NoiseEvidence) => number): Matrix => matrix(Float32Array.from(evidence, f), noisy.rows, noisy.cols);
  const field = like((e) => e.field);
  return evidence.some((e) => e.precision !== undefined) ? { field, precision: like((e) => e.precision ?? 0) } : { field };
}

/**
 * Corrupting data to test denoising and filling in: `noise:P` perturbs every unit (no unit is trusted),
 * `erase:half` erases the second half of each example (the bottom half of a row-major image) and marks it
 * missing; and the evidence a noisy example gives about the clean one, for `fillIn`.
 */
import { UserError } from '../errors.js';
import { RandomStream } from '../random/stream.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import type { Evidence } from '../models/rbm-fill-in.js';
import type { UnitType } from '../units/unit-type.js';

/** A corruption: noise of level P on every unit, or the second half of each example erased. */
export type Corruption = { readonly kind: 'noise'; readonly level: number } | { readonly kind: 'erase-half' };

/** The help text of a corruption spec. */
export const CORRUPTION_HELP =
  'noise:P (binary and spin units flip with probability P, a softmax group moves to another category with probability P, Gaussian and ReLU units get N(0, P^2) added in the data\'s units, ReLU clipped at 0) or erase:half (the second half of each example, the bottom half of an image, erased to 0 and marked missing)';

/** The corruption of a spec `noise:P` (0 <= P <= 1) or `erase:half`; a UserError names `flag` otherwise. */
export function parseCorruption(text: string, flag = '--corrupt'): Corruption {
  if (text === 'erase:half') return { kind: 'erase-half' };
  const noise = /^noise:(.+)$/.exec(text);
  const level = noise === null ? NaN : Number(noise[1]);
  if (noise === null || noise[1].trim() === '' || !Number.isFinite(level) || level < 0 || level > 1) {
    throw new UserError(`${flag} ${text}: expected noise:P with 0 <= P <= 1, or erase:half`);
  }
  return { kind: 'noise', level };
}

/** Corrupted examples and which of their units are observed (1) or missing (0), both [rows, units]. */
export interface Corrupted {
  readonly examples: Matrix;
  readonly observed: Matrix;
}

/**
 * `clean` [rows, units] of units of type `units`, corrupted: with noise every unit is unobserved (0) and
 * perturbed as CORRUPTION_HELP says; with erase:half the groups from ceil(groups / 2) on are set to 0 and
 * unobserved, the others kept and observed. Seeded by `seed`.
 */
export function corrupt(clean: Matrix, corruption: Corruption, units: UnitType, seed: number): Corrupted {
  const examples = Float32Array.from(clean.data);
  const observed = new Float32Array(clean.data.length);
  const k = units.groupSize;
  if (corruption.kind === 'erase-half') {
    const firstErased = k * Math.ceil(clean.cols / k / 2);
    for (let i = 0; i < examples.length; i++) {
      if (i % clean.cols < firstErased) observed[i] = 1;
      else examples[i] = 0;
    }
  } else {
    addNoise(examples, corruption.level, units, new RandomStream(seed));
  }
  return { examples: matrix(examples, clean.rows, clean.cols), observed: matrix(observed, clean.rows, clean.cols) };
}

/** Perturb x in place by noise of level p for units of type `units` (see CORRUPTION_HELP). */
function addNoise(x: Float32Array, p: number, units: UnitType, rng: RandomStream): void {
  const k = units.groupSize;
  if (k > 1) {
    for (let g = 0; g < x.length; g += k) {
      if (rng.uniform() >= p) continue;
      const group = x.subarray(g, g + k);
      const current = group.indexOf(1);
      const other = (current + rng.int(1, k - 1)) % k;
      group.fill(0);
      group[other] = 1;
    }
    return;
  }
  for (let i = 0; i < x.length; i++) {
    switch (units.name) {
      case 'bernoulli':
        if (rng.uniform() < p) x[i] = 1 - x[i];
        break;
      case 'spin':
        if (rng.uniform() < p) x[i] = -x[i];
        break;
      case 'relu':
        x[i] = Math.max(0, x[i] + p * rng.normal());
        break;
      default:
        x[i] += p * rng.normal();
    }
  }
}

/** The largest evidence field, in nats: odds of about 5e8 to 1. */
const MAX_LOG_ODDS = 20;

/**
 * The evidence noisy examples `noisy` [rows, units] (in the model's input units) give about the clean ones, for
 * noise of level p: field and precision such that field . v - precision . v^2 / 2 = log p(noisy | v) + const,
 * so that fillIn samples the posterior p(v | noisy). Flips with probability p: Bernoulli field
 * (2 x~ - 1) log((1 - p) / p); spin x~ log((1 - p) / p) / 2; a softmax:K group moved to one of the K - 1 others
 * x~ log((1 - p)(K - 1) / p). Gaussian units, noise N(0, p^2) in the data's units, which are `scale` [units]
 * times the model's (a standardised model: its std; default 1): s = p / scale, field x~ / s^2, precision
 * 1 / s^2. Undefined for ReLU units (rectified noise: no such form) and for p = 0 (nothing to restore).
 */
export function noiseEvidence(noisy: Matrix, p: number, units: UnitType, scale?: ArrayLike<number>): Evidence | undefined {
  if (p === 0 || units.name === 'relu') return undefined;
  const like = (f: (x: number, j: number) => number): Matrix => matrix(noisy.data.map((x, i) => f(x, i % noisy.cols)), noisy.rows, noisy.cols);
  if (units.name === 'gaussian') {
    const precision = (j: number): number => ((scale?.[j] ?? 1) / p) ** 2;
    return { field: like((x, j) => x * precision(j)), precision: like((_, j) => precision(j)) };
  }
  // Beyond p = 1/2 (p / (K - 1) for softmax) a changed value is the likelier one: the sign turns, as it should.
  // Kept within +-MAX_LOG_ODDS, so that p = 1 gives a large finite field rather than infinities.
  const odds = Math.max(-MAX_LOG_ODDS, Math.log(((1 - p) * Math.max(1, units.groupSize - 1)) / p));
  if (units.name === 'bernoulli') return { field: like((x) => (2 * x - 1) * odds) };
  if (units.name === 'spin') return { field: like((x) => (x * odds) / 2) };
  return { field: like((x) => x * odds) };
}

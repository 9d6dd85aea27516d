import { binarize, parseBinarization } from '../data/binarize.js';
import type { Dataset } from '../data/dataset.js';
import { standardize, type ColumnStatistics } from '../data/standardize.js';
import { UserError } from '../errors.js';
import { loadDataSpec } from '../data/spec.js';
import { describeValue, findValue, validateForUnits } from '../data/validate.js';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { UNIT_NAMES, unitType, type UnitType } from '../units/index.js';

/** The help text of --data. */
export const DATA_HELP =
  'data: mnist (bundled digits, train split), mnist:test, mnist:all, idx:PATH (gzipped or not), csv:PATH, npy:PATH, bars-and-stripes:N, dots:N[:SIZE[:SEED]], pairs:shift|rotate:SPEC';
/** The help text of --binarize. */
export const BINARIZE_HELP = 'threshold[:T], stochastic[:SEED] (1 with probability x) or none (default: stochastic for Bernoulli visible units, none for the others)';

/**
 * Load the data set of `spec`, binarise it as `binarization` says (undefined: the units' default, stochastic for
 * Bernoulli units, none for the others), and check it can feed `nVisible` visible units of type `units`
 * (undefined: any width).
 */
export function loadData(spec: string, binarization: string | undefined, units: UnitType, nVisible?: number): Dataset {
  const data = binarize(loadDataSpec(spec), parseBinarization(binarization ?? units.binarization));
  validateForUnits(data, nVisible, units);
  return data;
}

/** Commander parser of a unit-type flag: one of UNIT_NAMES, parsed here once. */
export function unitTypeFlag(text: string): UnitType {
  try {
    return unitType(text);
  } catch {
    throw new InvalidArgumentError(`expected a unit type: ${UNIT_NAMES}.`);
  }
}

/** The model-file metadata key of the standardisation a model was trained with: JSON {mean: [...], std: [...]}. */
export const STANDARDIZE_KEY = 'standardize';

/** The standardisation as model-file metadata (see STANDARDIZE_KEY). */
export const standardizationMetadata = (stats: ColumnStatistics): Record<string, string> => ({
  [STANDARDIZE_KEY]: JSON.stringify({ mean: Array.from(stats.mean), std: Array.from(stats.std) }),
});

/**
 * loadData for a trained model: the data set of `spec` binarised, checked against the model's visible units and,
 * when the model was trained on standardised data (metadata STANDARDIZE_KEY), standardised the same way. Outputs
 * computed from it (reconstructions, samples) are in those standardised units.
 */
export function loadModelData(
  spec: string,
  binarization: string | undefined,
  model: { readonly visible: UnitType; readonly nVisible: number },
  metadata: Record<string, string>,
  source = 'the model',
): Dataset {
  const data = loadData(spec, binarization, model.visible, model.nVisible);
  const stats = modelStandardization(metadata, model.nVisible, source);
  return stats === undefined ? data : standardize(data, stats);
}

/**
 * The standardisation a model was trained with (its metadata STANDARDIZE_KEY), or undefined when it was not;
 * a UserError naming `source` when the metadata is not {mean, std} with `nVisible` finite numbers each.
 */
export function modelStandardization(metadata: Record<string, string>, nVisible: number, source = 'the model'): ColumnStatistics | undefined {
  const text = metadata[STANDARDIZE_KEY];
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { mean?: unknown; std?: unknown };
    const numbers = (x: unknown): Float64Array => {
      if (!Array.isArray(x) || x.length !== nVisible || !x.every((y) => typeof y === 'number' && Number.isFinite(y))) throw new Error('bad');
      return Float64Array.from(x as number[]);
    };
    return { mean: numbers(parsed.mean), std: numbers(parsed.std) };
  } catch {
    throw new UserError(`${source}: its "${STANDARDIZE_KEY}" metadata is not {mean, std} with ${nVisible} finite numbers each`);
  }
}

/**
 * The batch size of training with `config` on `data`: the configured one, or where the user gave none
 * (`defaulted`) at most the examples. A UserError when a given batch size is larger than the examples.
 */
export function batchSizeOn(config: { readonly batchSize: number }, data: Dataset, defaulted: boolean): number {
  if (defaulted) return Math.min(config.batchSize, data.examples.rows);
  if (config.batchSize > data.examples.rows) throw new UserError(`--batch-size ${config.batchSize}: larger than the ${data.examples.rows} examples of ${data.name}`);
  return config.batchSize;
}

/** A data set with one class per example. */
export type LabelledDataset = Dataset & { readonly labels: Int32Array };

/**
 * `d` (given by `flag`), checked to have labels, classes 0, 1, 2, ..., and examples of finite values; `user`
 * ("classify") says in the message who needs them.
 */
export function labelledData(d: Dataset, flag: string, user: string): LabelledDataset {
  if (d.labels === undefined) throw new UserError(`${flag} ${d.name}: has no labels; ${user} needs labelled data (mnist, idx with a labels file beside it)`);
  if (d.examples.rows === 0) throw new UserError(`${d.name}: the data set has no examples`);
  const nonFinite = findValue(d.examples, (x) => !Number.isFinite(x));
  if (nonFinite !== undefined) throw new UserError(`${describeValue(d, nonFinite)}, not a finite number`);
  const bad = d.labels.findIndex((y) => !(y >= 0));
  if (bad >= 0) throw new UserError(`${d.name}: example ${bad} (0-based) has label ${d.labels[bad]}; labels must be classes 0, 1, 2, ...`);
  return d as LabelledDataset;
}

/**
 * The classes of the training labels, 0 to their largest; a UserError when `test` has another width or a
 * label outside them.
 */
export function classesOf(train: LabelledDataset, test?: LabelledDataset): number {
  const nClasses = train.labels.reduce((m, y) => Math.max(m, y), 0) + 1;
  if (test === undefined) return nClasses;
  if (test.examples.cols !== train.examples.cols) {
    throw new UserError(`${test.name}: has ${test.examples.cols} features per example but the training data ${train.name} has ${train.examples.cols}`);
  }
  const unseen = test.labels.findIndex((y) => y >= nClasses);
  if (unseen >= 0) throw new UserError(`${test.name}: example ${unseen} (0-based) has label ${test.labels[unseen]}, a class the training data ${train.name} lacks (0 to ${nClasses - 1})`);
  return nClasses;
}

/** For `--resume`: a UserError when the run's data (`spec`) has labels beyond the `nClasses` classes of the model in `path`. */
export function checkResumedClasses(spec: string, train: LabelledDataset, heldOut: LabelledDataset | undefined, nClasses: number, path: string): void {
  const classes = classesOf(train, heldOut);
  if (classes > nClasses) throw new UserError(`--resume: ${spec} has labels up to ${classes - 1} but ${path} has ${nClasses} classes`);
}

/**
 * A run's settings as its model file saves them (the `training` metadata, JSON), read back for `--resume`
 * through the parsers of `train`'s flags: a saved value passes the check its flag does, and a bad one is a
 * one-line error naming the file and the setting. Settings the file lacks take their defaults.
 */
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { UserError } from '../errors.js';
import { defaultFitOptions, type FitOptions } from '../training/options.js';
import { CLASS_RBM_OBJECTIVES, type ClassRbmObjective } from '../training/fit-class-rbm.js';
import { fraction, nonNegativeInt, nonNegativeNumber, openFraction, positiveInt, seed } from './parse.js';

/** A parser of one saved value: its checked value, or an InvalidArgumentError saying what was expected. */
type SettingParser = (value: unknown) => unknown;

/** A flag parser (of text) as a parser of a saved JSON number. */
const numberOf =
  (parse: (text: string) => number): SettingParser =>
  (value) => {
    if (typeof value !== 'number') throw new InvalidArgumentError('expected a number.');
    return parse(String(value));
  };

const oneOf =
  (choices: readonly string[]): SettingParser =>
  (value) => {
    if (typeof value !== 'string' || !choices.includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    return value;
  };

const text: SettingParser = (value) => {
  if (typeof value !== 'string') throw new InvalidArgumentError('expected a string.');
  return value;
};

const flag: SettingParser = (value) => {
  if (typeof value !== 'boolean') throw new InvalidArgumentError('expected true or false.');
  return value;
};

const sizes: SettingParser = (value) => {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidArgumentError('expected a list of positive integers.');
  return value.map((x) => numberOf(positiveInt)(x));
};

/** The parser of every setting a run saves (RunConfig and DeepRunConfig), as `train`'s flags parse them. */
const SETTINGS: Readonly<Record<string, SettingParser>> = {
  epochs: numberOf(positiveInt),
  initialEpoch: numberOf(nonNegativeInt),
  batchSize: numberOf(positiveInt),
  learningRate: numberOf(nonNegativeNumber),
  learningRateSchedule: oneOf(['constant', 'linear']),
  initialMomentum: numberOf(nonNegativeNumber),
  finalMomentum: numberOf(nonNegativeNumber),
  momentumSwitchEpoch: numberOf(nonNegativeInt),
  weightDecay: numberOf(nonNegativeNumber),
  sampler: oneOf(['cd', 'pcd', 'fpcd', 'pt']),
  k: numberOf(positiveInt),
  kFinal: numberOf(positiveInt),
  chains: numberOf(positiveInt),
  temperatures: numberOf(positiveInt),
  fastLearningRate: numberOf(nonNegativeNumber),
  fastDecay: numberOf(fraction),
  optimizer: oneOf(['sgd', 'adam']),
  centering: flag,
  sparsityTarget: numberOf(fraction),
  sparsityCost: numberOf(nonNegativeNumber),
  l1: numberOf(nonNegativeNumber),
  maxNorm: numberOf(nonNegativeNumber),
  seed: numberOf(seed),
  monitorSize: numberOf(positiveInt),
  data: text,
  heldOut: text,
  binarize: text,
  hidden: numberOf(positiveInt),
  visibleUnits: text,
  hiddenUnits: text,
  standardize: flag,
  model: oneOf(['rbm', 'dbn', 'dbm', 'class-rbm', 'gated-rbm', 'mp-dbm']),
  objective: oneOf(CLASS_RBM_OBJECTIVES),
  alpha: numberOf(nonNegativeNumber),
  labelled: numberOf(positiveInt),
  factors: numberOf(positiveInt),
  dropProbability: numberOf(openFraction),
  labelWeight: numberOf(nonNegativeNumber),
  layers: sizes,
};

/** The settings every run saves besides the fit options: what `--resume` cannot do without. */
export interface SavedRunSettings extends Omit<FitOptions, 'heldOut' | 'signal'> {
  readonly data: string;
  readonly heldOut: string;
  readonly binarize: string;
  /** A classification RBM's objective, the weight of its generative loss, the training examples that keep their labels. */
  readonly objective?: ClassRbmObjective;
  readonly alpha?: number;
  readonly labelled?: number;
  /** A gated RBM's factors. */
  readonly factors?: number;
  /** A multi-prediction DBM's probability of hiding a variable and the weight of its label's loss. */
  readonly dropProbability?: number;
  readonly labelWeight?: number;
}

/**
 * The settings in `text` (the `training` metadata of the model file `source`), each checked by its flag's
 * parser, over the defaults (no held-out data, stochastic binarisation, defaultFitOptions). A UserError naming
 * `source` when the text is missing or not JSON, lacks `data` or `epochs`, or holds an unknown setting or a
 * bad value.
 */
export function savedSettings(text: string | undefined, source: string): SavedRunSettings {
  let saved: unknown;
  try {
    saved = JSON.parse(text ?? '');
  } catch {
    throw new UserError(`--resume: ${source} holds no training settings to resume with (its "training" metadata is missing or not valid JSON)`);
  }
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) throw new UserError(`--resume: ${source}: its "training" metadata is not a JSON object`);
  const checked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(saved)) {
    const parse = SETTINGS[key];
    if (parse === undefined) throw new UserError(`--resume: ${source}: unknown training setting ${JSON.stringify(key)}`);
    try {
      checked[key] = parse(value);
    } catch (error) {
      throw new UserError(`--resume: ${source}: training setting "${key}" (${JSON.stringify(value)}): ${(error as Error).message}`);
    }
  }
  for (const key of ['data', 'epochs']) {
    if (!(key in checked)) throw new UserError(`--resume: ${source}: its training settings lack "${key}"`);
  }
  return { ...defaultFitOptions, heldOut: 'none', binarize: 'stochastic', ...checked } as SavedRunSettings;
}

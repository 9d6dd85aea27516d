/**
 * A training run folder: what `train` writes (the model, checkpointed with its log after every epoch, then the
 * pictures) and how a run starts afresh or resumes from the folder's last checkpoint.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { columnStatistics, standardize, type ColumnStatistics } from '../data/standardize.js';
import { validateForUnits } from '../data/validate.js';
import { UserError } from '../errors.js';
import { loadRbm } from '../io/model-file.js';
import { filtersPicture, imagesPicture, reconstructionsPicture } from '../io/pictures.js';
import { writePng } from '../io/png-grid.js';
import { RBM } from '../models/rbm.js';
import type { Engine } from '../runtime/engine.js';
import { sliceRows } from '../tensor/matrix.js';
import { fit, type EpochRecord } from '../training/fit.js';
import { defaultFitOptions, defaultLearningRate, type FitOptions, type LearningRateSchedule, type RbmOptimizerName } from '../training/options.js';
import type { SamplerName } from '../samplers/negative-phase.js';
import { bernoulli, type UnitName, type UnitType } from '../units/index.js';
import { checkpointLog, checkpointWriter, missingPictures, type CheckpointFiles } from './checkpoint.js';
import { batchSizeOn, loadData, standardizationMetadata } from './data-option.js';
import { pictureShape } from './output.js';
import { savedSettings } from './saved-settings.js';
import { trainingProgress } from './progress.js';

/** Files of a run folder. */
export const RUN_FILES = {
  model: 'model.safetensors',
  log: 'log.jsonl',
  filters: 'filters.png',
  samples: 'samples.png',
  reconstructions: 'reconstructions.png',
} as const;

const RBM_CHECKPOINT: CheckpointFiles = { model: RUN_FILES.model, log: RUN_FILES.log, pictures: [RUN_FILES.filters, RUN_FILES.samples, RUN_FILES.reconstructions] };

/** The settings of a run, as `train`'s flags give them; saved in the model file's `training` metadata. */
export interface RunConfig extends Omit<FitOptions, 'heldOut' | 'signal'> {
  readonly data: string;
  /** A data spec, or "none". */
  readonly heldOut: string;
  readonly binarize: string;
  readonly hidden: number;
  /** Unit types of the layers (absent: bernoulli). */
  readonly visibleUnits?: UnitName;
  readonly hiddenUnits?: UnitName;
  /** Standardise each feature by the training data's mean and std, train and held-out alike (absent: no). */
  readonly standardize?: boolean;
}

/** A run ready to train: its folder, model, data, settings and the log of the epochs already trained. */
export interface Run {
  readonly out: string;
  readonly rbm: RBM;
  readonly data: Dataset;
  readonly heldOut: Dataset | undefined;
  readonly config: RunConfig;
  readonly records: readonly EpochRecord[];
  /** The training data's feature statistics when the run standardises (config.standardize). */
  readonly standardization?: ColumnStatistics;
}

/** The flags of `train` that make a fresh run. */
export interface FreshRunFlags {
  readonly data: string;
  readonly heldOut?: string;
  /** Absent: the visible units' own default (`binarization` of their unit type). */
  readonly binarize: string;
  readonly hidden: number;
  readonly visibleUnits?: UnitType;
  readonly hiddenUnits?: UnitType;
  readonly standardize?: boolean;
  readonly epochs: number;
  /** Absent: 100, or all the examples when there are fewer. */
  readonly batchSize?: number;
  /** Absent: 0.05 for SGD, 0.001 for Adam. */
  readonly learningRate?: number;
  readonly lrSchedule: LearningRateSchedule;
  readonly initialMomentum: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly sampler: SamplerName;
  readonly k: number;
  readonly kFinal?: number;
  readonly chains: number;
  readonly temperatures?: number;
  readonly fastLearningRate?: number;
  readonly fastDecay?: number;
  readonly optimizer?: RbmOptimizerName;
  readonly centering?: boolean;
  readonly sparsity?: number;
  readonly sparsityCost?: number;
  readonly l1?: number;
  readonly maxNorm?: number;
  readonly seed: number;
  readonly force?: boolean;
}


/** The settings every fresh run takes from the flags: data, held-out data, binarisation and the fit options. */
export function sharedSettings(flags: FreshRunFlags): Omit<RunConfig, 'hidden' | 'visibleUnits' | 'hiddenUnits' | 'standardize'> {
  return {
    ...defaultFitOptions,
    epochs: flags.epochs,
    batchSize: flags.batchSize ?? defaultFitOptions.batchSize,
    learningRate: flags.learningRate ?? defaultLearningRate(flags.optimizer, flags.visibleUnits),
    learningRateSchedule: flags.lrSchedule,
    initialMomentum: flags.initialMomentum,
    finalMomentum: flags.momentum,
    weightDecay: flags.weightDecay,
    sampler: flags.sampler,
    k: flags.k,
    ...(flags.kFinal !== undefined && { kFinal: flags.kFinal }),
    chains: flags.chains,
    temperatures: flags.temperatures ?? defaultFitOptions.temperatures,
    ...(flags.fastLearningRate !== undefined && { fastLearningRate: flags.fastLearningRate }),
    fastDecay: flags.fastDecay ?? defaultFitOptions.fastDecay,
    optimizer: flags.optimizer ?? defaultFitOptions.optimizer,
    centering: flags.centering === true,
    ...(flags.sparsity !== undefined && { sparsityTarget: flags.sparsity }),
    sparsityCost: flags.sparsityCost ?? defaultFitOptions.sparsityCost,
    l1: flags.l1 ?? defaultFitOptions.l1,
    maxNorm: flags.maxNorm ?? defaultFitOptions.maxNorm,
    seed: flags.seed,
    data: flags.data,
    heldOut: flags.heldOut ?? (flags.data === 'mnist' || flags.data === 'mnist:train' ? 'mnist:test' : 'none'),
    binarize: flags.binarize,
  };
}

/** The SGD settings, k and seed of a run's config as a trainer's options take them (the constant momentum its final one). */
export const sgdSettings = (config: Pick<RunConfig, 'epochs' | 'batchSize' | 'learningRate' | 'learningRateSchedule' | 'finalMomentum' | 'weightDecay' | 'k' | 'seed'>) => ({
  epochs: config.epochs,
  batchSize: config.batchSize,
  learningRate: config.learningRate,
  learningRateSchedule: config.learningRateSchedule,
  momentum: config.finalMomentum,
  weightDecay: config.weightDecay,
  k: config.k,
  seed: config.seed,
});

/** Refuse to start a fresh run in a folder that holds a model, unless --force. */
export function checkFreshFolder(modelPath: string, out: string, force: boolean | undefined): void {
  if (existsSync(modelPath) && force !== true) {
    throw new UserError(`--out ${out}: holds a model already; use --force to replace it, or --resume to continue it`);
  }
}

/** A new run in `out`: refuses a folder that holds a model unless `force`. */
export function freshRun(engine: Engine, out: string, flags: FreshRunFlags): Run {
  checkFreshFolder(join(out, RUN_FILES.model), out, flags.force);
  const { visibleUnits: visible = bernoulli, hiddenUnits: hidden = bernoulli } = flags;
  const settings: RunConfig = {
    ...sharedSettings(flags),
    hidden: flags.hidden,
    visibleUnits: visible.name,
    hiddenUnits: hidden.name,
    standardize: flags.standardize === true,
  };
  const { data, heldOutData, standardization } = loadRunData(settings, visible);
  const config = { ...settings, batchSize: batchSizeOn(settings, data, flags.batchSize === undefined) };
  const groups = hidden.groupSize;
  if (config.hidden % groups !== 0) throw new UserError(`--hidden ${config.hidden}: not a multiple of ${groups}, the group size of --hidden-units ${hidden.name}`);
  const rbm = RBM.create(engine, { nVisible: data.examples.cols, nHidden: config.hidden, visible, hidden, seed: config.seed });
  return { out, rbm, data, heldOut: heldOutData, config, records: [], standardization };
}

/**
 * The run in `out`, to continue from its last checkpoint up to its configured epochs, with the settings saved
 * in its model file (its log.jsonl repaired from the checkpoint, `say` tells). Velocities and persistent chains
 * start afresh, so a resumed run is not bit-identical to an uninterrupted one. A run that has trained all its
 * epochs is refused, unless pictures are missing (a kill while they were drawn): then they are drawn.
 */
export async function resumedRun(engine: Engine, out: string, say: (line: string) => void): Promise<Run> {
  const modelPath = join(out, RUN_FILES.model);
  if (!existsSync(modelPath)) throw new UserError(`--resume: ${out} holds no ${RUN_FILES.model} to resume`);
  const { rbm, metadata } = await loadRbm(engine, modelPath);
  const config: RunConfig = { ...savedSettings(metadata.training, modelPath), hidden: rbm.nHidden, visibleUnits: rbm.visible.name, hiddenUnits: rbm.hidden.name };
  checkUnfinished(out, RBM_CHECKPOINT, rbm.epochsTrained >= config.epochs, `all its ${config.epochs} epochs`, say);
  const { data, heldOutData, standardization } = loadRunData(config, rbm.visible, rbm.nVisible);
  batchSizeOn(config, data, false);
  const records = await checkpointLog<EpochRecord>(out, RBM_CHECKPOINT, metadata, (r) => r.epoch <= rbm.epochsTrained, say);
  return { out, rbm, data, heldOut: heldOutData, config, records, standardization };
}

/**
 * Refuses to resume a run whose training is `done` (`what`: what it trained) and whose pictures are all
 * drawn; a done run with pictures missing goes on to draw them (`say` tells).
 */
export function checkUnfinished(out: string, files: CheckpointFiles, done: boolean, what: string, say: (line: string) => void): void {
  if (!done) return;
  const missing = missingPictures(out, files);
  if (missing.length === 0) throw new UserError(`--resume: ${join(out, files.model)} has trained ${what} already`);
  say(`--resume: ${out} has trained ${what}; drawing the missing ${missing.join(', ')}`);
}

/** How a run trains: Gibbs steps of the pictures' fantasy particles, no progress when quiet, a signal that stops it. */
export interface RunOptions {
  readonly sampleSteps: number;
  readonly quiet: boolean;
  readonly signal?: AbortSignal;
}

/** What `runTraining` reports: the folder, the model file, all files written, the epochs trained, the last record. */
export interface RunSummary {
  readonly out: string;
  readonly model: string;
  readonly files: readonly string[];
  readonly epochs: number;
  readonly last: EpochRecord | undefined;
}

/**
 * Train `run` to its configured epochs, saving the model and then the log after every epoch (a run that
 * diverges or is interrupted leaves its last good epoch's pair, or with --force the old pair), then draw the
 * pictures: filters, `sampleSteps`-step fantasy particles from noise, and held-out reconstructions.
 */
export async function runTraining(run: Run, options: RunOptions): Promise<RunSummary> {
  const { out, rbm, config } = run;
  const fitOptions = fitOptionsOf(config);
  const metadata = { training: JSON.stringify(config), seed: String(config.seed), ...(run.standardization && standardizationMetadata(run.standardization)) };
  const path = (file: string): string => join(out, file);
  const checkpoint = checkpointWriter(out, RBM_CHECKPOINT, metadata);
  const records = [...run.records];
  const progress = trainingProgress(config.epochs, options.quiet);
  try {
    if (rbm.epochsTrained < config.epochs) {
      await fit(rbm, run.data.examples, { ...fitOptions, initialEpoch: rbm.epochsTrained, heldOut: run.heldOut?.examples, signal: options.signal }, {
        onBatch: (p) => progress.batch(p),
        onEpoch: async (r) => {
          progress.epoch(r);
          records.push(r);
          await checkpoint(rbm, records);
        },
      });
    }
  } finally {
    progress.stop();
  }

  options.signal?.throwIfAborted();
  const shown = run.heldOut ?? run.data;
  const shape = pictureShape(shown.examples.cols, shown.imageShape);
  await writePng(path(RUN_FILES.filters), filtersPicture(rbm, shape));
  const fantasy = await rbm.sample(100, { steps: options.sampleSteps, seed: config.seed });
  await writePng(path(RUN_FILES.samples), imagesPicture(fantasy.means, shape));
  const originals = sliceRows(shown.examples, 0, Math.min(50, shown.examples.rows));
  const { reconstructions } = await rbm.reconstruct(originals);
  await writePng(path(RUN_FILES.reconstructions), reconstructionsPicture(originals, reconstructions, shape));
  return { out, model: path(RUN_FILES.model), files: Object.values(RUN_FILES).map(path), epochs: rbm.epochsTrained, last: records.at(-1) };
}

/** The options of `fit` within a run's settings: the keys of defaultFitOptions. */
function fitOptionsOf(config: RunConfig): FitOptions {
  const keys = Object.keys(defaultFitOptions) as (keyof FitOptions & keyof RunConfig)[];
  return Object.fromEntries(keys.map((key) => [key, config[key]])) as unknown as FitOptions;
}

/** The run's data and held-out data, binarised, standardised by the training data's statistics when asked, checked against the visible units. */
function loadRunData(config: RunConfig, units: UnitType, nVisible?: number): { data: Dataset; heldOutData: Dataset | undefined; standardization?: ColumnStatistics } {
  let data = loadData(config.data, config.binarize, units, nVisible);
  let heldOutData = config.heldOut === 'none' ? undefined : loadData(config.heldOut, config.binarize, units, data.examples.cols);
  let standardization: ColumnStatistics | undefined;
  if (config.standardize === true) {
    standardization = columnStatistics(data);
    data = standardize(data, standardization);
    heldOutData = heldOutData && standardize(heldOutData, standardization);
    validateForUnits(data, nVisible, units);
  }
  return { data, heldOutData, standardization };
}

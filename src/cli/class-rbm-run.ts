/**
 * `train --model class-rbm`: a classification RBM's run folder. The data must be labelled (its classes 0 to
 * the largest label); the held-out data too, whose error rate the log records after every epoch. The model
 * and then the log are saved after every epoch (`--resume` continues from the last), then the pictures: the
 * filters of W and samples.png, a row of samples of x given each class (Gibbs in the RBM of that class).
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { loadModelOf } from '../io/model-file.js';
import { filtersPicture, imagesPicture } from '../io/pictures.js';
import { writePng } from '../io/png-grid.js';
import { ClassRBM } from '../models/class-rbm.js';
import type { Engine } from '../runtime/engine.js';
import { matrix } from '../tensor/matrix.js';
import { defaultClassRbmFitOptions, fitClassRbm, UNLABELLED, type ClassRbmEpochRecord, type ClassRbmObjective } from '../training/fit-class-rbm.js';
import { bernoulli, type UnitType } from '../units/index.js';
import { checkpointLog, checkpointWriter, type CheckpointFiles } from './checkpoint.js';
import { batchSizeOn, checkResumedClasses, classesOf, labelledData, loadData, type LabelledDataset } from './data-option.js';
import { formatPercent, pictureShape } from './output.js';
import { checkFreshFolder, checkUnfinished, sgdSettings, sharedSettings, type FreshRunFlags, type RunConfig, type RunOptions } from './run-folder.js';
import { savedSettings } from './saved-settings.js';

/** The files of a classification RBM's run folder. */
export const CLASS_RBM_RUN_FILES = { model: 'model.safetensors', log: 'log.jsonl', filters: 'filters.png', samples: 'samples.png' } as const;

const CHECKPOINT: CheckpointFiles = { model: CLASS_RBM_RUN_FILES.model, log: CLASS_RBM_RUN_FILES.log, pictures: [CLASS_RBM_RUN_FILES.filters, CLASS_RBM_RUN_FILES.samples] };

/** Samples of each class in samples.png (one row per class). */
const SAMPLES_PER_CLASS = 10;

/** The settings of a classification RBM's run, saved in its model file's `training` metadata. */
export interface ClassRbmRunConfig extends Omit<RunConfig, 'standardize'> {
  readonly model: 'class-rbm';
  readonly objective: ClassRbmObjective;
  readonly alpha: number;
  /** Semi-supervised: only the first `labelled` training examples keep their labels (absent: all). */
  readonly labelled?: number;
}

/** The flags of `train --model class-rbm` beyond a fresh RBM run's. */
export interface ClassRbmFlags extends FreshRunFlags {
  readonly objective: ClassRbmObjective;
  readonly alpha: number;
  readonly labelled?: number;
}

export interface ClassRbmRun {
  readonly kind: 'class-rbm';
  readonly out: string;
  readonly model: ClassRBM;
  readonly data: LabelledDataset;
  readonly heldOut: LabelledDataset | undefined;
  readonly config: ClassRbmRunConfig;
  readonly records: readonly ClassRbmEpochRecord[];
}

/** A new classification RBM run in `out`, its classes those of the training labels; refuses a folder that holds a model unless `force`. */
export function freshClassRbmRun(engine: Engine, out: string, flags: ClassRbmFlags): ClassRbmRun {
  checkFreshFolder(join(out, CLASS_RBM_RUN_FILES.model), out, flags.force);
  const { visibleUnits: visible = bernoulli, hiddenUnits: hidden = bernoulli } = flags;
  const settings: ClassRbmRunConfig = {
    ...sharedSettings(flags),
    model: 'class-rbm',
    objective: flags.objective,
    alpha: flags.alpha,
    ...(flags.labelled !== undefined && { labelled: flags.labelled }),
    hidden: flags.hidden,
    visibleUnits: visible.name,
    hiddenUnits: hidden.name,
  };
  const { data, heldOut } = loadClassRbmData(settings, visible);
  const config = { ...settings, batchSize: batchSizeOn(settings, data, flags.batchSize === undefined) };
  const model = ClassRBM.create(engine, { nVisible: data.examples.cols, nHidden: config.hidden, nClasses: classesOf(data, heldOut), visible, hidden, seed: config.seed });
  return { kind: 'class-rbm', out, model, data, heldOut, config, records: [] };
}

/** The classification RBM run in `out`, to continue from its last checkpoint with the settings saved in its model file (see resumedRun). */
export async function resumedClassRbmRun(engine: Engine, out: string, say: (line: string) => void): Promise<ClassRbmRun> {
  const path = join(out, CLASS_RBM_RUN_FILES.model);
  const { model, metadata } = await loadModelOf(engine, path, 'class-rbm');
  const saved = savedSettings(metadata.training, path);
  const config: ClassRbmRunConfig = {
    ...saved,
    model: 'class-rbm',
    objective: saved.objective ?? defaultClassRbmFitOptions.objective,
    alpha: saved.alpha ?? defaultClassRbmFitOptions.alpha,
    ...(saved.labelled !== undefined && { labelled: saved.labelled }),
    hidden: model.nHidden,
    visibleUnits: model.visible.name,
    hiddenUnits: model.rbm.hidden.name,
  };
  checkUnfinished(out, CHECKPOINT, model.epochsTrained >= config.epochs, `all its ${config.epochs} epochs`, say);
  const { data, heldOut } = loadClassRbmData(config, model.visible, model.nVisible);
  checkResumedClasses(config.data, data, heldOut, model.nClasses, path);
  batchSizeOn(config, data, false);
  const records = await checkpointLog<ClassRbmEpochRecord>(out, CHECKPOINT, metadata, (r) => r.epoch <= model.epochsTrained, say);
  return { kind: 'class-rbm', out, model, data, heldOut, config, records };
}

/**
 * The labelled training and held-out data of a run, binarised and checked against the visible units; with
 * `labelled`, the training examples after the first `labelled` lose their labels (UNLABELLED).
 */
function loadClassRbmData(config: ClassRbmRunConfig, units: UnitType, nVisible?: number): { data: LabelledDataset; heldOut: LabelledDataset | undefined } {
  const user = 'a classification RBM';
  const all = labelledData(loadData(config.data, config.binarize, units, nVisible), '--data', user);
  const heldOut = config.heldOut === 'none' ? undefined : labelledData(loadData(config.heldOut, config.binarize, units, all.examples.cols), '--held-out', user);
  const kept = config.labelled;
  if (kept === undefined) return { data: all, heldOut };
  if (kept > all.examples.rows) throw new UserError(`--labelled ${kept}: more than the ${all.examples.rows} examples of ${all.name}`);
  return { data: { ...all, labels: all.labels.map((y, r) => (r < kept ? y : UNLABELLED)) }, heldOut };
}

/** What `train --model class-rbm --json` prints. */
export interface ClassRbmRunSummary {
  readonly out: string;
  readonly model: string;
  readonly files: readonly string[];
  readonly kind: 'class-rbm';
  readonly classes: number;
  readonly epochs: number;
  readonly last: ClassRbmEpochRecord | undefined;
}

/** Train a classification RBM run to its configured epochs, checkpointing after every epoch, then draw the pictures. */
export async function runClassRbmTraining(run: ClassRbmRun, options: RunOptions): Promise<ClassRbmRunSummary> {
  const { out, model, config } = run;
  const checkpoint = checkpointWriter(out, CHECKPOINT, { training: JSON.stringify(config), seed: String(config.seed) });
  const path = (file: string): string => join(out, file);
  const records = [...run.records];
  const fitOptions = {
    ...sgdSettings(config),
    objective: config.objective,
    alpha: config.alpha,
    sampler: config.sampler as 'cd' | 'pcd' | 'pt',
    chains: config.chains,
    temperatures: config.temperatures,
  };
  if (model.epochsTrained < config.epochs) {
    await fitClassRbm(model, run.data, { ...fitOptions, heldOut: run.heldOut, signal: options.signal }, async (r) => {
      if (!options.quiet) process.stderr.write(epochLine(r, config.epochs) + '\n');
      records.push(r);
      await checkpoint(model, records);
    });
  }
  options.signal?.throwIfAborted();
  const shown = run.heldOut ?? run.data;
  const shape = pictureShape(shown.examples.cols, shown.imageShape);
  await writePng(path(CLASS_RBM_RUN_FILES.filters), filtersPicture(model.rbm, shape));
  const rows = new Float32Array(model.nClasses * SAMPLES_PER_CLASS * model.nVisible);
  for (let k = 0; k < model.nClasses; k++) {
    const { means } = await model.givenClass(k).sample(SAMPLES_PER_CLASS, { steps: options.sampleSteps, seed: config.seed + k });
    rows.set(means.data, k * SAMPLES_PER_CLASS * model.nVisible);
  }
  await writePng(path(CLASS_RBM_RUN_FILES.samples), imagesPicture(matrix(rows, model.nClasses * SAMPLES_PER_CLASS, model.nVisible), shape, SAMPLES_PER_CLASS));
  return { out, model: path(CLASS_RBM_RUN_FILES.model), files: Object.values(CLASS_RBM_RUN_FILES).map(path), kind: 'class-rbm', classes: model.nClasses, epochs: model.epochsTrained, last: records.at(-1) };
}

const percent = formatPercent;

/** One line of an epoch's record on stderr. */
function epochLine(r: ClassRbmEpochRecord, epochs: number): string {
  const heldOut = r.heldOutError === undefined ? '' : `  held-out error ${percent(r.heldOutError)}`;
  return `epoch ${r.epoch}/${epochs}  class loss ${r.classLoss.toFixed(4)}  train error ${percent(r.trainingError)}${heldOut}  recon ${r.reconstructionError.toFixed(2)}  ${Math.round(r.samplesPerSecond)} samples/s  ${r.seconds.toFixed(1)} s`;
}

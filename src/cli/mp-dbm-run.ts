/**
 * `train --model mp-dbm --layers ...`: a multi-prediction DBM's run folder. The data must be labelled (its
 * classes 0 to the largest label), the held-out data too, whose error rate (mean field, every pixel seen) the
 * log records after every epoch. Training is multi-prediction (training/fit-mp-dbm.ts: centred SGD, no
 * pretraining); the model and then the log are saved after every epoch (`--resume` continues from the last),
 * then the pictures: the filters of W_0, samples.png (Gibbs in the whole machine) and fill-in.png, held-out
 * digits with half their pixels missing (grey), and the mean field's answer.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { loadModelOf } from '../io/model-file.js';
import { imagesPicture, weightsPicture } from '../io/pictures.js';
import { writePng } from '../io/png-grid.js';
import { MpDBM } from '../models/mp-dbm.js';
import { RandomStream } from '../random/stream.js';
import type { Engine } from '../runtime/engine.js';
import { matrix, sliceRows, type Matrix } from '../tensor/matrix.js';
import { defaultMpDbmFitOptions, fitMpDbm, type MpDbmEpochRecord } from '../training/fit-mp-dbm.js';
import { bernoulli } from '../units/index.js';
import { checkpointLog, checkpointWriter, type CheckpointFiles } from './checkpoint.js';
import { batchSizeOn, checkResumedClasses, classesOf, labelledData, loadData, type LabelledDataset } from './data-option.js';
import { formatPercent, pictureShape } from './output.js';
import { checkFreshFolder, checkUnfinished, sgdSettings, sharedSettings, type FreshRunFlags, type RunConfig, type RunOptions } from './run-folder.js';
import { savedSettings } from './saved-settings.js';

/** The files of a multi-prediction DBM's run folder. */
export const MP_DBM_RUN_FILES = { model: 'model.safetensors', log: 'log.jsonl', filters: 'filters.png', samples: 'samples.png', fillIn: 'fill-in.png' } as const;

const CHECKPOINT: CheckpointFiles = { model: MP_DBM_RUN_FILES.model, log: MP_DBM_RUN_FILES.log, pictures: [MP_DBM_RUN_FILES.filters, MP_DBM_RUN_FILES.samples, MP_DBM_RUN_FILES.fillIn] };

/** Held-out examples in fill-in.png: a row of inputs with missing pixels, a row of answers. */
const FILL_IN_EXAMPLES = 10;

/** The settings of a multi-prediction DBM's run, saved in its model file's `training` metadata. */
export interface MpDbmRunConfig extends Omit<RunConfig, 'hidden' | 'standardize' | 'visibleUnits' | 'hiddenUnits'> {
  readonly model: 'mp-dbm';
  /** Hidden units per layer, bottom first (2 or more). */
  readonly layers: readonly number[];
  readonly dropProbability: number;
  readonly labelWeight: number;
}

/** The flags of `train --model mp-dbm` beyond a fresh run's. */
export interface MpDbmFlags extends FreshRunFlags {
  readonly dropProbability?: number;
  readonly labelWeight?: number;
}

export interface MpDbmRun {
  readonly kind: 'mp-dbm';
  readonly out: string;
  readonly model: MpDBM;
  readonly data: LabelledDataset;
  readonly heldOut: LabelledDataset | undefined;
  readonly config: MpDbmRunConfig;
  readonly records: readonly MpDbmEpochRecord[];
}

/** A new multi-prediction DBM run in `out` with hidden layers `layers`, its classes those of the training labels; refuses a folder that holds a model unless `force`. */
export function freshMpDbmRun(engine: Engine, out: string, flags: MpDbmFlags, layers: readonly number[]): MpDbmRun {
  if (layers.length < 2) throw new UserError(`--layers ${layers.join(',')}: a multi-prediction DBM has 2 or more hidden layers, such as --layers 500,1000`);
  checkFreshFolder(join(out, MP_DBM_RUN_FILES.model), out, flags.force);
  const settings: MpDbmRunConfig = {
    ...sharedSettings(flags),
    model: 'mp-dbm',
    layers: [...layers],
    centering: true,
    dropProbability: flags.dropProbability ?? defaultMpDbmFitOptions.dropProbability,
    labelWeight: flags.labelWeight ?? defaultMpDbmFitOptions.labelWeight,
  };
  const { data, heldOut } = loadMpDbmData(settings);
  const config = { ...settings, batchSize: batchSizeOn(settings, data, flags.batchSize === undefined) };
  const model = MpDBM.create(engine, { sizes: [data.examples.cols, ...layers], nClasses: classesOf(data, heldOut), seed: config.seed });
  return { kind: 'mp-dbm', out, model, data, heldOut, config, records: [] };
}

/** The multi-prediction DBM run in `out`, to continue from its last checkpoint with the settings saved in its model file (see resumedRun). */
export async function resumedMpDbmRun(engine: Engine, out: string, say: (line: string) => void): Promise<MpDbmRun> {
  const path = join(out, MP_DBM_RUN_FILES.model);
  const { model, metadata } = await loadModelOf(engine, path, 'mp-dbm');
  const saved = savedSettings(metadata.training, path);
  const config: MpDbmRunConfig = {
    ...saved,
    model: 'mp-dbm',
    layers: model.sizes.slice(1),
    dropProbability: saved.dropProbability ?? defaultMpDbmFitOptions.dropProbability,
    labelWeight: saved.labelWeight ?? defaultMpDbmFitOptions.labelWeight,
  };
  checkUnfinished(out, CHECKPOINT, model.epochsTrained >= config.epochs, `all its ${config.epochs} epochs`, say);
  const { data, heldOut } = loadMpDbmData(config, model.nVisible);
  checkResumedClasses(config.data, data, heldOut, model.nClasses, path);
  batchSizeOn(config, data, false);
  const records = await checkpointLog<MpDbmEpochRecord>(out, CHECKPOINT, metadata, (r) => r.epoch <= model.epochsTrained, say);
  return { kind: 'mp-dbm', out, model, data, heldOut, config, records };
}

/** The labelled training and held-out data of a run, binarised and checked against Bernoulli units. */
function loadMpDbmData(config: MpDbmRunConfig, nVisible?: number): { data: LabelledDataset; heldOut: LabelledDataset | undefined } {
  const user = 'a multi-prediction DBM';
  const data = labelledData(loadData(config.data, config.binarize, bernoulli, nVisible), '--data', user);
  const heldOut = config.heldOut === 'none' ? undefined : labelledData(loadData(config.heldOut, config.binarize, bernoulli, data.examples.cols), '--held-out', user);
  return { data, heldOut };
}

/** What `train --model mp-dbm --json` prints. */
export interface MpDbmRunSummary {
  readonly out: string;
  readonly model: string;
  readonly files: readonly string[];
  readonly kind: 'mp-dbm';
  readonly layers: readonly number[];
  readonly classes: number;
  readonly epochs: number;
  readonly last: MpDbmEpochRecord | undefined;
}

/** Train a multi-prediction DBM run to its configured epochs, checkpointing after every epoch, then draw the pictures. */
export async function runMpDbmTraining(run: MpDbmRun, options: RunOptions): Promise<MpDbmRunSummary> {
  const { out, model, config } = run;
  const checkpoint = checkpointWriter(out, CHECKPOINT, { training: JSON.stringify(config), seed: String(config.seed) });
  const path = (file: string): string => join(out, file);
  const records = [...run.records];
  const fitOptions = { ...sgdSettings(config), dropProbability: config.dropProbability, labelWeight: config.labelWeight, maxNorm: config.maxNorm, centering: true, heldOut: run.heldOut, signal: options.signal };
  if (model.epochsTrained < config.epochs) {
    await fitMpDbm(model, run.data, fitOptions, async (r) => {
      if (!options.quiet) process.stderr.write(epochLine(r, config.epochs) + '\n');
      records.push(r);
      await checkpoint(model, records);
    });
  }
  options.signal?.throwIfAborted();
  const shown = run.heldOut ?? run.data;
  const shape = pictureShape(shown.examples.cols, shown.imageShape);
  await writePng(path(MP_DBM_RUN_FILES.filters), weightsPicture(matrix(model.dbm.params.weights[0], model.sizes[0], model.sizes[1]), shape));
  const fantasy = await model.sample(100, { steps: options.sampleSteps, seed: config.seed });
  await writePng(path(MP_DBM_RUN_FILES.samples), imagesPicture(fantasy.means, shape));
  await writePng(path(MP_DBM_RUN_FILES.fillIn), imagesPicture(await fillInRows(model, sliceRows(shown.examples, 0, Math.min(FILL_IN_EXAMPLES, shown.examples.rows)), config.seed), shape, FILL_IN_EXAMPLES));
  return { out, model: path(MP_DBM_RUN_FILES.model), files: Object.values(MP_DBM_RUN_FILES).map(path), kind: 'mp-dbm', layers: model.sizes, classes: model.nClasses, epochs: model.epochsTrained, last: records.at(-1) };
}

/** Two rows of pictures: the examples with a random half of their pixels missing (shown grey, 0.5), then Q(v) given the rest. */
async function fillInRows(model: MpDBM, examples: Matrix, seed: number): Promise<Matrix> {
  const rng = new RandomStream(seed);
  const seen = matrix(Float32Array.from(examples.data, () => Number(rng.uniform() >= 0.5)), examples.rows, examples.cols);
  const shownInput = Float32Array.from(examples.data, (x, i) => (seen.data[i] === 1 ? x : 0.5));
  const filled = await model.fillIn(examples, seen);
  const rows = new Float32Array(2 * examples.data.length);
  rows.set(shownInput);
  rows.set(filled.data, examples.data.length);
  return matrix(rows, 2 * examples.rows, examples.cols);
}

/** One line of an epoch's record on stderr. */
function epochLine(r: MpDbmEpochRecord, epochs: number): string {
  const heldOut = r.heldOutError === undefined ? '' : `  held-out error ${formatPercent(r.heldOutError)}`;
  return `epoch ${r.epoch}/${epochs}  multi-prediction loss ${r.loss.toFixed(2)}${heldOut}  ${Math.round(r.samplesPerSecond)} samples/s  ${r.seconds.toFixed(1)} s`;
}

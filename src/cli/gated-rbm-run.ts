/**
 * `train --model gated-rbm`: a factored gated RBM's run folder, on pairs [x | y] (`pairs:shift|rotate:SPEC`,
 * or any data whose rows are two halves of one size). The model and the log are saved after every epoch
 * (`--resume` continues from the last), then the pictures: filters.png (each factor's input filter above its
 * output filter), samples.png (pairs whose y is drawn given x) and, with held-out pairs, analogies.png (rows:
 * x, y, a new input x', the model's answer E[y' | x', h(x, y)], the true y'); with their transformations known
 * (labels), the summary holds the measures of `transformationInference`.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { transformationInference, partners, type TransformationInference } from '../estimators/transformation-inference.js';
import { loadModelOf } from '../io/model-file.js';
import { imagesPicture, interleavedPicture, weightsPicture, type ImageShape } from '../io/pictures.js';
import { writePng } from '../io/png-grid.js';
import { GatedRBM } from '../models/gated-rbm.js';
import type { Engine } from '../runtime/engine.js';
import { gatherRows, sliceColumns, type Matrix } from '../tensor/matrix.js';
import { defaultGatedRbmFitOptions, fitGatedRbm, type GatedRbmEpochRecord } from '../training/fit-gated-rbm.js';
import { bernoulli, type UnitType } from '../units/index.js';
import type { Dataset } from '../data/dataset.js';
import { checkpointLog, checkpointWriter, type CheckpointFiles } from './checkpoint.js';
import { batchSizeOn, loadData } from './data-option.js';
import { checkFreshFolder, checkUnfinished, sgdSettings, sharedSettings, type FreshRunFlags, type RunConfig, type RunOptions } from './run-folder.js';
import { savedSettings } from './saved-settings.js';

/** The files of a gated RBM's run folder. */
export const GATED_RUN_FILES = { model: 'model.safetensors', log: 'log.jsonl', filters: 'filters.png', samples: 'samples.png', analogies: 'analogies.png' } as const;

const CHECKPOINT: CheckpointFiles = { model: GATED_RUN_FILES.model, log: GATED_RUN_FILES.log, pictures: [GATED_RUN_FILES.filters, GATED_RUN_FILES.samples, GATED_RUN_FILES.analogies] };

/** Pairs shown in samples.png and analogies.png. */
const SHOWN = 10;

/** The settings of a gated RBM's run, saved in its model file's `training` metadata. */
export interface GatedRbmRunConfig extends Omit<RunConfig, 'standardize'> {
  readonly model: 'gated-rbm';
  readonly factors: number;
}

/** The flags of `train --model gated-rbm` beyond a fresh RBM run's. */
export interface GatedRbmFlags extends FreshRunFlags {
  readonly factors: number;
}

export interface GatedRbmRun {
  readonly kind: 'gated-rbm';
  readonly out: string;
  readonly model: GatedRBM;
  readonly data: Dataset;
  readonly heldOut: Dataset | undefined;
  readonly config: GatedRbmRunConfig;
  readonly records: readonly GatedRbmEpochRecord[];
}

/** The held-out pairs of `data` when none are named: the test digits' pairs for the bundled train digits' pairs, else none. */
const defaultHeldOut = (data: string): string => {
  const bundled = /^pairs:(shift|rotate):mnist(:train)?$/.exec(data);
  return bundled === null ? 'none' : `pairs:${bundled[1]}:mnist:test`;
};

/**
 * A new gated RBM run in `out`: inputs and outputs the two halves of the data's rows, the gated trainer's
 * learning rate and batch size where the flags give none; refuses a folder that holds a model unless `force`.
 */
export function freshGatedRbmRun(engine: Engine, out: string, flags: GatedRbmFlags): GatedRbmRun {
  checkFreshFolder(join(out, GATED_RUN_FILES.model), out, flags.force);
  const { visibleUnits: output = bernoulli, hiddenUnits: hidden = bernoulli } = flags;
  const d = defaultGatedRbmFitOptions;
  const shared = sharedSettings(flags);
  const settings: GatedRbmRunConfig = {
    ...shared,
    model: 'gated-rbm',
    heldOut: flags.heldOut ?? defaultHeldOut(flags.data),
    sampler: 'cd',
    learningRate: flags.learningRate ?? (flags.optimizer === 'adam' ? shared.learningRate : d.learningRate),
    batchSize: flags.batchSize ?? d.batchSize,
    factors: flags.factors,
    hidden: flags.hidden,
    visibleUnits: output.name,
    hiddenUnits: hidden.name,
  };
  const { data, heldOut } = loadPairs(settings, output);
  const config = { ...settings, batchSize: batchSizeOn(settings, data, flags.batchSize === undefined) };
  const nInput = data.examples.cols / 2;
  const model = GatedRBM.create(engine, { nInput, nOutput: nInput, nHidden: config.hidden, nFactors: config.factors, output, hidden, seed: config.seed });
  return { kind: 'gated-rbm', out, model, data, heldOut, config, records: [] };
}

/** The gated RBM run in `out`, to continue from its last checkpoint with the settings saved in its model file. */
export async function resumedGatedRbmRun(engine: Engine, out: string, say: (line: string) => void): Promise<GatedRbmRun> {
  const path = join(out, GATED_RUN_FILES.model);
  const { model, metadata } = await loadModelOf(engine, path, 'gated-rbm');
  const saved = savedSettings(metadata.training, path);
  const config: GatedRbmRunConfig = {
    ...saved,
    model: 'gated-rbm',
    factors: model.shape.nFactors,
    hidden: model.nHidden,
    visibleUnits: model.visible.name,
    hiddenUnits: model.shape.hidden.name,
  };
  checkUnfinished(out, CHECKPOINT, model.epochsTrained >= config.epochs, `all its ${config.epochs} epochs`, say);
  const { data, heldOut } = loadPairs(config, model.visible, model.nVisible);
  batchSizeOn(config, data, false);
  const records = await checkpointLog<GatedRbmEpochRecord>(out, CHECKPOINT, metadata, (r) => r.epoch <= model.epochsTrained, say);
  return { kind: 'gated-rbm', out, model, data, heldOut, config, records };
}

/** The training and held-out pairs of a run, binarised and checked against the output units: rows of an even width. */
function loadPairs(config: GatedRbmRunConfig, units: UnitType, nVisible?: number): { data: Dataset; heldOut: Dataset | undefined } {
  const data = loadData(config.data, config.binarize, units, nVisible);
  if (data.examples.cols % 2 !== 0) throw new UserError(`--data ${data.name}: rows of ${data.examples.cols} values cannot be pairs [x | y] of two halves; use pairs:shift:SPEC or pairs:rotate:SPEC`);
  const heldOut = config.heldOut === 'none' ? undefined : loadData(config.heldOut, config.binarize, units, data.examples.cols);
  return { data, heldOut };
}

/** What `train --model gated-rbm --json` prints. */
export interface GatedRbmRunSummary {
  readonly out: string;
  readonly model: string;
  readonly files: readonly string[];
  readonly kind: 'gated-rbm';
  readonly epochs: number;
  readonly last: GatedRbmEpochRecord | undefined;
  /** On held-out pairs whose transformations are known. */
  readonly heldOut?: TransformationInference;
}

/** Train a gated RBM run to its configured epochs, checkpointing after every epoch, then draw the pictures and measure the held-out pairs. */
export async function runGatedRbmTraining(run: GatedRbmRun, options: RunOptions): Promise<GatedRbmRunSummary> {
  const { out, model, config } = run;
  const checkpoint = checkpointWriter(out, CHECKPOINT, { training: JSON.stringify(config), seed: String(config.seed) });
  const path = (file: string): string => join(out, file);
  const records = [...run.records];
  const fitOptions = {
    ...sgdSettings(config),
    optimizer: config.optimizer,
    maxNorm: config.maxNorm,
  };
  if (model.epochsTrained < config.epochs) {
    await fitGatedRbm(model, run.data.examples, { ...fitOptions, signal: options.signal }, async (r) => {
      if (!options.quiet) process.stderr.write(`epoch ${r.epoch}/${config.epochs}  recon ${r.reconstructionError.toFixed(3)}  ${Math.round(r.samplesPerSecond)} pairs/s  ${r.seconds.toFixed(1)} s\n`);
      records.push(r);
      await checkpoint(model, records);
    });
  }
  options.signal?.throwIfAborted();
  const shown = run.heldOut ?? run.data;
  const { nInput } = model.shape;
  const pair: ImageShape = shown.imageShape ?? [2, nInput];
  const image: ImageShape = [pair[0] / 2, pair[1]];
  await writePng(path(GATED_RUN_FILES.filters), weightsPicture(model.pairFilters(), pair));
  const count = Math.min(SHOWN, shown.examples.rows);
  const { means } = await model.sample(count, { start: gatherRows(shown.examples, Array.from({ length: count }, (_, r) => r)), steps: options.sampleSteps, seed: config.seed });
  await writePng(path(GATED_RUN_FILES.samples), imagesPicture(means, pair, count));
  let heldOut: TransformationInference | undefined;
  if (run.heldOut !== undefined) {
    await writePng(path(GATED_RUN_FILES.analogies), interleavedPicture(await analogyRows(model, run.heldOut), image, SHOWN));
    if (run.heldOut.labels !== undefined && run.heldOut.examples.rows >= 2) heldOut = await transformationInference(model, run.heldOut.examples, run.heldOut.labels);
  }
  const files = Object.values(GATED_RUN_FILES).filter((f) => f !== GATED_RUN_FILES.analogies || run.heldOut !== undefined).map(path);
  return { out, model: path(GATED_RUN_FILES.model), files, kind: 'gated-rbm', epochs: model.epochsTrained, last: records.at(-1), ...(heldOut && { heldOut }) };
}

/**
 * The analogies of analogies.png, five images each [SHOWN, nOutput]: x, y, the new input x', the model's answer,
 * the true y'. x' is the next pair's input, of the same transformation when the pairs are labelled.
 */
async function analogyRows(model: GatedRBM, pairs: Dataset): Promise<Matrix[]> {
  const { nInput } = model.shape;
  const n = pairs.examples.rows;
  const next = pairs.labels === undefined ? Int32Array.from({ length: n }, (_, r) => (r + 1) % n) : partners(pairs.labels);
  const rows = Array.from({ length: n }, (_, r) => r).filter((r) => next[r] >= 0).slice(0, SHOWN);
  const questions = gatherRows(pairs.examples, rows);
  const answers = gatherRows(pairs.examples, rows.map((r) => next[r]));
  const newInputs = sliceColumns(answers, 0, nInput);
  return [sliceColumns(questions, 0, nInput), sliceColumns(questions, nInput, model.nVisible), newInputs, await model.analogy(questions, newInputs), sliceColumns(answers, nInput, model.nVisible)];
}

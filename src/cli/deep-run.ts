/**
 * `train --model dbn|dbm --layers ...`: deep models' run folders.
 * DBN: the RBMs train greedily, bottom first, each with the same training flags as `--model rbm` (see
 * training/fit-dbn.ts: layer l learns one up-pass draw of the data); after every epoch of every layer the model (kind
 * "dbn", tensors weights_l, visible_bias_l, hidden_bias_l) and then the log (one JSON line per layer and epoch,
 * with "layer") are written, so `--resume` continues from the last saved epoch of the layer in training.
 * DBM (2 or more hidden layers): pretraining by weight doubling (training/dbm-pretrain.ts), then joint training
 * (training/fit-dbm.ts, centred with --centering), the model and log saved after pretraining and after every joint
 * epoch, so `--resume` continues joint training from the last saved epoch (a run interrupted during
 * pretraining, which saves nothing, starts again).
 * Then the pictures: the bottom layer's filters and samples (DBN: Gibbs in the top RBM, then the down-pass;
 * DBM: Gibbs in its bipartite RBM). Flags a deep model cannot honour are refused (DBN_UNSUPPORTED_FLAGS,
 * DBM_UNSUPPORTED_FLAGS).
 */
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { UserError } from '../errors.js';
import type { ModelMetadata } from '../io/model-tensors.js';
import { loadModelOf, readModelFile } from '../io/model-file.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { filtersPicture, imagesPicture, weightsPicture } from '../io/pictures.js';
import { writePng } from '../io/png-grid.js';
import type { DBM } from '../models/dbm.js';
import { fitDbm, jointLearningRate, type DbmEpochRecord, type DbmFitOptions } from '../training/fit-dbm.js';
import { pretrainDbm } from '../training/dbm-pretrain.js';
import { DBN } from '../models/dbn.js';
import { fitDbn, type LayerEpochRecord } from '../training/fit-dbn.js';
import { matrix } from '../tensor/matrix.js';
import type { Engine } from '../runtime/engine.js';
import { bernoulli, isBinary, type UnitType } from '../units/index.js';
import { freshClassRbmRun, resumedClassRbmRun, runClassRbmTraining, type ClassRbmFlags, type ClassRbmRun, type ClassRbmRunSummary } from './class-rbm-run.js';
import { freshMpDbmRun, resumedMpDbmRun, runMpDbmTraining, type MpDbmFlags, type MpDbmRun, type MpDbmRunSummary } from './mp-dbm-run.js';
import { freshGatedRbmRun, resumedGatedRbmRun, runGatedRbmTraining, type GatedRbmFlags, type GatedRbmRun, type GatedRbmRunSummary } from './gated-rbm-run.js';
import { batchSizeOn, loadData } from './data-option.js';
import { pictureShape } from './output.js';
import { trainingProgress } from './progress.js';
import { savedSettings } from './saved-settings.js';
import { checkpointLog, checkpointWriter, type CheckpointFiles } from './checkpoint.js';
import { checkFreshFolder, checkUnfinished, sharedSettings, type FreshRunFlags, type RunConfig, type RunOptions } from './run-folder.js';

/** The files of a DBN or DBM run folder. */
export const DEEP_RUN_FILES = { model: 'model.safetensors', log: 'log.jsonl', filters: 'filters.png', samples: 'samples.png' } as const;

const DEEP_CHECKPOINT: CheckpointFiles = { model: DEEP_RUN_FILES.model, log: DEEP_RUN_FILES.log, pictures: [DEEP_RUN_FILES.filters, DEEP_RUN_FILES.samples] };

/** The settings of a DBN or DBM run, saved in its model file's `training` metadata. */
export interface DeepRunConfig extends Omit<RunConfig, 'hidden'> {
  readonly model: 'dbn' | 'dbm';
  /** Hidden units per layer, bottom first. */
  readonly layers: readonly number[];
}

export interface DeepRun {
  readonly kind: 'dbn';
  readonly out: string;
  readonly dbn: DBN;
  readonly data: Dataset;
  readonly heldOut: Dataset | undefined;
  readonly config: DeepRunConfig;
  readonly records: readonly LayerEpochRecord[];
}

/** A new DBN run in `out` with hidden layers `layers`; refuses a folder that holds a model unless `force`. */
export function freshDeepRun(engine: Engine, out: string, flags: FreshRunFlags, layers: readonly number[]): DeepRun {
  checkFreshFolder(join(out, DEEP_RUN_FILES.model), out, flags.force);
  const settings: DeepRunConfig = { ...sharedSettings(flags), model: 'dbn', layers: [...layers] };
  const { data, heldOut } = loadDeepRunData(settings);
  const config = { ...settings, batchSize: batchSizeOn(settings, data, flags.batchSize === undefined) };
  const dbn = DBN.create(engine, { sizes: [data.examples.cols, ...layers], seed: config.seed });
  return { kind: 'dbn', out, dbn, data, heldOut, config, records: [] };
}

/** The settings saved in the `training` metadata of the model at `path` (see savedSettings), with the model's layers. */
function savedConfig(metadata: ModelMetadata, path: string, model: 'dbn' | 'dbm', sizes: readonly number[]): DeepRunConfig {
  return { ...savedSettings(metadata.training, path), model, layers: sizes.slice(1) };
}

/** The DBN run in `out`, to continue from its last checkpoint with the settings saved in its model file (see resumedRun). */
export async function resumedDeepRun(engine: Engine, out: string, say: (line: string) => void): Promise<DeepRun> {
  const path = join(out, DEEP_RUN_FILES.model);
  const { model: dbn, metadata } = await loadModelOf(engine, path, 'dbn');
  const config = savedConfig(metadata, path, 'dbn', dbn.sizes);
  checkUnfinished(out, DEEP_CHECKPOINT, dbn.rbms.every((r) => r.epochsTrained >= config.epochs), `all its layers for ${config.epochs} epochs`, say);
  const { data, heldOut } = loadDeepRunData(config, dbn.nVisible);
  batchSizeOn(config, data, false);
  const trained = (r: LayerEpochRecord): boolean => r.epoch <= dbn.rbms[r.layer].epochsTrained;
  const records = await checkpointLog(out, DEEP_CHECKPOINT, metadata, trained, say);
  return { kind: 'dbn', out, dbn, data, heldOut, config, records };
}

/**
 * The DBM run in `out`, pretrained and saved, to continue joint training from its last saved epoch with the
 * settings saved in its model file (see resumedRun). Velocities, chains and centering's offsets start afresh.
 */
export async function resumedDbmRun(engine: Engine, out: string, say: (line: string) => void): Promise<DbmRun> {
  const path = join(out, DEEP_RUN_FILES.model);
  const { model: dbm, metadata } = await loadModelOf(engine, path, 'dbm');
  const config = savedConfig(metadata, path, 'dbm', dbm.sizes);
  checkUnfinished(out, DEEP_CHECKPOINT, dbm.epochsTrained >= config.epochs, `all its ${config.epochs} joint epochs`, say);
  const { data, heldOut } = loadDeepRunData(config, dbm.nVisible);
  batchSizeOn(config, data, false);
  const records = await checkpointLog<DbmLogRecord>(out, DEEP_CHECKPOINT, metadata, (r) => r.stage === 'pretrain' || r.epoch <= dbm.epochsTrained, say);
  return { kind: 'dbm', out, engine, data, heldOut, config, dbm, records };
}

/** What `runDeepTraining` reports, as `train --json` prints it. */
export interface DeepRunSummary {
  readonly out: string;
  readonly model: string;
  readonly files: readonly string[];
  readonly kind: 'dbn';
  readonly layers: readonly number[];
  readonly epochs: readonly number[];
  readonly last: LayerEpochRecord | undefined;
}

/** Train `run` (a DBN, a DBM, a classification RBM, a gated RBM or a multi-prediction DBM run) to its configured epochs, checkpointing as it goes, then draw the pictures. */
export async function runDeepTraining(run: DeepRun | DbmRun | ClassRbmRun | GatedRbmRun | MpDbmRun, options: RunOptions): Promise<DeepRunSummary | DbmRunSummary | ClassRbmRunSummary | GatedRbmRunSummary | MpDbmRunSummary> {
  if (run.kind === 'class-rbm') return runClassRbmTraining(run, options);
  if (run.kind === 'mp-dbm') return runMpDbmTraining(run, options);
  if (run.kind === 'gated-rbm') return runGatedRbmTraining(run, options);
  return run.kind === 'dbm' ? runDbmTraining(run, options) : runDbnTraining(run, options);
}

/** Train a DBN run greedily to its configured epochs per layer, checkpointing after every epoch, then draw the pictures. */
async function runDbnTraining(run: DeepRun, options: RunOptions): Promise<DeepRunSummary> {
  const { out, dbn, config } = run;
  const { data: _data, heldOut: _heldOut, binarize: _binarize, model: _model, layers: _layers, ...fitOptions } = config;
  const checkpoint = checkpointWriter(out, DEEP_CHECKPOINT, { training: JSON.stringify(config), seed: String(config.seed) });
  const path = (file: string): string => join(out, file);
  const records = [...run.records];
  let progress = trainingProgress(config.epochs, true);
  try {
    await fitDbn(dbn, run.data.examples, { ...fitOptions, heldOut: run.heldOut?.examples, signal: options.signal }, {
      onLayer: (l) => {
        progress.stop();
        if (!options.quiet) process.stderr.write(`layer ${l + 1}/${dbn.rbms.length}: RBM ${dbn.sizes[l]} x ${dbn.sizes[l + 1]}\n`);
        progress = trainingProgress(config.epochs, options.quiet);
      },
      onBatch: (p) => progress.batch(p),
      onEpoch: async (r) => {
        progress.epoch(r);
        records.push(r);
        await checkpoint(dbn, records);
      },
    });
  } finally {
    progress.stop();
  }
  options.signal?.throwIfAborted();
  const shown = run.heldOut ?? run.data;
  const shape = pictureShape(shown.examples.cols, shown.imageShape);
  await writePng(path(DEEP_RUN_FILES.filters), filtersPicture(dbn.rbms[0], shape));
  const fantasy = await dbn.sample(100, { steps: options.sampleSteps, seed: config.seed });
  await writePng(path(DEEP_RUN_FILES.samples), imagesPicture(fantasy.means, shape));
  return {
    out,
    model: path(DEEP_RUN_FILES.model),
    files: Object.values(DEEP_RUN_FILES).map(path),
    kind: 'dbn',
    layers: dbn.sizes,
    epochs: dbn.rbms.map((r) => r.epochsTrained),
    last: records.at(-1),
  };
}

function loadDeepRunData(config: DeepRunConfig, nVisible?: number): { data: Dataset; heldOut: Dataset | undefined } {
  const data = loadData(config.data, config.binarize, bernoulli, nVisible);
  const heldOut = config.heldOut === 'none' ? undefined : loadData(config.heldOut, config.binarize, bernoulli, data.examples.cols);
  return { data, heldOut };
}

/** `--layers`: a comma-separated list of positive integers ("500,500,2000"). */
export function layerList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (!parts.every((s) => /^\d+$/.test(s) && Number(s) >= 1)) throw new InvalidArgumentError('expected positive integers separated by commas, such as 500,500,2000.');
  return parts.map(Number);
}

/** The model kinds of `train --model`. */
export const MODEL_KINDS = ['rbm', 'dbn', 'dbm', 'class-rbm', 'gated-rbm', 'mp-dbm'] as const;

/**
 * The deep run that `train`'s flags ask for, or undefined for an RBM run: --model dbn or dbm (with --layers)
 * starts one; --resume continues one when the folder's model is a DBN or a DBM. --model rbm takes at most one
 * --layers size.
 */
export async function deepRunOf(
  engine: Engine,
  out: string,
  flags: ClassRbmFlags & GatedRbmFlags & MpDbmFlags & { readonly model: (typeof MODEL_KINDS)[number]; readonly layers?: readonly number[]; readonly resume?: boolean },
  say: (line: string) => void,
): Promise<DeepRun | DbmRun | ClassRbmRun | GatedRbmRun | MpDbmRun | undefined> {
  if (flags.resume === true) {
    const path = join(out, DEEP_RUN_FILES.model);
    if (!existsSync(path)) return undefined;
    const kind = decodeSafetensors(await readModelFile(path), path).metadata.kind;
    if (kind === 'dbm') return resumedDbmRun(engine, out, say);
    if (kind === 'class-rbm') return resumedClassRbmRun(engine, out, say);
    if (kind === 'gated-rbm') return resumedGatedRbmRun(engine, out, say);
    if (kind === 'mp-dbm') return resumedMpDbmRun(engine, out, say);
    return kind === 'dbn' ? resumedDeepRun(engine, out, say) : undefined;
  }
  if (flags.model === 'rbm' || flags.model === 'class-rbm' || flags.model === 'gated-rbm') {
    const model = { rbm: 'an RBM', 'class-rbm': 'a classification RBM', 'gated-rbm': 'a gated RBM' }[flags.model];
    if (flags.layers !== undefined && flags.layers.length !== 1) throw new UserError(`--layers ${flags.layers.join(',')}: ${model} has one hidden layer; use --model dbn for a stack`);
    const hidden = flags.layers?.[0] ?? flags.hidden;
    if (flags.model === 'rbm') return undefined;
    return flags.model === 'class-rbm' ? freshClassRbmRun(engine, out, { ...flags, hidden }) : freshGatedRbmRun(engine, out, { ...flags, hidden });
  }
  if (flags.layers === undefined) throw new UserError(`--model ${flags.model}: give the hidden layers with --layers, such as --layers 500,${flags.model === 'dbm' ? '1000' : '500'}`);
  if (flags.model === 'dbm') return freshDbmRun(engine, out, flags, flags.layers);
  if (flags.model === 'mp-dbm') return freshMpDbmRun(engine, out, flags, flags.layers);
  return freshDeepRun(engine, out, flags, flags.layers);
}

/**
 * The training flags a deep run cannot honour, and why: `train --model dbn|dbm` refuses them when given
 * (exit 2), rather than ignoring them. A DBN trains each RBM as `--model rbm` does, on Bernoulli units.
 */
export const DBN_UNSUPPORTED_FLAGS: Readonly<Record<string, UnsupportedFlag>> = {
  visibleUnits: { why: 'Bernoulli units only so far', accepts: isBinary },
  hiddenUnits: { why: 'Bernoulli units only so far', accepts: isBinary },
  standardize: { why: 'its units are Bernoulli' },
};

/**
 * A DBM's pretraining is PCD and its joint training PCD, FPCD or PT (--sampler), both with SGD and a constant
 * momentum (--momentum), without penalties besides --weight-decay: it refuses the DBN's flags and these.
 */
export const DBM_UNSUPPORTED_FLAGS: Readonly<Record<string, UnsupportedFlag>> = {
  ...DBN_UNSUPPORTED_FLAGS,
  optimizer: { why: 'a DBM trains by SGD with momentum', accepts: (name) => name === 'sgd' },
  sampler: { why: 'a DBM trains with persistent chains (pcd, fpcd or pt)', accepts: (name) => name !== 'cd' },
  kFinal: { why: 'a DBM runs --k Gibbs sweeps per step throughout' },
  initialMomentum: { why: 'a DBM trains with the constant --momentum' },
  sparsity: { why: 'a DBM has no sparsity penalty' },
  sparsityCost: { why: 'a DBM has no sparsity penalty' },
  l1: { why: 'a DBM has no L1 penalty' },
  maxNorm: { why: 'a DBM has no max-norm constraint' },
};

/** The flags only a classification RBM honours: `train --model rbm|dbn|dbm` refuses them when given. */
export const CLASS_RBM_ONLY_FLAGS: Readonly<Record<string, UnsupportedFlag>> = {
  objective: { why: 'it has no label layer; use --model class-rbm' },
  alpha: { why: 'it has no label layer; use --model class-rbm' },
  labelled: { why: 'it has no label layer; use --model class-rbm' },
};

/**
 * A classification RBM trains by SGD with a constant momentum (--momentum), with CD, PCD or PT and no penalty
 * besides --weight-decay, on visible units without a learned std: it refuses these.
 */
export const CLASS_RBM_UNSUPPORTED_FLAGS: Readonly<Record<string, UnsupportedFlag>> = {
  visibleUnits: { why: 'its visible units have no learned std', accepts: (units: UnitType) => units.learnedStd === undefined },
  standardize: { why: 'it trains on the data as given' },
  optimizer: { why: 'a classification RBM trains by SGD with momentum', accepts: (name) => name === 'sgd' },
  sampler: { why: 'a classification RBM trains with cd, pcd or pt', accepts: (name) => name !== 'fpcd' },
  kFinal: { why: 'it runs --k Gibbs sweeps per step throughout' },
  initialMomentum: { why: 'it trains with the constant --momentum' },
  sparsity: { why: 'it has no sparsity penalty' },
  sparsityCost: { why: 'it has no sparsity penalty' },
  l1: { why: 'it has no L1 penalty' },
  maxNorm: { why: 'it has no max-norm constraint' },
  centering: { why: 'it has no centred gradient' },
};

/**
 * A gated RBM trains by CD with SGD (momentum constant) or Adam, with weight decay and a max-norm on its factors
 * and no other penalty, on units without a learned std: `train --model gated-rbm` refuses the flags it cannot honour.
 */
export const GATED_RBM_UNSUPPORTED_FLAGS: Readonly<Record<string, UnsupportedFlag>> = {
  ...CLASS_RBM_ONLY_FLAGS,
  visibleUnits: { why: 'its outputs have no learned std', accepts: (units: UnitType) => units.learnedStd === undefined },
  standardize: { why: 'it trains on the pairs as given' },
  sampler: { why: 'a gated RBM trains by CD: a persistent chain would need the same input at every step', accepts: (name) => name === 'cd' },
  chains: { why: 'CD keeps no chains' },
  temperatures: { why: 'CD keeps no chains' },
  fastLearningRate: { why: 'CD keeps no chains' },
  fastDecay: { why: 'CD keeps no chains' },
  kFinal: { why: 'it runs --k Gibbs sweeps per step throughout' },
  initialMomentum: { why: 'it trains with the constant --momentum' },
  sparsity: { why: 'it has no sparsity penalty' },
  sparsityCost: { why: 'it has no sparsity penalty' },
  l1: { why: 'it has no L1 penalty' },
  centering: { why: 'it has no centred gradient' },
};

/**
 * A multi-prediction DBM trains by centred SGD with a constant momentum on Bernoulli units, its only penalties
 * --weight-decay and --max-norm, with no sampler: `train --model mp-dbm` refuses the flags it cannot honour.
 */
export const MP_DBM_UNSUPPORTED_FLAGS: Readonly<Record<string, UnsupportedFlag>> = {
  ...DBN_UNSUPPORTED_FLAGS,
  ...CLASS_RBM_ONLY_FLAGS,
  optimizer: { why: 'it follows the centred gradient by SGD with momentum', accepts: (name) => name === 'sgd' },
  sampler: { why: 'multi-prediction training draws no samples' },
  k: { why: 'multi-prediction training draws no samples' },
  chains: { why: 'multi-prediction training keeps no chains' },
  temperatures: { why: 'multi-prediction training keeps no chains' },
  fastLearningRate: { why: 'multi-prediction training keeps no chains' },
  fastDecay: { why: 'multi-prediction training keeps no chains' },
  kFinal: { why: 'multi-prediction training draws no samples' },
  initialMomentum: { why: 'it trains with the constant --momentum' },
  sparsity: { why: 'it has no sparsity penalty' },
  sparsityCost: { why: 'it has no sparsity penalty' },
  l1: { why: 'it has no L1 penalty' },
};

/** The flags only a multi-prediction DBM honours: the other models refuse them when given. */
export const MP_DBM_ONLY_FLAGS: Readonly<Record<string, UnsupportedFlag>> = {
  dropProbability: { why: 'it is not trained by multi-prediction; use --model mp-dbm' },
  labelWeight: { why: 'it is not trained by multi-prediction; use --model mp-dbm' },
};

/** The flags only a gated RBM honours: the other models refuse them when given. */
export const GATED_RBM_ONLY_FLAGS: Readonly<Record<string, UnsupportedFlag>> = {
  factors: { why: 'it has no factored three-way coupling; use --model gated-rbm' },
};

/** Why a model cannot honour a flag, and which of its values it does honour, if any. */
export interface UnsupportedFlag {
  readonly why: string;
  readonly accepts?: (value: never) => boolean;
}

/** A DBM run: pretraining by weight doubling, then joint training (see `runDbmTraining`). */
export interface DbmRun {
  readonly kind: 'dbm';
  readonly out: string;
  readonly engine: Engine;
  readonly data: Dataset;
  readonly heldOut: Dataset | undefined;
  readonly config: DeepRunConfig;
  /** The pretrained DBM of a resumed run (absent: pretrain first). */
  readonly dbm?: DBM;
  /** The log of a resumed run. */
  readonly records: readonly DbmLogRecord[];
}

/** A new DBM run in `out` with hidden layers `layers` (2 or more); refuses a folder that holds a model unless `force`. */
export function freshDbmRun(engine: Engine, out: string, flags: FreshRunFlags, layers: readonly number[]): DbmRun {
  if (layers.length < 2) throw new UserError(`--layers ${layers.join(',')}: a DBM has 2 or more hidden layers, such as --layers 500,1000`);
  const run = freshDeepRun(engine, out, flags, layers);
  return { kind: 'dbm', out, engine, data: run.data, heldOut: run.heldOut, config: { ...run.config, model: 'dbm' }, records: [] };
}

/** What `train --model dbm --json` prints. */
export interface DbmRunSummary {
  readonly out: string;
  readonly model: string;
  readonly files: readonly string[];
  readonly kind: 'dbm';
  readonly layers: readonly number[];
  readonly epochs: number;
  readonly last: DbmLogRecord | undefined;
}

/** A line of a DBM run's log: the stage and its epoch, and for a joint epoch fitDbm's record (rate, reconstruction error, speed). */
export interface DbmLogRecord extends Partial<Omit<DbmEpochRecord, 'epoch' | 'seconds'>> {
  readonly stage: 'pretrain' | 'joint';
  readonly epoch: number;
  readonly seconds: number;
}

/**
 * Train a DBM run: its RBMs pretrained with weight doubling for --epochs each (pretrainDbm; the training
 * flags as for an RBM), composed and saved (a resumed run skips this), then joint training (fitDbm:
 * persistent chains, a mean-field positive phase of 10 sweeps, --k Gibbs sweeps per step, centred with
 * --centering) up to --epochs at jointLearningRate(--learning-rate) (a tenth), both with --lr-schedule, saving the model and the log after every epoch;
 * then filters (of W_0) and samples.
 */
async function runDbmTraining(run: DbmRun, options: RunOptions): Promise<DbmRunSummary> {
  const { out, config, engine } = run;
  const { signal } = options;
  const checkpoint = checkpointWriter(out, DEEP_CHECKPOINT, { training: JSON.stringify(config), seed: String(config.seed) });
  const path = (file: string): string => join(out, file);
  const say = (line: string) => {
    if (!options.quiet) process.stderr.write(line + '\n');
  };
  const records = [...run.records];
  const sizes = [run.data.examples.cols, ...config.layers];
  const common = { epochs: config.epochs, batchSize: config.batchSize, learningRateSchedule: config.learningRateSchedule, weightDecay: config.weightDecay, chains: config.chains, k: config.k, seed: config.seed };
  const momentum = config.finalMomentum;
  let dbm = run.dbm;
  if (dbm === undefined) {
    say(`pretraining ${sizes.join('-')} by weight doubling, ${config.epochs} epochs per layer`);
    const started = performance.now();
    dbm = await pretrainDbm(engine, sizes, run.data.examples, { ...common, learningRate: config.learningRate, initialMomentum: momentum, finalMomentum: momentum, signal });
    records.push({ stage: 'pretrain', epoch: config.epochs, seconds: (performance.now() - started) / 1000 });
    await checkpoint(dbm, records);
  }
  const trained = dbm;
  if (dbm.epochsTrained < config.epochs) {
    say(`joint training${config.centering ? ', centred' : ''}, epochs ${dbm.epochsTrained + 1} to ${config.epochs}`);
    const sampling = { sampler: config.sampler as DbmFitOptions['sampler'], temperatures: config.temperatures, fastLearningRate: config.fastLearningRate, fastDecay: config.fastDecay } as const;
    const joint = { ...common, ...sampling, momentum, learningRate: jointLearningRate(config.learningRate), meanFieldIterations: 10, centering: config.centering, signal };
    await fitDbm(dbm, run.data.examples, joint, async (r) => {
      say(`epoch ${r.epoch}/${config.epochs}  ${Math.round(r.samplesPerSecond)} samples/s  ${r.seconds.toFixed(1)} s`);
      records.push({ stage: 'joint', ...r });
      await checkpoint(trained, records);
    });
  }
  signal?.throwIfAborted();
  const shown = run.heldOut ?? run.data;
  const shape = pictureShape(shown.examples.cols, shown.imageShape);
  await writePng(path(DEEP_RUN_FILES.filters), weightsPicture(matrix(dbm.params.weights[0], sizes[0], sizes[1]), shape));
  const fantasy = await dbm.sample(100, { steps: options.sampleSteps, seed: config.seed });
  await writePng(path(DEEP_RUN_FILES.samples), imagesPicture(fantasy.means, shape));
  return { out, model: path(DEEP_RUN_FILES.model), files: Object.values(DEEP_RUN_FILES).map(path), kind: 'dbm', layers: sizes, epochs: dbm.epochsTrained, last: records.at(-1) };
}

/**
 * `boltzmann eval`: the log-likelihood of data under a model file of any kind, as the library's estimators
 * compute it (estimators/rbm-likelihood.ts, dbn-bound.ts, dbm-bound.ts, class-rbm-likelihood.ts,
 * gated-rbm-likelihood.ts, mp-dbm-bound.ts), a classification RBM's and a multi-prediction DBM's test error on
 * labelled data (the latter's also with pixels missing), and a gated RBM's
 * transformation and analogy errors on pairs of known transformations. Here: the flags, the data, where the
 * AIS base rate comes from, the progress bar, and the output (one JSON object, or text).
 */
import { Command, Option } from '@commander-js/extra-typings';
import cliProgress from 'cli-progress';
import { UserError } from '../../errors.js';
import { STANDARD_SCHEDULE_LENGTH } from '../../estimators/annealing.js';
import { classRbmLogLikelihood } from '../../estimators/class-rbm-likelihood.js';
import { DBM_MEAN_FIELD_SWEEPS, dbmLogLikelihood, defaultDbmLogZMethod } from '../../estimators/dbm-bound.js';
import { missingInputErrors } from '../../estimators/missing-inputs.js';
import { mpDbmLogLikelihood } from '../../estimators/mp-dbm-bound.js';
import { dbnLogLikelihood, defaultDbnLogZMethod } from '../../estimators/dbn-bound.js';
import { canEnumerate, MAX_EXACT_UNITS } from '../../estimators/exact-log-partition.js';
import { pseudoLogLikelihood } from '../../estimators/pseudo-likelihood.js';
import { defaultRbmLogZMethod, rbmLogLikelihood, type AnnealingDirection, type LogLikelihoodEstimate, type RbmLogZMethod } from '../../estimators/rbm-likelihood.js';
import { reconstructionError } from '../../estimators/reconstruction-error.js';
import { boundMethodName, type LogZMethod } from '../../estimators/score.js';
import type { AnyModel } from '../../io/model-codec.js';
import type { ClassRBM } from '../../models/class-rbm.js';
import type { DBM } from '../../models/dbm.js';
import type { DBN } from '../../models/dbn.js';
import type { ModelKind } from '../../models/model.js';
import type { MpDBM } from '../../models/mp-dbm.js';
import type { RBM } from '../../models/rbm.js';
import { sliceRows, type Matrix } from '../../tensor/matrix.js';
import { classification } from '../../training/fit-class-rbm.js';
import { gatedRbmLogLikelihood } from '../../estimators/gated-rbm-likelihood.js';
import { transformationInference } from '../../estimators/transformation-inference.js';
import type { GatedRBM } from '../../models/gated-rbm.js';
import { checkLabels } from '../../training/fit-classifier.js';
import { bernoulli, isBinary, type UnitType } from '../../units/index.js';
import { BINARIZE_HELP, DATA_HELP, loadData } from '../data-option.js';
import { openAnyModel } from '../model-option.js';
import { fractionList, positiveInt, seed, threadCount } from '../parse.js';
import { belowFloorWarning, formatNumber, formatPercent } from '../output.js';

const METHODS = ['exact', 'ais', 'reverse-ais', 'both'] as const;

/** eval's flags, as commander parses them. */
interface EvalFlags {
  readonly model: string;
  readonly data: string;
  readonly binarize: string;
  readonly logz?: RbmLogZMethod;
  readonly chains: number;
  readonly betas: number;
  readonly examples: number;
  readonly reverseChains: number;
  readonly baseData?: string;
  readonly samples: number;
  readonly missing: readonly number[];
  readonly seed: number;
  readonly blockSize?: number;
  readonly threads?: number;
  readonly json?: true;
  readonly quiet?: true;
}

/** Where the base-rate model's visible biases came from. */
interface BaseRateSource {
  readonly source: 'training data' | 'evaluation data' | 'base data' | 'none';
  readonly spec: string | null;
  readonly note?: string;
}

/** eval on a model of one kind: load the data, call the library, print; `started` is the command's start. */
type Evaluate<M> = (model: M, metadata: Record<string, string>, o: EvalFlags, started: number) => Promise<void>;

/** The evaluation of each kind of model file. */
const evaluators: { readonly [K in ModelKind]: Evaluate<Extract<AnyModel, { kind: K }>> } = { rbm: evalRbm, dbn: evalDbn, dbm: evalDbm, 'class-rbm': evalClassRbm, 'gated-rbm': evalGatedRbm, 'mp-dbm': evalMpDbm };

export function evalCommand() {
  return new Command('eval')
    .description(
      'estimate log Z and the mean log-likelihood of data under a model: exactly (small layers), by AIS (optimistic), ' +
        'by reverse AIS (conservative) or both; also the pseudo-log-likelihood and the reconstruction error',
    )
    .requiredOption('--model <file>', 'model file (.safetensors)')
    .requiredOption('--data <spec>', DATA_HELP)
    .option('--binarize <how>', BINARIZE_HELP, 'stochastic')
    .addOption(
      new Option('--logz <method>', `exact (enumeration), ais, reverse-ais or both (default: exact when the smaller layer has at most ${MAX_EXACT_UNITS} units, else both)`).choices(METHODS),
    )
    .option('--chains <n>', 'AIS runs', positiveInt, 100)
    .option('--betas <n>', 'temperature steps of the annealing schedule (the standard one has 14,500)', positiveInt, STANDARD_SCHEDULE_LENGTH)
    .option('--examples <n>', 'reverse AIS: examples to anneal from (a random subset when the data has more; each costs --reverse-chains AIS runs); a gated RBM with annealed log Z: the first n pairs scored, each its own annealing', positiveInt, 50)
    .option('--reverse-chains <n>', 'reverse AIS: chains per example', positiveInt, 10)
    .option('--base-data <spec>', "data for the base-rate model of AIS (default: the training data named in the model file, else --data; 'none': uniform)")
    .option('--samples <n>', "DBN: draws of the up-pass per example for the variational bound", positiveInt, 10)
    .option('--missing <fractions>', 'mp-dbm on labelled data: also the test error with each of these fractions of the pixels missing at random, such as 0.25,0.5', fractionList, [])
    .option('--seed <n>', 'seed of the annealing chains, of the reverse AIS subset and of the missing pixels', seed, 0)
    .option('--block-size <n>', 'temperatures per graph run', positiveInt)
    .option('--threads <n>', 'threads per graph run (default: all cores)', threadCount)
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--quiet', 'no progress bar on stderr')
    .action(async (o) => {
      const started = performance.now();
      const { model, metadata } = await openAnyModel(o.model, o.threads);
      if (o.missing.length > 0 && model.kind !== 'mp-dbm') throw new UserError(`--missing: ${o.model} is a ${model.kind}; eval classifies with missing pixels for a multi-prediction DBM (for a DBM's fine-tuned network: classify --missing)`);
      await (evaluators[model.kind] as Evaluate<AnyModel>)(model, metadata, o, started);
    });
}

/** The annealing directions as the output names them. */
const DIRECTION_NAMES: Readonly<Record<AnnealingDirection, string>> = { ais: 'AIS', 'reverse-ais': 'reverse AIS' };

/** The seven numbers of an estimate of log Z and the log-likelihood, in the JSON's order. */
const estimateKeys = (e: LogLikelihoodEstimate): LogLikelihoodEstimate => ({
  logZ: e.logZ,
  logZLow: e.logZLow,
  logZHigh: e.logZHigh,
  logZStdErr: e.logZStdErr,
  logLikelihood: e.logLikelihood,
  logLikelihoodLow: e.logLikelihoodLow,
  logLikelihoodHigh: e.logLikelihoodHigh,
});

/** `eval` on an RBM: log Z exact, by AIS, reverse AIS or both (rbmLogLikelihood), the pseudo-log-likelihood and the reconstruction error. */
async function evalRbm(rbm: RBM, metadata: Record<string, string>, o: EvalFlags, started: number): Promise<void> {
  checkBernoulli(rbm, o);
  const data = loadData(o.data, o.binarize, rbm.visible, rbm.nVisible);
  const method = o.logz ?? defaultRbmLogZMethod(rbm);
  if (method === 'exact' && !canEnumerate(rbm)) {
    throw new UserError(`--logz exact: the smaller layer of ${o.model} has ${Math.min(rbm.nVisible, rbm.nHidden)} units, more than the ${MAX_EXACT_UNITS} that enumeration can handle; use --logz ais, reverse-ais or both`);
  }
  const v = data.examples;
  const base = method === 'exact' ? undefined : baseRate(o, metadata, { examples: v, spec: data.name }, rbm.visible);
  const progress = progressBar(o.quiet === true);
  const bars = { ais: progress.update(DIRECTION_NAMES.ais), 'reverse-ais': progress.update(DIRECTION_NAMES['reverse-ais']) };
  let r;
  try {
    r = await rbmLogLikelihood(rbm, v, {
      method,
      chains: o.chains,
      betas: o.betas,
      examples: o.examples,
      chainsPerExample: o.reverseChains,
      baseData: base?.data,
      seed: o.seed,
      blockSize: o.blockSize,
      onProgress: (direction, done, total) => bars[direction]?.(done, total),
    });
  } finally {
    progress.stop();
  }
  const { exact, ais, reverseAis } = r;
  const warning = r.belowFloor
    .map((d) => belowFloorWarning(`the RBM by ${DIRECTION_NAMES[d]}`, (d === 'ais' ? ais : reverseAis)!.logZ, r.logZFloor, 'log-likelihood'))
    .join('; ');
  const pll = await pseudoLogLikelihood(rbm, v);
  const recon = await reconstructionError(rbm, v);
  const result = {
    model: o.model,
    data: data.name,
    examples: v.rows,
    nVisible: rbm.nVisible,
    nHidden: rbm.nHidden,
    method,
    ...estimateKeys(r),
    logZFloor: r.logZFloor,
    ...(warning === '' ? {} : { warning }),
    meanFreeEnergy: r.meanFreeEnergy,
    pseudoLogLikelihood: pll,
    reconstructionError: recon,
    exact: exact && { logZ: exact.logZ, logLikelihood: exact.logLikelihood },
    ais: ais && {
      ...estimateKeys(ais),
      chains: ais.result.logWeights.length,
      betas: ais.result.steps,
      baseLogZ: ais.result.baseLogZ,
      seconds: ais.seconds,
    },
    reverseAis: reverseAis && {
      ...estimateKeys(reverseAis),
      logLikelihoodStdErr: reverseAis.result.stdErr,
      examples: reverseAis.result.examples.length,
      exampleSelection: reverseAis.result.examples.length === v.rows ? 'all' : `random subset (seed ${o.seed})`,
      chainsPerExample: reverseAis.result.chainsPerExample,
      betas: reverseAis.result.steps,
      seconds: reverseAis.seconds,
    },
    baseRate: base?.source ?? null,
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
  };
  await rbm.engine.dispose();
  if (o.json === true) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write(table(result, ais, reverseAis, exact));
}

/** Refuses an RBM (or a classification RBM's) whose units are not Bernoulli on both layers, as the estimators need. */
function checkBernoulli(rbm: RBM, o: EvalFlags): void {
  if (!(isBinary(rbm.visible) && isBinary(rbm.hidden))) {
    throw new UserError(`eval: ${o.model} has ${rbm.visible.name} visible and ${rbm.hidden.name} hidden units; the log-likelihood estimators need Bernoulli units on both layers`);
  }
}

/** log Z of a deep model's RBM (a DBN's top one, a DBM's bipartite one) by --logz: exact, ais or reverse-ais; both is refused with `refusal`. */
function deepLogZMethod(o: EvalFlags, fallback: LogZMethod, refusal: string): LogZMethod {
  const method = o.logz ?? fallback;
  if (method === 'both') throw new UserError(`--logz ${method}: ${refusal}`);
  return method;
}

/**
 * How a DBM's log Z (its bipartite RBM's) is found: --logz (not 'both': `refusal` says why), else exact when
 * enumeration can, else AIS; --logz exact refused when the bipartite graph's smaller side is too large.
 */
function dbmLogZMethod(o: EvalFlags, dbm: DBM, refusal: string): LogZMethod {
  const method = deepLogZMethod(o, defaultDbmLogZMethod(dbm), refusal);
  const shape = dbm.bipartiteShape;
  if (method === 'exact' && !canEnumerate(shape)) throw new UserError(`--logz exact: ${o.model} has ${Math.min(shape.nVisible, shape.nHidden)} units on the smaller side of its bipartite graph, more than ${MAX_EXACT_UNITS}; use --logz ais`);
  return method;
}

/**
 * `eval` on a DBN: the bound B on the mean log-likelihood (dbnLogLikelihood; as `logLikelihood`, with
 * `bound: "lower"`), its range (3 standard errors of the draws over the examples, widened by AIS's range of
 * log Z), the top RBM's log Z.
 */
async function evalDbn(dbn: DBN, metadata: Record<string, string>, o: EvalFlags, started: number): Promise<void> {
  const data = loadData(o.data, o.binarize, bernoulli, dbn.nVisible);
  const { top } = dbn;
  const logZ = deepLogZMethod(o, defaultDbnLogZMethod(dbn), "a DBN's bound takes exact, ais or reverse-ais for its top RBM");
  if (logZ === 'exact' && !canEnumerate(top)) {
    throw new UserError(`--logz exact: the top RBM of ${o.model} has ${Math.min(top.nVisible, top.nHidden)} units in its smaller layer, more than the ${MAX_EXACT_UNITS} that enumeration can handle; use --logz ais`);
  }
  const base = logZ === 'exact' ? undefined : deepBaseData(o, metadata, data.examples, "a DBN's AIS fits its base rate to the up-pass of data");
  const r = await dbnLogLikelihood(dbn, data.examples, { ...annealingOptions(o, base?.data), logZ, samples: o.samples });
  await dbn.engine.dispose();
  const result = {
    model: o.model,
    kind: 'dbn',
    layers: dbn.sizes,
    data: data.name,
    examples: data.examples.rows,
    method: boundMethodName(r.method, 'top log Z'),
    bound: 'lower',
    logLikelihood: r.bound,
    logLikelihoodLow: r.low,
    logLikelihoodHigh: r.high,
    logLikelihoodStdErr: r.stdErr,
    samples: r.samples,
    topLogZ: r.topLogZ,
    topLogZLow: r.topLogZLow,
    topLogZHigh: r.topLogZHigh,
    topLogZFloor: r.topLogZFloor,
    ...(r.belowFloor ? { warning: belowFloorWarning('the top RBM', r.topLogZ, r.topLogZFloor, 'bound') } : {}),
    ...annealingSettings(r.method, o, base?.source),
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
  };
  writeDeepResult(o, result, [
    `${o.model}: DBN ${dbn.sizes.join('-')}; data ${data.name}, ${data.examples.rows} examples; nats per example`,
    `variational lower bound on the log-likelihood ${num(r.bound)} in [${num(r.low)}, ${num(r.high)}] (${r.samples} draws of the up-pass per example)`,
    `top RBM log Z ${num(r.topLogZ)} (${logZMethodText(r.method, o)}, in [${num(r.topLogZLow)}, ${num(r.topLogZHigh)}])`,
  ]);
}

/**
 * `eval` on a DBM: the mean-field bound on the mean log-likelihood (dbmLogLikelihood), with log Z of its
 * bipartite RBM exact, by AIS or by reverse AIS (base rate: the odd layers' mean-field means of the training data).
 */
async function evalDbm(dbm: DBM, metadata: Record<string, string>, o: EvalFlags, started: number): Promise<void> {
  const data = loadData(o.data, o.binarize, bernoulli, dbm.nVisible);
  const method = dbmLogZMethod(o, dbm, "a DBM's bound takes exact, ais or reverse-ais");
  const base = method === 'exact' ? undefined : deepBaseData(o, metadata, data.examples, "a DBM's AIS fits its base rate to the odd layers' mean-field means of data");
  const r = await dbmLogLikelihood(dbm, data.examples, { ...annealingOptions(o, base?.data), logZ: method });
  await dbm.engine.dispose();
  const result = {
    model: o.model,
    kind: 'dbm',
    layers: dbm.sizes,
    data: data.name,
    examples: data.examples.rows,
    method: boundMethodName(r.method, 'log Z'),
    bound: 'lower',
    logLikelihood: r.bound,
    logLikelihoodLow: r.low,
    logLikelihoodHigh: r.high,
    meanFieldSweeps: r.meanFieldSweeps,
    logZ: r.logZ,
    logZLow: r.logZLow,
    logZHigh: r.logZHigh,
    logZFloor: r.logZFloor,
    ...(r.belowFloor ? { warning: belowFloorWarning('the bipartite RBM', r.logZ, r.logZFloor, 'bound') } : {}),
    ...annealingSettings(r.method, o, base?.source),
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
  };
  writeDeepResult(o, result, [
    `${o.model}: DBM ${dbm.sizes.join('-')}; data ${data.name}, ${data.examples.rows} examples; nats per example`,
    `variational lower bound on the log-likelihood ${num(r.bound)} in [${num(r.low)}, ${num(r.high)}] (mean-field, ${r.meanFieldSweeps} sweeps)`,
    `log Z ${num(r.logZ)} (${logZMethodText(r.method, o)}, on the bipartite RBM)`,
  ]);
}

/**
 * `eval` on a multi-prediction DBM: the lower bound on the mean log p(v), the label summed out
 * (mpDbmLogLikelihood: each class's DBM's log Z exact or by AIS, base rate as for a DBM), and on labelled data
 * the test error of mean-field classification (Q(y) after the inference training unrolled) with every pixel
 * seen and with each --missing fraction of them missing at random.
 */
async function evalMpDbm(model: MpDBM, metadata: Record<string, string>, o: EvalFlags, started: number): Promise<void> {
  const data = loadData(o.data, o.binarize, bernoulli, model.nVisible);
  const method = dbmLogZMethod(o, model.dbm, "a multi-prediction DBM's bound takes exact, ais or reverse-ais for each class");
  const labels = data.labels;
  if (labels !== undefined) checkLabels(labels, data.examples.rows, model.nClasses, data.name);
  if (labels === undefined && o.missing.length > 0) throw new UserError(`--missing: ${data.name} has no labels to score the classes against`);
  const classified = labels === undefined ? undefined : await classification(model, { examples: data.examples, labels });
  const missing = labels === undefined ? [] : await missingInputErrors((v, seen) => model.predict(v, seen), data.examples, labels, model.visible, o.missing, o.seed);
  const base = method === 'exact' ? undefined : deepBaseData(o, metadata, data.examples, "a DBM's AIS fits its base rate to the odd layers' mean-field means of data");
  const r = await mpDbmLogLikelihood(model, data.examples, { ...annealingOptions(o, base?.data), logZ: method });
  await model.engine.dispose();
  const result = {
    model: o.model,
    kind: 'mp-dbm',
    layers: model.sizes,
    classes: model.nClasses,
    data: data.name,
    examples: data.examples.rows,
    testError: classified?.error ?? null,
    classLoss: classified?.loss ?? null,
    missingInputs: missing.map((m) => ({ fraction: m.fraction, testError: m.error })),
    method: boundMethodName(r.method, 'log Z of each class'),
    bound: 'lower',
    logLikelihood: r.bound,
    logLikelihoodLow: r.low,
    logLikelihoodHigh: r.high,
    logZ: r.logZ,
    logZLow: r.logZLow,
    logZHigh: r.logZHigh,
    logZFloor: r.logZFloor,
    classLogZ: r.classLogZ,
    ...(r.logZ < r.logZFloor ? { warning: belowFloorWarning('the multi-prediction DBM', r.logZ, r.logZFloor, 'bound') } : {}),
    ...annealingSettings(r.method, o, base?.source),
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
  };
  writeDeepResult(o, result, [
    `${o.model}: multi-prediction DBM ${model.sizes.join('-')} with ${model.nClasses} classes; data ${data.name}, ${data.examples.rows} examples; nats per example`,
    classified === undefined ? 'the data has no labels: no test error' : `test error ${percent(classified.error)} (most probable class under mean field), -log Q(y) ${num(classified.loss)}`,
    ...missing.map((m) => `  with ${percent(m.fraction)} of the pixels missing: test error ${percent(m.error)}`),
    `variational lower bound on the log-likelihood ${num(r.bound)} in [${num(r.low)}, ${num(r.high)}] (the label summed out, mean field given each class, ${DBM_MEAN_FIELD_SWEEPS} sweeps)`,
    `log Z ${num(r.logZ)} (${logZMethodText(r.method, o)}, each class's DBM)`,
  ]);
}

/**
 * `eval` on a classification RBM: the mean log p(x), the class summed out (classRbmLogLikelihood: each class's
 * RBM's log Z exact or by AIS, base rate as for an RBM), and on labelled data the test error of the most
 * probable class and the mean -log p(y | x), both exact.
 */
async function evalClassRbm(model: ClassRBM, metadata: Record<string, string>, o: EvalFlags, started: number): Promise<void> {
  const { rbm } = model;
  checkBernoulli(rbm, o);
  const data = loadData(o.data, o.binarize, model.visible, model.nVisible);
  const method = deepLogZMethod(o, canEnumerate(rbm) ? 'exact' : 'ais', "a classification RBM's log Z takes exact, ais or reverse-ais for each class");
  if (method === 'exact' && !canEnumerate(rbm)) {
    throw new UserError(`--logz exact: the smaller layer of ${o.model} has ${Math.min(rbm.nVisible, rbm.nHidden)} units, more than the ${MAX_EXACT_UNITS} that enumeration can handle; use --logz ais`);
  }
  const labels = data.labels;
  if (labels !== undefined) checkLabels(labels, data.examples.rows, model.nClasses, data.name);
  const base = method === 'exact' ? undefined : baseRate(o, metadata, { examples: data.examples, spec: data.name }, model.visible);
  const r = await classRbmLogLikelihood(model, data.examples, { ...annealingOptions(o, undefined), method, baseData: base?.data });
  const classified = labels === undefined ? undefined : await classification(model, { examples: data.examples, labels });
  await model.engine.dispose();
  const result = {
    model: o.model,
    kind: 'class-rbm',
    classes: model.nClasses,
    data: data.name,
    examples: data.examples.rows,
    testError: classified?.error ?? null,
    classLoss: classified?.loss ?? null,
    method,
    ...likelihoodKeys(r),
    classLogZ: r.classLogZ,
    ...(r.logZ < r.logZFloor ? { warning: belowFloorWarning('the classification RBM', r.logZ, r.logZFloor, 'log-likelihood') } : {}),
    ...annealingSettings(method, o, base?.source.spec ?? undefined),
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
  };
  writeDeepResult(o, result, [
    `${o.model}: classification RBM ${model.nVisible} visible + ${model.nClasses} classes x ${model.nHidden} hidden; data ${data.name}, ${data.examples.rows} examples; nats per example`,
    classified === undefined ? 'the data has no labels: no test error' : `test error ${percent(classified.error)} (most probable class), -log p(y | x) ${num(classified.loss)}`,
    `log-likelihood log p(x) ${num(r.logLikelihood)} in [${num(r.logLikelihoodLow)}, ${num(r.logLikelihoodHigh)}], the class summed out`,
    `log Z ${num(r.logZ)} (${logZMethodText(method, o)}, each class's RBM)`,
  ]);
}

/**
 * `eval` on a gated RBM, on pairs [x | y]: the mean log p(y | x) (gatedRbmLogLikelihood: each pair's log Z(x)
 * exact, or annealed for the first --examples pairs, base rate as for an RBM, fitted to the outputs), and on
 * pairs whose transformations are known (labels) the measures of transformationInference.
 */
async function evalGatedRbm(model: GatedRBM, metadata: Record<string, string>, o: EvalFlags, started: number): Promise<void> {
  const { nInput, nOutput, nHidden, nFactors, output, hidden } = model.shape;
  if (!(isBinary(output) && isBinary(hidden))) throw new UserError(`eval: ${o.model} has ${output.name} outputs and ${hidden.name} mapping units; the log-likelihood estimators need Bernoulli units on both layers`);
  const data = loadData(o.data, o.binarize, model.visible, model.nVisible);
  const enumerable = canEnumerate({ nVisible: nOutput, nHidden });
  const method = deepLogZMethod(o, enumerable ? 'exact' : 'ais', "a gated RBM's log Z(x) takes exact, ais or reverse-ais for each pair");
  if (method === 'exact' && !enumerable) {
    throw new UserError(`--logz exact: the smaller of the ${nOutput} outputs and ${nHidden} mapping units of ${o.model} is more than the ${MAX_EXACT_UNITS} units that enumeration can handle; use --logz ais`);
  }
  const scored = method === 'exact' ? data.examples : sliceRows(data.examples, 0, Math.min(o.examples, data.examples.rows));
  const base = method === 'exact' ? undefined : baseRate(o, metadata, { examples: data.examples, spec: data.name }, model.visible);
  const progress = progressBar(o.quiet === true);
  let r;
  try {
    r = await gatedRbmLogLikelihood(model, scored, { ...annealingOptions(o, undefined), method, baseData: base?.data }, progress.update('pairs'));
  } finally {
    progress.stop();
  }
  const inferred = data.labels === undefined || data.examples.rows < 2 ? undefined : await transformationInference(model, data.examples, data.labels);
  await model.engine.dispose();
  const result = {
    model: o.model,
    kind: 'gated-rbm',
    data: data.name,
    examples: scored.rows,
    method,
    ...likelihoodKeys(r),
    logLikelihoodCeiling: r.logLikelihoodCeiling,
    ...(r.rowsBelowFloor > 0
      ? { warning: `the annealed log Z(x) of ${r.rowsBelowFloor} of the ${scored.rows} pairs fell below its floor: the annealing missed modes, and the log-likelihood is too high; it is at most ${formatNumber(r.logLikelihoodCeiling)}` }
      : {}),
    ...(inferred ?? {}),
    ...annealingSettings(method, o, base?.source.spec ?? undefined),
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
  };
  writeDeepResult(o, result, [
    `${o.model}: gated RBM ${nInput} inputs -> ${nOutput} outputs, ${nHidden} mapping units, ${nFactors} factors; data ${data.name}; nats per pair`,
    `conditional log-likelihood log p(y | x) ${num(r.logLikelihood)} in [${num(r.logLikelihoodLow)}, ${num(r.logLikelihoodHigh)}] over ${scored.rows} pairs; certainly at most ${num(r.logLikelihoodCeiling)}`,
    `mean log Z(x) ${num(r.logZ)} (${logZMethodText(method, o)}, each pair's RBM of y and h)`,
    inferred === undefined
      ? 'the pairs have no labels: no transformation error'
      : `transformation error ${percent(inferred.transformationError)} (nearest neighbour on the mapping units; on the pixels ${percent(inferred.pixelTransformationError)}); ` +
        `analogy error ${num(inferred.analogyError)} (answering the new input itself: ${num(inferred.identityError)}), ${inferred.analogies} analogies`,
  ]);
}

/** The log-likelihood, log Z, their ranges and log Z's floor of an estimate, in the JSON's order. */
const likelihoodKeys = (r: Omit<LogLikelihoodEstimate, 'logZStdErr'> & { readonly logZFloor: number }) => ({
  logLikelihood: r.logLikelihood,
  logLikelihoodLow: r.logLikelihoodLow,
  logLikelihoodHigh: r.logLikelihoodHigh,
  logZ: r.logZ,
  logZLow: r.logZLow,
  logZHigh: r.logZHigh,
  logZFloor: r.logZFloor,
});

/** A deep model's result on stdout: one JSON object with --json, else the text lines and the warning, if any. */
function writeDeepResult(o: EvalFlags, result: { warning?: string }, lines: readonly string[]): void {
  if (o.json === true) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write([...lines, ...(result.warning === undefined ? [] : [`warning: ${result.warning}`]), ''].join('\n'));
}

/** The JSON's account of how a deep model's log Z was annealed: the AIS or reverse-AIS settings and the base rate's source (nothing when exact). */
function annealingSettings(method: LogZMethod, o: EvalFlags, baseRate: string | undefined): object {
  if (method === 'ais') return { ais: { chains: o.chains, betas: o.betas }, baseRate };
  if (method === 'reverse-ais') return { reverseAis: { examples: o.examples, chainsPerExample: o.reverseChains, betas: o.betas }, baseRate };
  return {};
}

/** How log Z (of a DBN's top RBM, a DBM's bipartite RBM) was found, for the text output. */
function logZMethodText(method: LogZMethod, o: EvalFlags): string {
  if (method === 'exact') return 'exact';
  if (method === 'ais') return `AIS, ${o.chains} runs x ${o.betas} betas; optimistic`;
  return `implied by reverse AIS, ${o.examples} examples x ${o.reverseChains} chains x ${o.betas} betas; conservative`;
}

/**
 * The base-rate data of an RBM's annealing: from --base-data ('none': uniform), else the training data named
 * in the model file's `training` metadata (with its binarisation), else the evaluation data. A training data
 * set that no longer loads (moved, or of another width) falls back to the evaluation data, and the source
 * says why.
 */
function baseRate(o: EvalFlags, metadata: Record<string, string>, evalData: { examples: Matrix; spec: string }, units: UnitType): { data: Matrix | 'uniform'; source: BaseRateSource } {
  if (o.baseData === 'none') return { data: 'uniform', source: { source: 'none', spec: null } };
  const width = evalData.examples.cols;
  if (o.baseData !== undefined) return { data: loadData(o.baseData, o.binarize, units, width).examples, source: { source: 'base data', spec: o.baseData } };
  const training = trainingData(metadata.training);
  if (training !== undefined) {
    try {
      const d = loadData(training.data, training.binarize ?? o.binarize, units, width);
      return { data: d.examples, source: { source: 'training data', spec: training.data } };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return { data: evalData.examples, source: { source: 'evaluation data', spec: evalData.spec, note: `the training data ${training.data} did not load (${why})` } };
    }
  }
  return { data: evalData.examples, source: { source: 'evaluation data', spec: evalData.spec } };
}

/** The annealing flags of a deep model's bound (AIS and reverse AIS settings), with its base-rate data. */
function annealingOptions(o: EvalFlags, baseData: Matrix | undefined) {
  return { seed: o.seed, chains: o.chains, betas: o.betas, blockSize: o.blockSize, baseData, examples: o.examples, chainsPerExample: o.reverseChains };
}

/** A deep model's base-rate data (as `baseRate`, the source as its spec); its annealing refuses 'none', saying `why`. */
function deepBaseData(o: EvalFlags, metadata: Record<string, string>, evalData: Matrix, why: string): { data: Matrix; source: string } {
  if (o.baseData === 'none') throw new UserError(`--base-data none: ${why}; give a data spec`);
  const { data, source } = baseRate(o, metadata, { examples: evalData, spec: o.data }, bernoulli);
  return { data: data as Matrix, source: source.spec! };
}

/** The data spec and binarisation in a model file's `training` metadata (JSON), if it has them. */
function trainingData(json: string | undefined): { data: string; binarize?: string } | undefined {
  if (json === undefined) return undefined;
  try {
    const t = JSON.parse(json) as { data?: unknown; binarize?: unknown };
    if (typeof t.data !== 'string') return undefined;
    return { data: t.data, binarize: typeof t.binarize === 'string' ? t.binarize : undefined };
  } catch {
    return undefined;
  }
}

/** A progress bar on stderr, only on a terminal and without --quiet. */
function progressBar(quiet: boolean) {
  if (quiet || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{what} {bar} {percentage}% | eta {eta_formatted}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let current: string | undefined;
  return {
    update: (what: string) => (done: number, total: number) => {
      if (current !== what) {
        if (current !== undefined) bar.stop();
        bar.start(total, 0, { what });
        current = what;
      }
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}

const num = formatNumber;
const percent = formatPercent;
const range = (low: number, high: number): string => `[${num(low)}, ${num(high)}]`;

function table(
  r: { model: string; data: string; examples: number; nVisible: number; nHidden: number; method: RbmLogZMethod; logLikelihoodLow: number; logLikelihoodHigh: number; logZFloor: number; warning?: string; pseudoLogLikelihood: number; reconstructionError: number; baseRate: BaseRateSource | null; reverseAis?: { examples: number; exampleSelection: string; chainsPerExample: number; betas: number; seconds: number }; ais?: { chains: number; betas: number; seconds: number } },
  forward: LogLikelihoodEstimate | undefined,
  backward: LogLikelihoodEstimate | undefined,
  exact: LogLikelihoodEstimate | undefined,
): string {
  const rows: string[][] = [['method', 'log Z', 'log Z range', 'log-likelihood', 'log-likelihood range']];
  if (exact) rows.push(['exact (enumeration)', num(exact.logZ), '', num(exact.logLikelihood), '']);
  if (forward && r.ais) {
    rows.push([`AIS, ${r.ais.chains} runs x ${r.ais.betas} betas (optimistic)`, num(forward.logZ), range(forward.logZLow, forward.logZHigh), num(forward.logLikelihood), range(forward.logLikelihoodLow, forward.logLikelihoodHigh)]);
  }
  if (backward && r.reverseAis) {
    const x = r.reverseAis;
    rows.push([`reverse AIS, ${x.examples} examples x ${x.chainsPerExample} chains (conservative)`, num(backward.logZ), range(backward.logZLow, backward.logZHigh), num(backward.logLikelihood), range(backward.logLikelihoodLow, backward.logLikelihoodHigh)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const out = [
    `${r.model}: RBM ${r.nVisible} x ${r.nHidden}; data ${r.data}, ${r.examples} examples; nats, log-likelihood per example`,
    '',
    ...lines,
    '',
  ];
  if (r.method === 'both') out.push(`log-likelihood sandwiched in ${range(r.logLikelihoodLow, r.logLikelihoodHigh)} (reverse AIS -3 se .. AIS +3 se)`);
  if (r.reverseAis && r.reverseAis.exampleSelection !== 'all') out.push(`reverse AIS annealed a ${r.reverseAis.exampleSelection} of ${r.reverseAis.examples} examples`);
  out.push(`log Z is at least ${num(r.logZFloor)} (log sum of exp(-F) over the data: a certain floor)`);
  if (r.warning !== undefined) out.push(`warning: ${r.warning}`);
  out.push(`pseudo-log-likelihood ${num(r.pseudoLogLikelihood)} (every visible unit); reconstruction error ${num(r.reconstructionError)} (squared, summed over units)`);
  if (r.baseRate) {
    const b = r.baseRate;
    out.push(`AIS base rate: ${b.source}${b.spec ? ` ${b.spec}` : ''}${b.note ? `; ${b.note}` : ''}`);
  }
  return out.join('\n') + '\n';
}

import { Command, Option } from '@commander-js/extra-typings';
import cliProgress from 'cli-progress';
import type { Dataset } from '../../data/dataset.js';
import { UserError } from '../../errors.js';
import { annealedImportanceSampling, type AisResult } from '../../estimators/ais.js';
import { baseRateBiases, STANDARD_SCHEDULE_LENGTH } from '../../estimators/annealing.js';
import { exactLogPartition, MAX_EXACT_UNITS } from '../../estimators/exact-log-partition.js';
import { logPartitionFloor } from '../../estimators/log-partition-floor.js';
import { pseudoLogLikelihood } from '../../estimators/pseudo-likelihood.js';
import { reconstructionError } from '../../estimators/reconstruction-error.js';
import { reverseAnnealedImportanceSampling, type ReverseAisResult } from '../../estimators/reverse-ais.js';
import type { RBM } from '../../models/rbm.js';
import { isBinary } from '../../units/index.js';
import { BINARIZE_HELP, DATA_HELP, loadData } from '../data-option.js';
import { evalDbm, evalDbn } from '../deep-commands.js';
import { openAnyModel } from '../model-option.js';
import { positiveInt, seed } from '../parse.js';
import { belowFloorWarning, formatNumber } from '../output.js';

const METHODS = ['exact', 'ais', 'reverse-ais', 'both'] as const;
type Method = (typeof METHODS)[number];

/** Where the base-rate model's visible biases came from. */
interface BaseRateSource {
  readonly source: 'training data' | 'evaluation data' | 'base data' | 'none';
  readonly spec: string | null;
  readonly note?: string;
}

/** An estimate of log Z and the mean log-likelihood it gives, with bounds (null: unbounded). */
interface Estimate {
  readonly logZ: number;
  readonly logZLow: number;
  readonly logZHigh: number;
  readonly logZStdErr: number;
  readonly logLikelihood: number;
  readonly logLikelihoodLow: number;
  readonly logLikelihoodHigh: number;
}

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
    .option('--examples <n>', 'reverse AIS: examples to anneal from (a random subset when the data has more; each costs --reverse-chains AIS runs)', positiveInt, 50)
    .option('--reverse-chains <n>', 'reverse AIS: chains per example', positiveInt, 10)
    .option('--base-data <spec>', "data for the base-rate model of AIS (default: the training data named in the model file, else --data; 'none': uniform)")
    .option('--samples <n>', "DBN: draws of the up-pass per example for the variational bound", positiveInt, 10)
    .option('--seed <n>', 'seed of the annealing chains and of the reverse AIS subset', seed, 0)
    .option('--block-size <n>', 'temperatures per graph run', positiveInt)
    .option('--threads <n>', 'threads per graph run (default: all cores)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--quiet', 'no progress bar on stderr')
    .action(async (o) => {
      const started = performance.now();
      const { model, metadata } = await openAnyModel(o.model, o.threads);
      if (model.kind === 'dbn') return evalDbn(model, metadata, o);
      if (model.kind === 'dbm') return evalDbm(model, metadata, o);
      const rbm = model;
      if (!(isBinary(rbm.visible) && isBinary(rbm.hidden))) {
        throw new UserError(`eval: ${o.model} has ${rbm.visible.name} visible and ${rbm.hidden.name} hidden units; the log-likelihood estimators need Bernoulli units on both layers`);
      }
      const data = loadData(o.data, o.binarize, rbm.visible, rbm.nVisible);
      const smaller = Math.min(rbm.nVisible, rbm.nHidden);
      const method: Method = o.logz ?? (smaller <= MAX_EXACT_UNITS ? 'exact' : 'both');
      if (method === 'exact' && smaller > MAX_EXACT_UNITS) {
        throw new UserError(`--logz exact: the smaller layer of ${o.model} has ${smaller} units, more than the ${MAX_EXACT_UNITS} that enumeration can handle; use --logz ais, reverse-ais or both`);
      }
      const v = data.examples;
      const freeEnergy = await rbm.freeEnergy(v);
      let meanNegFreeEnergy = 0;
      for (const f of freeEnergy) meanNegFreeEnergy -= f / freeEnergy.length;
      const fromLogZ = (logZ: number, low: number, high: number, se: number): Estimate => ({
        logZ,
        logZLow: low,
        logZHigh: high,
        logZStdErr: se,
        logLikelihood: meanNegFreeEnergy - logZ,
        logLikelihoodLow: meanNegFreeEnergy - high,
        logLikelihoodHigh: meanNegFreeEnergy - low,
      });

      let base: { bias: Float32Array | undefined; source: BaseRateSource } | undefined;
      const anneal = { betas: o.betas, seed: o.seed, blockSize: o.blockSize };
      const progress = progressBar(o.quiet === true);
      let exact: Estimate | undefined;
      let ais: (AisResult & { seconds: number }) | undefined;
      let reverse: (ReverseAisResult & { seconds: number }) | undefined;
      try {
        if (method === 'exact') {
          const logZ = await exactLogPartition(rbm);
          exact = fromLogZ(logZ, logZ, logZ, 0);
        } else {
          base = baseRate(o.baseData, metadata, o.binarize, data, rbm);
        }
        if (method === 'ais' || method === 'both') {
          const t = performance.now();
          const r = await annealedImportanceSampling(rbm, { ...anneal, chains: o.chains, baseRate: base?.bias, onProgress: progress.update('AIS') });
          ais = { ...r, seconds: (performance.now() - t) / 1000 };
        }
        if (method === 'reverse-ais' || method === 'both') {
          const t = performance.now();
          const r = await reverseAnnealedImportanceSampling(rbm, v, {
            ...anneal,
            examples: o.examples,
            chainsPerExample: o.reverseChains,
            baseRate: base?.bias,
            onProgress: progress.update('reverse AIS'),
          });
          reverse = { ...r, seconds: (performance.now() - t) / 1000 };
        }
      } finally {
        progress.stop();
      }

      const forward = ais && fromLogZ(ais.logZ, ais.logZLow, ais.logZHigh, ais.logZStdErr);
      const backward = reverse && fromLogZ(reverse.logZ, reverse.logZ - 3 * reverse.stdErr, reverse.logZ + 3 * reverse.stdErr, reverse.stdErr);
      const headline = (exact ?? forward ?? backward)!;
      // Both: AIS gives the estimate (as published numbers do); the bounds span both directions' intervals, so the
      // log-likelihood is sandwiched between the conservative (reverse) and the optimistic (forward) end.
      const bounds =
        forward && backward
          ? { logZLow: Math.min(forward.logZLow, backward.logZLow), logZHigh: Math.max(forward.logZHigh, backward.logZHigh) }
          : { logZLow: headline.logZLow, logZHigh: headline.logZHigh };
      const logZFloor = await logPartitionFloor(rbm, v);
      const below = [
        { name: 'AIS', estimate: forward },
        { name: 'reverse AIS', estimate: backward },
      ].filter((x) => x.estimate !== undefined && x.estimate.logZ < logZFloor);
      const warning = below.map((x) => belowFloorWarning(`the RBM by ${x.name}`, x.estimate!.logZ, logZFloor, 'log-likelihood')).join('; ');
      const pll = await pseudoLogLikelihood(rbm, v);
      const recon = await reconstructionError(rbm, v);
      const result = {
        model: o.model,
        data: data.name,
        examples: v.rows,
        nVisible: rbm.nVisible,
        nHidden: rbm.nHidden,
        method,
        logZ: headline.logZ,
        logZLow: bounds.logZLow,
        logZHigh: bounds.logZHigh,
        logZStdErr: headline.logZStdErr,
        logLikelihood: headline.logLikelihood,
        logLikelihoodLow: meanNegFreeEnergy - bounds.logZHigh,
        logLikelihoodHigh: meanNegFreeEnergy - bounds.logZLow,
        logZFloor,
        ...(warning === '' ? {} : { warning }),
        meanFreeEnergy: -meanNegFreeEnergy,
        pseudoLogLikelihood: pll,
        reconstructionError: recon,
        exact: exact && { logZ: exact.logZ, logLikelihood: exact.logLikelihood },
        ais: ais && forward && {
          ...forward,
          chains: ais.logWeights.length,
          betas: ais.steps,
          baseLogZ: ais.baseLogZ,
          seconds: ais.seconds,
        },
        reverseAis: reverse && backward && {
          ...backward,
          logLikelihoodStdErr: reverse.stdErr,
          examples: reverse.examples.length,
          exampleSelection: reverse.examples.length === v.rows ? 'all' : `random subset (seed ${o.seed})`,
          chainsPerExample: reverse.chainsPerExample,
          betas: reverse.steps,
          seconds: reverse.seconds,
        },
        baseRate: base?.source ?? null,
        seed: o.seed,
        seconds: (performance.now() - started) / 1000,
      };
      await rbm.engine.dispose();
      if (o.json === true) process.stdout.write(JSON.stringify(result) + '\n');
      else process.stdout.write(table(result, forward, backward, exact));
    });
}

/**
 * The base-rate biases: from --base-data, else the training data named in the model file's `training` metadata
 * (with its binarisation), else the evaluation data. A training data set that no longer loads (moved, or of
 * another width) falls back to the evaluation data, and the result says so.
 */
function baseRate(spec: string | undefined, metadata: Record<string, string>, binarize: string, evalData: Dataset, rbm: RBM): { bias: Float32Array | undefined; source: BaseRateSource } {
  if (spec === 'none') return { bias: undefined, source: { source: 'none', spec: null } };
  if (spec !== undefined) {
    const d = loadData(spec, binarize, rbm.visible, rbm.nVisible);
    return { bias: baseRateBiases(d.examples), source: { source: 'base data', spec } };
  }
  const training = trainingData(metadata.training);
  if (training !== undefined) {
    try {
      const d = loadData(training.data, training.binarize ?? binarize, rbm.visible, rbm.nVisible);
      return { bias: baseRateBiases(d.examples), source: { source: 'training data', spec: training.data } };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return {
        bias: baseRateBiases(evalData.examples),
        source: { source: 'evaluation data', spec: evalData.name, note: `the training data ${training.data} did not load (${why})` },
      };
    }
  }
  return { bias: baseRateBiases(evalData.examples), source: { source: 'evaluation data', spec: evalData.name } };
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
const range = (low: number, high: number): string => `[${num(low)}, ${num(high)}]`;

function table(
  r: { model: string; data: string; examples: number; nVisible: number; nHidden: number; method: Method; logLikelihoodLow: number; logLikelihoodHigh: number; logZFloor: number; warning?: string; pseudoLogLikelihood: number; reconstructionError: number; baseRate: BaseRateSource | null; reverseAis?: { examples: number; exampleSelection: string; chainsPerExample: number; betas: number; seconds: number }; ais?: { chains: number; betas: number; seconds: number } },
  forward: Estimate | undefined,
  backward: Estimate | undefined,
  exact: Estimate | undefined,
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

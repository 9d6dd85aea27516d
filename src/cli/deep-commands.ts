/**
 * The DBN and DBM branches of `eval`: the variational lower bound on the log-likelihood (estimators/dbn-bound.ts;
 * a DBM's mean-field bound) with log Z exact, by AIS or by reverse AIS.
 */
import { UserError } from '../errors.js';
import { annealedImportanceSampling } from '../estimators/ais.js';
import { reverseAnnealedImportanceSampling } from '../estimators/reverse-ais.js';
import { baseRateBiases } from '../estimators/annealing.js';
import { dbnLogLikelihood } from '../estimators/dbn-bound.js';
import { exactLogPartition, MAX_EXACT_UNITS } from '../estimators/exact-log-partition.js';
import { logPartitionFloor } from '../estimators/log-partition-floor.js';
import type { DBM } from '../models/dbm.js';
import type { DBN } from '../models/dbn.js';
import { RandomStream } from '../random/stream.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { bernoulli } from '../units/index.js';
import { loadData } from './data-option.js';
import { belowFloorWarning, formatNumber } from './output.js';

export interface DbnEvalFlags {
  readonly model: string;
  readonly data: string;
  readonly binarize?: string;
  readonly logz?: string;
  readonly chains: number;
  readonly betas: number;
  readonly baseData?: string;
  readonly seed: number;
  readonly blockSize?: number;
  readonly samples?: number;
  /** Reverse AIS: examples to anneal from and chains per example. */
  readonly examples?: number;
  readonly reverseChains?: number;
  readonly json?: boolean;
}

/**
 * `eval` on a DBN: the bound B on the mean log-likelihood (as `logLikelihood`, with `bound: "lower"`), its
 * range (3 standard errors of the draws over the examples, widened by AIS's range of log Z), the top RBM's log Z.
 */
export async function evalDbn(dbn: DBN, metadata: Record<string, string>, o: DbnEvalFlags): Promise<void> {
  const started = performance.now();
  const data = loadData(o.data, o.binarize, bernoulli, dbn.nVisible);
  const top = dbn.top;
  const smaller = Math.min(top.nVisible, top.nHidden);
  const logZ = o.logz === undefined ? (smaller <= MAX_EXACT_UNITS ? 'exact' : 'ais') : o.logz;
  if (logZ !== 'exact' && logZ !== 'ais' && logZ !== 'reverse-ais') throw new UserError(`--logz ${logZ}: a DBN's bound takes exact, ais or reverse-ais for its top RBM`);
  if (logZ === 'exact' && smaller > MAX_EXACT_UNITS) {
    throw new UserError(`--logz exact: the top RBM of ${o.model} has ${smaller} units in its smaller layer, more than the ${MAX_EXACT_UNITS} that enumeration can handle; use --logz ais`);
  }
  const base = baseData(o, metadata, data.examples);
  const r = await dbnLogLikelihood(dbn, data.examples, {
    logZ,
    samples: o.samples,
    seed: o.seed,
    chains: o.chains,
    betas: o.betas,
    blockSize: o.blockSize,
    baseData: base.data,
    examples: o.examples,
    chainsPerExample: o.reverseChains,
  });
  await dbn.engine.dispose();
  const result = {
    model: o.model,
    kind: 'dbn',
    layers: dbn.sizes,
    data: data.name,
    examples: data.examples.rows,
    method: `bound (${{ exact: 'exact', ais: 'AIS', 'reverse-ais': 'reverse AIS' }[r.method]} top log Z)`,
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
    ...(r.topLogZ < r.topLogZFloor ? { warning: belowFloorWarning('the top RBM', r.topLogZ, r.topLogZFloor, 'bound') } : {}),
    ...annealingSettings(r.method, o, base.source),
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
  };
  const num = formatNumber;
  writeEvalResult(o, result, [
    `${o.model}: DBN ${dbn.sizes.join('-')}; data ${data.name}, ${data.examples.rows} examples; nats per example`,
    `variational lower bound on the log-likelihood ${num(r.bound)} in [${num(r.low)}, ${num(r.high)}] (${r.samples} draws of the up-pass per example)`,
    `top RBM log Z ${num(r.topLogZ)} (${topLogZMethod(r.method, o)}, in [${num(r.topLogZLow)}, ${num(r.topLogZHigh)}])`,
  ]);
}

/** eval's result on stdout: one JSON object with --json, else the text lines and the warning, if any. */
function writeEvalResult(o: { json?: boolean }, result: { warning?: string }, lines: readonly string[]): void {
  if (o.json === true) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write([...lines, ...(result.warning === undefined ? [] : [`warning: ${result.warning}`]), ''].join('\n'));
}

/** The JSON's account of how log Z was annealed: the AIS or reverse-AIS settings and the base rate's source (nothing when exact). */
function annealingSettings(method: 'exact' | 'ais' | 'reverse-ais', o: DbnEvalFlags, baseRate: string | undefined): object {
  if (method === 'ais') return { ais: { chains: o.chains, betas: o.betas }, baseRate };
  if (method === 'reverse-ais') return { reverseAis: { examples: o.examples, chainsPerExample: o.reverseChains, betas: o.betas }, baseRate };
  return {};
}

/** How log Z (of a DBN's top RBM, a DBM's bipartite RBM) was found, for the text output. */
function topLogZMethod(method: 'exact' | 'ais' | 'reverse-ais', o: DbnEvalFlags): string {
  if (method === 'exact') return 'exact';
  if (method === 'ais') return `AIS, ${o.chains} runs x ${o.betas} betas; optimistic`;
  return `implied by reverse AIS, ${o.examples ?? 50} examples x ${o.reverseChains ?? 10} chains x ${o.betas} betas; conservative`;
}

/** The data for the AIS base rate: --base-data, else the training data in the model's metadata, else the evaluated data. */
function baseData(o: DbnEvalFlags, metadata: Record<string, string>, evalData: Matrix): { data: Matrix; source: string } {
  if (o.baseData === 'none') throw new UserError("--base-data none: a DBN's AIS fits its base rate to the up-pass of data; give a data spec");
  if (o.baseData !== undefined) return { data: loadData(o.baseData, o.binarize, bernoulli, evalData.cols).examples, source: o.baseData };
  try {
    const t = JSON.parse(metadata.training ?? '{}') as { data?: unknown; binarize?: unknown };
    if (typeof t.data === 'string') {
      return { data: loadData(t.data, typeof t.binarize === 'string' ? t.binarize : o.binarize, bernoulli, evalData.cols).examples, source: t.data };
    }
  } catch {
    // no usable training data: the evaluated data
  }
  return { data: evalData, source: o.data };
}

/** One Bernoulli draw of each mean in `means`, seeded. */
function drawn(means: Matrix, seed: number): Matrix {
  const rng = new RandomStream(seed);
  return matrix(Float32Array.from(means.data, (p) => (rng.uniform() < p ? 1 : 0)), means.rows, means.cols);
}

/** Mean-field sweeps of `eval` on a DBM. */
const EVAL_MEAN_FIELD_SWEEPS = 50;

/**
 * `eval` on a DBM file: the variational lower bound (mean-field, 50 sweeps) on the mean log-likelihood, with
 * log Z of its bipartite RBM exact or by AIS (base rate: the odd layers' mean-field means of the training data).
 */
export async function evalDbm(dbm: DBM, metadata: Record<string, string>, o: DbnEvalFlags): Promise<void> {
  const started = performance.now();
  const data = loadData(o.data, o.binarize, bernoulli, dbm.nVisible);
  const rbm = dbm.bipartiteRbm();
  const smaller = Math.min(rbm.nVisible, rbm.nHidden);
  const method = o.logz === undefined ? (smaller <= MAX_EXACT_UNITS ? 'exact' : 'ais') : o.logz;
  if (method !== 'exact' && method !== 'ais' && method !== 'reverse-ais') throw new UserError(`--logz ${method}: a DBM's bound takes exact, ais or reverse-ais`);
  if (method === 'exact' && smaller > MAX_EXACT_UNITS) throw new UserError(`--logz exact: ${o.model} has ${smaller} units on the smaller side of its bipartite graph, more than ${MAX_EXACT_UNITS}; use --logz ais`);
  let z: { logZ: number; logZLow: number; logZHigh: number };
  let source: string | undefined;
  // One draw of the odd layers' mean-field means of the evaluated data: states for the floor and reverse AIS.
  const oddStates = drawn(await dbm.oddMeans(data.examples, EVAL_MEAN_FIELD_SWEEPS), o.seed);
  if (method === 'exact') {
    const logZ = await exactLogPartition(rbm);
    z = { logZ, logZLow: logZ, logZHigh: logZ };
  } else {
    const base = baseData(o, metadata, data.examples);
    source = base.source;
    const baseRate = baseRateBiases(await dbm.oddMeans(base.data, EVAL_MEAN_FIELD_SWEEPS));
    const annealing = { betas: o.betas, seed: o.seed, blockSize: o.blockSize, baseRate };
    if (method === 'ais') {
      z = await annealedImportanceSampling(rbm, { ...annealing, chains: o.chains });
    } else {
      const r = await reverseAnnealedImportanceSampling(rbm, oddStates, { ...annealing, examples: o.examples, chainsPerExample: o.reverseChains });
      z = { logZ: r.logZ, logZLow: r.logZ - 3 * r.stdErr, logZHigh: r.logZ + 3 * r.stdErr };
    }
  }
  const perExample = await dbm.variationalBound(data.examples, z.logZ, EVAL_MEAN_FIELD_SWEEPS);
  const logZFloor = await logPartitionFloor(rbm, oddStates);
  await dbm.engine.dispose();
  const bound = perExample.reduce((a, b) => a + b, 0) / perExample.length;
  const result = {
    model: o.model,
    kind: 'dbm',
    layers: dbm.sizes,
    data: data.name,
    examples: data.examples.rows,
    method: `bound (${{ exact: 'exact', ais: 'AIS', 'reverse-ais': 'reverse AIS' }[method]} log Z)`,
    bound: 'lower',
    logLikelihood: bound,
    logLikelihoodLow: bound - (z.logZHigh - z.logZ),
    logLikelihoodHigh: bound + (z.logZ - z.logZLow),
    meanFieldSweeps: EVAL_MEAN_FIELD_SWEEPS,
    logZ: z.logZ,
    logZLow: z.logZLow,
    logZHigh: z.logZHigh,
    logZFloor,
    ...(z.logZ < logZFloor ? { warning: belowFloorWarning('the bipartite RBM', z.logZ, logZFloor, 'bound') } : {}),
    ...annealingSettings(method, o, source),
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
  };
  const num = formatNumber;
  writeEvalResult(o, result, [
    `${o.model}: DBM ${dbm.sizes.join('-')}; data ${data.name}, ${data.examples.rows} examples; nats per example`,
    `variational lower bound on the log-likelihood ${num(bound)} in [${num(result.logLikelihoodLow)}, ${num(result.logLikelihoodHigh)}] (mean-field, ${EVAL_MEAN_FIELD_SWEEPS} sweeps)`,
    `log Z ${num(z.logZ)} (${topLogZMethod(method, o)}, on the bipartite RBM)`,
  ]);
}

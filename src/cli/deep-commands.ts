/**
 * The DBN branches of `sample`, `features` and `eval`: each command reads the model file's kind and, for a
 * DBN, calls these instead of its RBM code. `sample`: ancestral samples (Gibbs in the top RBM, then the
 * down-pass); `features`: the up-pass means of the top layer; `eval`: the variational lower bound on the
 * log-likelihood (estimators/dbn-bound.ts) with log Z of the top RBM exact or by AIS.
 */
import { UserError } from '../errors.js';
import { dbnLogLikelihood } from '../estimators/dbn-bound.js';
import { MAX_EXACT_UNITS } from '../estimators/exact-log-partition.js';
import type { DBN } from '../models/dbn.js';
import type { Samples } from '../models/rbm.js';
import { RandomStream } from '../random/stream.js';
import { gatherRows, type Matrix } from '../tensor/matrix.js';
import { loadData } from './data-option.js';

/** `sample` on a DBN: from noise, or with the top chains started at the up-pass of random examples of `from`. */
export async function sampleDbn(dbn: DBN, o: { count: number; steps: number; from: string; binarize: string; seed: number }): Promise<Samples> {
  if (o.from === 'noise') return dbn.sample(o.count, { steps: o.steps, seed: o.seed });
  const data = loadData(o.from, o.binarize, 'bernoulli', dbn.nVisible);
  const rng = new RandomStream(o.seed);
  const start = gatherRows(data.examples, Int32Array.from({ length: o.count }, () => rng.int(0, data.examples.rows - 1)));
  return dbn.sample(o.count, { steps: o.steps, seed: rng.seed(), start });
}

/** `features` on a DBN: E[h | below] fed up to the top layer. */
export async function dbnFeatures(dbn: DBN, o: { data: string; binarize: string }): Promise<Matrix> {
  const data = loadData(o.data, o.binarize, 'bernoulli', dbn.nVisible);
  return dbn.transform(data.examples);
}

export interface DbnEvalFlags {
  readonly model: string;
  readonly data: string;
  readonly binarize: string;
  readonly logz?: string;
  readonly chains: number;
  readonly betas: number;
  readonly baseData?: string;
  readonly seed: number;
  readonly blockSize?: number;
  readonly samples?: number;
  readonly json?: boolean;
}

/**
 * `eval` on a DBN: the bound B on the mean log-likelihood (as `logLikelihood`, with `bound: "lower"`), its
 * range (3 standard errors of the draws over the examples, widened by AIS's range of log Z), the top RBM's log Z.
 */
export async function evalDbn(dbn: DBN, metadata: Record<string, string>, o: DbnEvalFlags): Promise<void> {
  const started = performance.now();
  const data = loadData(o.data, o.binarize, 'bernoulli', dbn.nVisible);
  const top = dbn.top;
  const smaller = Math.min(top.nVisible, top.nHidden);
  const logZ = o.logz === undefined ? (smaller <= MAX_EXACT_UNITS ? 'exact' : 'ais') : o.logz;
  if (logZ !== 'exact' && logZ !== 'ais') throw new UserError(`--logz ${logZ}: a DBN's bound takes exact or ais for its top RBM`);
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
  });
  await dbn.engine.dispose();
  const result = {
    model: o.model,
    kind: 'dbn',
    layers: dbn.sizes,
    data: data.name,
    examples: data.examples.rows,
    method: r.method === 'exact' ? 'bound (exact top log Z)' : 'bound (AIS top log Z)',
    bound: 'lower',
    logLikelihood: r.bound,
    logLikelihoodLow: r.low,
    logLikelihoodHigh: r.high,
    logLikelihoodStdErr: r.stdErr,
    samples: r.samples,
    topLogZ: r.topLogZ,
    topLogZLow: r.topLogZLow,
    topLogZHigh: r.topLogZHigh,
    ...(r.method === 'ais' ? { ais: { chains: o.chains, betas: o.betas }, baseRate: base.source } : {}),
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
  };
  if (o.json === true) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const num = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : x > 0 ? '+inf' : '-inf');
  process.stdout.write(
    [
      `${o.model}: DBN ${dbn.sizes.join('-')}; data ${data.name}, ${data.examples.rows} examples; nats per example`,
      `variational lower bound on the log-likelihood ${num(r.bound)} in [${num(r.low)}, ${num(r.high)}] (${r.samples} draws of the up-pass per example)`,
      `top RBM log Z ${num(r.topLogZ)} (${r.method === 'exact' ? 'exact' : `AIS, ${o.chains} runs x ${o.betas} betas, in [${num(r.topLogZLow)}, ${num(r.topLogZHigh)}]; optimistic`})`,
      '',
    ].join('\n'),
  );
}

/** The data for the AIS base rate: --base-data, else the training data in the model's metadata, else the evaluated data. */
function baseData(o: DbnEvalFlags, metadata: Record<string, string>, evalData: Matrix): { data: Matrix; source: string } {
  if (o.baseData === 'none') throw new UserError("--base-data none: a DBN's AIS fits its base rate to the up-pass of data; give a data spec");
  if (o.baseData !== undefined) return { data: loadData(o.baseData, o.binarize, 'bernoulli', evalData.cols).examples, source: o.baseData };
  try {
    const t = JSON.parse(metadata.training ?? '{}') as { data?: unknown; binarize?: unknown };
    if (typeof t.data === 'string') {
      return { data: loadData(t.data, typeof t.binarize === 'string' ? t.binarize : o.binarize, 'bernoulli', evalData.cols).examples, source: t.data };
    }
  } catch {
    // no usable training data: the evaluated data
  }
  return { data: evalData, source: o.data };
}

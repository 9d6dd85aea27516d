/**
 * `score`: the best estimate of the mean log-likelihood of data that a model's kind allows, as one result
 * whatever the kind, through one registry of scorers by kind (a new kind of model adds one entry):
 *   rbm  log p(v) = -F(v) - log Z, log Z exact when the smaller layer has at most MAX_EXACT_UNITS units, else
 *        by AIS (an estimate, optimistic in expectation);
 *   dbn  the variational lower bound with the up-pass as posterior (dbn-bound.ts), top log Z exact or by AIS;
 *   dbm  the mean-field lower bound (dbm-bound.ts), log Z of its bipartite RBM exact or by AIS;
 *   class-rbm  log p(x), the class summed out (class-rbm-likelihood.ts), each class's log Z exact or by AIS;
 *   mp-dbm  the label summed out exactly, the mean-field bound given each class (mp-dbm-bound.ts), each class's
 *        log Z exact or by AIS;
 *   gated-rbm  log p(y | x) of pairs [x | y], the model's own conditional (gated-rbm-likelihood.ts), each row's
 *        log Z(x) exact when the smaller of its output and mapping layers can be enumerated, else by AIS
 *        (progress then counts rows).
 * For the full account of one kind (both AIS directions, each one's numbers) call its estimator directly:
 * `rbmLogLikelihood`, `dbnLogLikelihood`, `dbmLogLikelihood`.
 */
import type { AnyModel, ModelOfKind } from '../io/model-codec.js';
import type { ModelKind } from '../models/model.js';
import type { RBM } from '../models/rbm.js';
import type { Matrix } from '../tensor/matrix.js';
import { mpDbmLogLikelihood } from './mp-dbm-bound.js';
import { dbmLogLikelihood } from './dbm-bound.js';
import { dbnLogLikelihood } from './dbn-bound.js';
import { classRbmLogLikelihood } from './class-rbm-likelihood.js';
import { gatedRbmLogLikelihood } from './gated-rbm-likelihood.js';
import { canEnumerate } from './exact-log-partition.js';
import { rbmLogLikelihood, type LogLikelihoodEstimate } from './rbm-likelihood.js';

/** How log Z (of the model, its top RBM or its bipartite RBM) is found. */
export type LogZMethod = 'exact' | 'ais' | 'reverse-ais';

/** The words of each way to log Z, as method names use them. */
const LOG_Z_WORDS: Readonly<Record<LogZMethod, string>> = { exact: 'exact', ais: 'AIS', 'reverse-ais': 'reverse AIS' };

/**
 * The method name of a variational bound with log Z (`of`: "log Z", "top log Z") found by `logZ`, as
 * `boltzmann eval` prints it: e.g. "bound (AIS top log Z)".
 */
export function boundMethodName(logZ: LogZMethod, of: string): string {
  return `bound (${LOG_Z_WORDS[logZ]} ${of})`;
}

export interface ScoreOptions {
  /** How log Z is found (default: exact when enumeration can, else AIS). */
  readonly logZ?: LogZMethod;
  /** Seed of every random draw (default 0): same seed, same score. */
  readonly seed?: number;
  /** AIS runs (default 100). */
  readonly chains?: number;
  /** The annealing schedule: a count for `standardSchedule` (default 14,500) or the betas themselves. */
  readonly betas?: number | ArrayLike<number>;
  /** Temperatures per graph run of the annealing. */
  readonly blockSize?: number;
  /** Reverse AIS: examples to anneal from (default 50) and chains per example (default 10). */
  readonly examples?: number;
  readonly chainsPerExample?: number;
  /**
   * Rows [examples, nVisible] for the annealing's base-rate model, the training data as a rule (each kind
   * carries them to the layer it anneals); default: the scored data.
   */
  readonly baseData?: Matrix;
  /** DBN: draws of the up-pass per example (default 10). */
  readonly samples?: number;
  /** DBM: mean-field sweeps (default 50). */
  readonly meanFieldSweeps?: number;
  /** Called after each graph run of the annealing with the steps done and in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The score of a model on data: a log-likelihood estimate or a lower bound on it, nats per example. */
export interface Score {
  /** The estimate of the mean log p(v) over the rows ('estimate'), or of a lower bound on it ('lower'). */
  readonly logLikelihood: number;
  /** Its range: the estimator's -+ 3 standard errors and log Z's range (equal to it when all is exact). */
  readonly low: number;
  readonly high: number;
  /** How it was found: 'exact', 'ais', 'reverse-ais', or for the bounds e.g. 'bound (AIS top log Z)'. */
  readonly method: string;
  /** 'estimate': of log p(v) itself; 'lower': a variational lower bound on it. */
  readonly bound: 'estimate' | 'lower';
  /** log Z of the model (rbm, dbm) or of its top RBM (dbn), and its range. */
  readonly logZ: number;
  readonly logZLow: number;
  readonly logZHigh: number;
  /** A certain lower bound on that log Z from states of the data (`logPartitionFloor`). */
  readonly logZFloor: number;
  /** Whether logZ fell below logZFloor: the annealing missed modes, and the score is too high. */
  readonly belowFloor: boolean;
  /** The rows scored. */
  readonly examples: number;
}

/** A model `score` takes: any kind that has a scorer. */
export type ScoredModel = AnyModel;

type Scorer<M> = (model: M, data: Matrix, options: ScoreOptions) => Promise<Score>;

/** Exact log Z where enumeration can (the RBM's smaller layer), else AIS. */
const defaultMethod = (rbm: RBM): LogZMethod => (canEnumerate(rbm) ? 'exact' : 'ais');

/** The annealing's progress as the RBM estimators report it (with its direction), as `score` reports it. */
const annealingProgress = ({ onProgress }: ScoreOptions) => onProgress && ((_: unknown, done: number, total: number) => onProgress(done, total));

/** The Score of an estimate of log p(v) itself (not a bound), from `examples` rows, with log Z's range and floor. */
function estimated(r: Omit<LogLikelihoodEstimate, 'logZStdErr'> & { readonly logZFloor: number }, method: LogZMethod, belowFloor: boolean, examples: number): Score {
  return {
    logLikelihood: r.logLikelihood,
    low: r.logLikelihoodLow,
    high: r.logLikelihoodHigh,
    method,
    bound: 'estimate',
    logZ: r.logZ,
    logZLow: r.logZLow,
    logZHigh: r.logZHigh,
    logZFloor: r.logZFloor,
    belowFloor,
    examples,
  };
}

/** The Score of a variational lower bound on log p(v) (a DBM's, an MP-DBM's) from `examples` rows, with log Z's range and floor. */
function lowerBound(r: { readonly bound: number; readonly low: number; readonly high: number; readonly logZ: number; readonly logZLow: number; readonly logZHigh: number; readonly logZFloor: number }, method: string, examples: number): Score {
  return { logLikelihood: r.bound, low: r.low, high: r.high, method, bound: 'lower', logZ: r.logZ, logZLow: r.logZLow, logZHigh: r.logZHigh, logZFloor: r.logZFloor, belowFloor: r.logZ < r.logZFloor, examples };
}

const scorers: { readonly [K in ModelKind]: Scorer<ModelOfKind[K]> } = {
  async rbm(rbm, data, o) {
    const method = o.logZ ?? defaultMethod(rbm);
    const r = await rbmLogLikelihood(rbm, data, { ...o, method, onProgress: annealingProgress(o) });
    return estimated(r, method, r.belowFloor.length > 0, data.rows);
  },
  async dbn(dbn, data, o) {
    const r = await dbnLogLikelihood(dbn, data, o);
    return {
      logLikelihood: r.bound,
      low: r.low,
      high: r.high,
      method: boundMethodName(r.method, 'top log Z'),
      bound: 'lower',
      logZ: r.topLogZ,
      logZLow: r.topLogZLow,
      logZHigh: r.topLogZHigh,
      logZFloor: r.topLogZFloor,
      belowFloor: r.belowFloor,
      examples: data.rows,
    };
  },
  async dbm(dbm, data, o) {
    const r = await dbmLogLikelihood(dbm, data, o);
    return lowerBound(r, boundMethodName(r.method, 'log Z'), data.rows);
  },
  async 'class-rbm'(model, data, o) {
    const method = o.logZ ?? defaultMethod(model.rbm);
    const r = await classRbmLogLikelihood(model, data, { ...o, method, onProgress: annealingProgress(o) });
    return estimated(r, method, r.logZ < r.logZFloor, data.rows);
  },
  async 'mp-dbm'(model, data, o) {
    const r = await mpDbmLogLikelihood(model, data, o);
    return lowerBound(r, boundMethodName(r.method, 'log Z of each class'), data.rows);
  },
  async 'gated-rbm'(model, data, o) {
    const method = o.logZ ?? (canEnumerate({ nVisible: model.shape.nOutput, nHidden: model.nHidden }) ? 'exact' : 'ais');
    const r = await gatedRbmLogLikelihood(model, data, { ...o, method, onProgress: undefined }, o.onProgress);
    return estimated(r, method, r.rowsBelowFloor > 0, data.rows);
  },
};

/**
 * The best estimate of the mean log p(v) over the rows of `data` [examples, nVisible] that `model`'s kind
 * allows (see the file comment), with its range, its method and whether it is an estimate or a lower bound.
 */
export async function score(model: ScoredModel, data: Matrix, options: ScoreOptions = {}): Promise<Score> {
  return (scorers[model.kind] as Scorer<ScoredModel>)(model, data, options);
}

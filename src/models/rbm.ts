import type { Engine, TensorMap } from '../runtime/engine.js';
import { mapRows } from '../runtime/rows.js';
import { RandomStream } from '../random/stream.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { unitType, type UnitName, type UnitType } from '../units/index.js';
import { parameterKeys, parameterNames, VISIBLE_LOG_STD } from './rbm-graph.js';
import { checkVisibleRows, type GenerativeModel, type ModelDescription, type Reconstruction, type SampleOptions, type Samples } from './model.js';
import { freeEnergyGraph, gibbsGraph, hiddenMeanGraph, inferenceNames, reconstructionGraph } from './rbm-inference.js';
import { checkValues } from './limits.js';

/**
 * Host copies of an RBM's parameters: weights [nVisible * nHidden] row-major, biases [nVisible], [nHidden], and
 * for Gaussian visible units (only) their log standard deviations [nVisible].
 */
export interface RbmParameters {
  weights: Float32Array;
  visibleBias: Float32Array;
  hiddenBias: Float32Array;
  visibleLogStd?: Float32Array;
}

export interface RbmConfig {
  readonly nVisible: number;
  readonly nHidden: number;
  /** Visible unit type, or its name (default 'bernoulli'). */
  readonly visible?: UnitType | UnitName;
  /** Hidden unit type, or its name (default 'bernoulli'). */
  readonly hidden?: UnitType | UnitName;
}

export interface CreateOptions extends RbmConfig {
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
  /** Standard deviation of the initial weights, drawn N(0, weightScale^2) (default 0.01). */
  readonly weightScale?: number;
}

/** Options of `gibbs`: chains continued from given states. */
export type GibbsOptions = Omit<SampleOptions, 'start'>;

/** Gibbs steps unrolled in one graph run when sampling. */
const GIBBS_STEPS_PER_RUN = 25;

/** A block of graph runs: `count` runs of a graph that unrolls `stepsPerRun` Gibbs steps. */
export interface GibbsRuns {
  readonly stepsPerRun: number;
  readonly count: number;
}

/**
 * How `steps` Gibbs steps (a positive integer) are run: full runs of GIBBS_STEPS_PER_RUN unrolled steps, then
 * one run of the remainder; blocks of no run are left out.
 */
export function gibbsRuns(steps: number): GibbsRuns[] {
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`gibbs: steps must be a positive integer, got ${steps}`);
  return [
    { stepsPerRun: GIBBS_STEPS_PER_RUN, count: Math.floor(steps / GIBBS_STEPS_PER_RUN) },
    { stepsPerRun: steps % GIBBS_STEPS_PER_RUN, count: 1 },
  ].filter(({ stepsPerRun, count }) => stepsPerRun > 0 && count > 0);
}

/**
 * A restricted Boltzmann machine: E(v, h) = -sum_i a_i(v_i) - sum_mu b_mu(h_mu) - v^T W h, with the unit
 * types' a(.) and b(.). Holds its parameters on the host and an engine to run its graphs; verbs take and
 * return matrices of one example (or chain) per row.
 */
export class RBM implements GenerativeModel {
  readonly kind = 'rbm';
  readonly nVisible: number;
  readonly nHidden: number;
  readonly visible: UnitType;
  readonly hidden: UnitType;
  /** Epochs of training so far (0: fresh). */
  epochsTrained = 0;

  constructor(
    readonly engine: Engine,
    config: RbmConfig,
    readonly params: RbmParameters,
  ) {
    this.nVisible = config.nVisible;
    this.nHidden = config.nHidden;
    this.visible = unitType(config.visible ?? 'bernoulli');
    this.hidden = unitType(config.hidden ?? 'bernoulli');
    for (const [layer, size, units] of [['visible', this.nVisible, this.visible], ['hidden', this.nHidden, this.hidden]] as const) {
      if (size % units.groupSize !== 0) throw new Error(`${size} ${layer} units are not groups of ${units.groupSize} (${units.name})`);
    }
    const sizes = { weights: this.nVisible * this.nHidden, visibleBias: this.nVisible, hiddenBias: this.nHidden };
    for (const key of parameterKeys) {
      if (params[key].length !== sizes[key]) {
        throw new Error(`${parameterNames[key]} has ${params[key].length} values, expected ${sizes[key]}`);
      }
    }
    const learnsStd = this.visible.learnedStd !== undefined;
    if (learnsStd !== (params.visibleLogStd !== undefined) || (params.visibleLogStd !== undefined && params.visibleLogStd.length !== this.nVisible)) {
      throw new Error(`${VISIBLE_LOG_STD}: ${this.visible.name} visible units need ${learnsStd ? `${this.nVisible} values` : 'none'}, got ${params.visibleLogStd?.length ?? 'none'}`);
    }
  }

  /** A fresh RBM: weights N(0, weightScale^2) (Hinton's practical guide), biases 0, a learned visible std 1. */
  static create(engine: Engine, options: CreateOptions): RBM {
    const { nVisible, nHidden, seed = 0, weightScale = 0.01 } = options;
    checkValues(`the weights of ${nVisible} visible x ${nHidden} hidden units`, nVisible, nHidden);
    const rng = new RandomStream(seed);
    const weights = new Float32Array(nVisible * nHidden);
    for (let i = 0; i < weights.length; i++) weights[i] = weightScale * rng.normal();
    const visible = unitType(options.visible ?? 'bernoulli');
    const visibleLogStd = visible.learnedStd && new Float32Array(nVisible);
    return new RBM(engine, { ...options, visible }, { weights, visibleBias: new Float32Array(nVisible), hiddenBias: new Float32Array(nHidden), ...(visibleLogStd && { visibleLogStd }) });
  }

  /** The parameters as engine tensors, fed by their model-file names. */
  parameterFeeds(): TensorMap {
    const e = this.engine;
    return {
      [parameterNames.weights]: e.float32(this.params.weights, [this.nVisible, this.nHidden]),
      [parameterNames.visibleBias]: e.float32(this.params.visibleBias, [this.nVisible]),
      [parameterNames.hiddenBias]: e.float32(this.params.hiddenBias, [this.nHidden]),
      ...(this.params.visibleLogStd && { [VISIBLE_LOG_STD]: e.float32(this.params.visibleLogStd, [this.nVisible]) }),
    };
  }

  /** Features: E[h | v] for each row of v [rows, nVisible] -> [rows, nHidden]. */
  async transform(v: Matrix): Promise<Matrix> {
    checkVisibleRows(this, v);
    const program = await this.engine.compile(hiddenMeanGraph(this));
    const out = await mapRows(this.engine, program, this.parameterFeeds(), inferenceNames.visible, v, [inferenceNames.hiddenMean]);
    return out[inferenceNames.hiddenMean];
  }

  /**
   * Mean-field reconstructions E[v | h = E[h | v]] [rows, nVisible] and their squared errors
   * sum_i (v_i - r_i)^2 [rows].
   */
  async reconstruct(v: Matrix): Promise<Reconstruction> {
    checkVisibleRows(this, v);
    const program = await this.engine.compile(reconstructionGraph(this));
    const names = [inferenceNames.reconstruction, inferenceNames.squaredError];
    const out = await mapRows(this.engine, program, this.parameterFeeds(), inferenceNames.visible, v, names);
    return { reconstructions: out[inferenceNames.reconstruction], squaredErrors: out[inferenceNames.squaredError].data };
  }

  /** The free energy F(v) of each row, p(v) = exp(-F(v)) / Z: [rows, nVisible] -> [rows]. */
  async freeEnergy(v: Matrix): Promise<Float32Array> {
    checkVisibleRows(this, v);
    const program = await this.engine.compile(freeEnergyGraph(this));
    const out = await mapRows(this.engine, program, this.parameterFeeds(), inferenceNames.visible, v, [inferenceNames.freeEnergy]);
    return out[inferenceNames.freeEnergy].data;
  }

  /** Run block Gibbs chains v -> h -> v for `steps` steps, one chain per row of `start` [chains, nVisible]. */
  async gibbs(start: Matrix, options: GibbsOptions = {}): Promise<Samples> {
    checkVisibleRows(this, start, 'start');
    const { steps = 1000, seed = 0 } = options;
    const seeds = new RandomStream(seed);
    let state: Samples = { samples: start, means: start };
    for (const { stepsPerRun, count } of gibbsRuns(steps)) {
      state = await this.engine.withProgram(gibbsGraph(this, stepsPerRun, seeds.seed()), async (program) => {
        for (let i = 0; i < count; i++) {
          const feeds = { ...this.parameterFeeds(), [inferenceNames.visible]: this.engine.float32(state.samples.data, [start.rows, this.nVisible]) };
          const out = await program.run(feeds);
          state = {
            samples: matrix(out[inferenceNames.visibleSample].data as Float32Array, start.rows, this.nVisible),
            means: matrix(out[inferenceNames.visibleMean].data as Float32Array, start.rows, this.nVisible),
          };
        }
        return state;
      });
    }
    return state;
  }

  /**
   * `count` fantasy particles: `steps` Gibbs steps of chains started at the rows of `start`, or else at uniform
   * random binary states (whatever the visible units: the first step draws h from them, the states after are
   * the units' own).
   */
  async sample(count: number, options: SampleOptions = {}): Promise<Samples> {
    const { start, ...rest } = options;
    if (start !== undefined) {
      if (start.rows !== count) throw new Error(`sample: ${start.rows} start rows for ${count} chains`);
      return this.gibbs(start, rest);
    }
    const rng = new RandomStream(options.seed ?? 0);
    const noise = new Float32Array(count * this.nVisible);
    for (let i = 0; i < noise.length; i++) noise[i] = rng.uniform() < 0.5 ? 1 : 0;
    return this.gibbs(matrix(noise, count, this.nVisible), { ...rest, seed: rng.seed() });
  }

  describe(): ModelDescription {
    const tensors: Record<string, Float32Array> = Object.fromEntries(parameterKeys.map((k) => [parameterNames[k], this.params[k]]));
    if (this.params.visibleLogStd !== undefined) tensors[VISIBLE_LOG_STD] = this.params.visibleLogStd;
    return {
      summary: { kind: this.kind, nVisible: this.nVisible, nHidden: this.nHidden, visible: this.visible.name, hidden: this.hidden.name, epochsTrained: this.epochsTrained },
      title: `RBM ${this.nVisible} ${this.visible.name} visible x ${this.nHidden} ${this.hidden.name} hidden, ${this.epochsTrained} epochs trained`,
      tensors,
    };
  }
}

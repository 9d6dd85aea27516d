/**
 * The factored gated RBM (Memisevic & Hinton 2010; Deep Learning 20.8): a model of an output y given an input
 * x through hidden mapping units h and a factored three-way interaction (gated-rbm-graph.ts for the energy).
 * Its rows are pairs [x | y]; as a model in the vocabulary of model.ts its "visible" row is the pair, its
 * features the mapping units' means E[h | x, y] (the transformation, whatever the content), its reconstruction
 * the pair with y remade from x through them, its samples pairs whose y is drawn given x. Given an input x it
 * is an RBM of y and h (`givenInput`), whose estimators give log p(y | x).
 */
import type { Graph } from '../graph/graph.js';
import { RandomStream } from '../random/stream.js';
import type { Engine, TensorMap } from '../runtime/engine.js';
import { mapRows } from '../runtime/rows.js';
import { joinColumns, matrix, sliceColumns, type Matrix } from '../tensor/matrix.js';
import { unitType, type UnitName, type UnitType } from '../units/index.js';
import { analogyGraph, conditionalGibbsGraph, gatedInferenceNames, gatedRbmNames, gatedReconstructionGraph, mappingGraph, type GatedRbmShape } from './gated-rbm-graph.js';
import { checkValues } from './limits.js';
import { checkFiniteRows, checkVisibleRows, type GenerativeModel, type ModelDescription, type Reconstruction, type SampleOptions, type Samples } from './model.js';
import { gibbsRuns, RBM } from './rbm.js';

/** Host copies of a gated RBM's parameters, row-major: W^x [nInput * F], W^y [nOutput * F], W^h [nHidden * F], b [nOutput], c [nHidden]. */
export interface GatedRbmParameters {
  readonly inputFactors: Float32Array;
  readonly outputFactors: Float32Array;
  readonly hiddenFactors: Float32Array;
  readonly outputBias: Float32Array;
  readonly hiddenBias: Float32Array;
}

export interface GatedRbmConfig {
  readonly nInput: number;
  readonly nOutput: number;
  readonly nHidden: number;
  readonly nFactors: number;
  /** The output units (and what the inputs are checked against), or their name (default 'bernoulli'); no learned std. */
  readonly output?: UnitType | UnitName;
  /** The mapping units, or their name (default 'bernoulli'). */
  readonly hidden?: UnitType | UnitName;
}

export interface GatedRbmCreateOptions extends GatedRbmConfig {
  /** Seed of the initial factors (default 0). */
  readonly seed?: number;
  /**
   * Standard deviation of the initial factors, N(0, weightScale^2) (default 0.1: on random-dot pairs 0.01 learned
   * nothing in 20 epochs, the three-way products of small factors being smaller still, and 0.3 left every
   * mapping unit off; docs/results.md).
   */
  readonly weightScale?: number;
}

export class GatedRBM implements GenerativeModel {
  readonly kind = 'gated-rbm';
  readonly shape: GatedRbmShape;
  /** Epochs of training so far (0: fresh). */
  epochsTrained = 0;

  constructor(
    readonly engine: Engine,
    config: GatedRbmConfig,
    readonly params: GatedRbmParameters,
  ) {
    const { nInput, nOutput, nHidden, nFactors } = config;
    const output = unitType(config.output ?? 'bernoulli');
    const hidden = unitType(config.hidden ?? 'bernoulli');
    if (output.learnedStd !== undefined) throw new Error(`a gated RBM's output units have no learned std: ${output.name} units cannot be its output`);
    for (const [layer, size, units] of [['output', nOutput, output], ['hidden', nHidden, hidden]] as const) {
      if (size % units.groupSize !== 0) throw new Error(`${size} ${layer} units are not groups of ${units.groupSize} (${units.name})`);
    }
    this.shape = { nInput, nOutput, nHidden, nFactors, output, hidden };
    const sizes: Record<keyof GatedRbmParameters, number> = {
      inputFactors: nInput * nFactors,
      outputFactors: nOutput * nFactors,
      hiddenFactors: nHidden * nFactors,
      outputBias: nOutput,
      hiddenBias: nHidden,
    };
    for (const [key, size] of Object.entries(sizes) as [keyof GatedRbmParameters, number][]) {
      if (params[key].length !== size) throw new Error(`${gatedRbmNames[key]} has ${params[key].length} values, expected ${size}`);
    }
  }

  /** A fresh gated RBM: every factor N(0, weightScale^2), biases 0. */
  static create(engine: Engine, options: GatedRbmCreateOptions): GatedRBM {
    const { nInput, nOutput, nHidden, nFactors, seed = 0, weightScale = 0.1 } = options;
    const rng = new RandomStream(seed);
    const factors = (rows: number, what: string): Float32Array => {
      checkValues(`the ${what} factors of ${rows} units x ${nFactors} factors`, rows, nFactors);
      return Float32Array.from({ length: rows * nFactors }, () => weightScale * rng.normal());
    };
    const params = { inputFactors: factors(nInput, 'input'), outputFactors: factors(nOutput, 'output'), hiddenFactors: factors(nHidden, 'hidden'), outputBias: new Float32Array(nOutput), hiddenBias: new Float32Array(nHidden) };
    return new GatedRBM(engine, options, params);
  }

  /** A pair row [x | y] is the model's visible row. */
  get nVisible(): number {
    return this.shape.nInput + this.shape.nOutput;
  }

  get visible(): UnitType {
    return this.shape.output;
  }

  get nHidden(): number {
    return this.shape.nHidden;
  }

  /** Every parameter as engine tensors, by file name. */
  parameterFeeds(): TensorMap {
    const { nInput, nOutput, nHidden, nFactors } = this.shape;
    const e = this.engine;
    const p = this.params;
    return {
      [gatedRbmNames.inputFactors]: e.float32(p.inputFactors, [nInput, nFactors]),
      [gatedRbmNames.outputFactors]: e.float32(p.outputFactors, [nOutput, nFactors]),
      [gatedRbmNames.hiddenFactors]: e.float32(p.hiddenFactors, [nHidden, nFactors]),
      [gatedRbmNames.outputBias]: e.float32(p.outputBias, [nOutput]),
      [gatedRbmNames.hiddenBias]: e.float32(p.hiddenBias, [nHidden]),
    };
  }

  /**
   * The RBM of y and h given the input x [nInput] (the values of one row): visible units the outputs, weights
   * W(x)_jk = sum_f W^y_jf (x W^x)_f W^h_kf, biases b and c; p(y | x) is its marginal.
   */
  givenInput(x: ArrayLike<number>): RBM {
    const { nInput, nOutput, nHidden, nFactors, output, hidden } = this.shape;
    if (x.length !== nInput) throw new Error(`givenInput: ${x.length} input values, expected ${nInput}`);
    const { inputFactors, outputFactors, hiddenFactors, outputBias, hiddenBias } = this.params;
    const gate = new Float64Array(nFactors);
    for (let i = 0; i < nInput; i++) if (x[i] !== 0) for (let f = 0; f < nFactors; f++) gate[f] += x[i] * inputFactors[i * nFactors + f];
    const weights = new Float32Array(nOutput * nHidden);
    const gated = new Float64Array(nFactors);
    for (let j = 0; j < nOutput; j++) {
      for (let f = 0; f < nFactors; f++) gated[f] = outputFactors[j * nFactors + f] * gate[f];
      for (let k = 0; k < nHidden; k++) {
        let w = 0;
        for (let f = 0; f < nFactors; f++) w += gated[f] * hiddenFactors[k * nFactors + f];
        weights[j * nHidden + k] = w;
      }
    }
    return new RBM(this.engine, { nVisible: nOutput, nHidden, visible: output, hidden }, { weights, visibleBias: outputBias, hiddenBias });
  }

  /** Each factor's filters as one picture of a pair: its input filter W^x_{:,f} above its output filter W^y_{:,f}, [nInput + nOutput, F]. */
  pairFilters(): Matrix {
    const { nInput, nOutput, nFactors } = this.shape;
    const filters = new Float32Array((nInput + nOutput) * nFactors);
    filters.set(this.params.inputFactors);
    filters.set(this.params.outputFactors, nInput * nFactors);
    return matrix(filters, nInput + nOutput, nFactors);
  }

  /** Features of pairs [rows, nInput + nOutput]: the mapping units' means E[h | x, y], [rows, nHidden]. */
  async transform(pairs: Matrix): Promise<Matrix> {
    checkVisibleRows(this, pairs, 'pairs');
    return (await this.runRows(mappingGraph(this.shape), gatedInferenceNames.pairs, pairs, [gatedInferenceNames.mappingMean]))[gatedInferenceNames.mappingMean];
  }

  /** Pairs [x | E[y | x, E[h | x, y]]] and the squared errors of their outputs, sum_j (y_j - r_j)^2. */
  async reconstruct(pairs: Matrix): Promise<Reconstruction> {
    checkVisibleRows(this, pairs, 'pairs');
    const out = await this.runRows(gatedReconstructionGraph(this.shape), gatedInferenceNames.pairs, pairs, [gatedInferenceNames.reconstruction, gatedInferenceNames.squaredError]);
    return { reconstructions: out[gatedInferenceNames.reconstruction], squaredErrors: out[gatedInferenceNames.squaredError].data };
  }

  /**
   * Analogies: for each row [x | y] of `pairs` and the new input x' of the same row of `inputs` [rows, nInput],
   * E[y' | x', E[h | x, y]], the transformation of x into y applied to x': [rows, nOutput].
   */
  async analogy(pairs: Matrix, inputs: Matrix): Promise<Matrix> {
    checkVisibleRows(this, pairs, 'pairs');
    if (inputs.rows !== pairs.rows || inputs.cols !== this.shape.nInput) throw new Error(`analogy: inputs are ${inputs.rows} x ${inputs.cols}, expected ${pairs.rows} x ${this.shape.nInput}`);
    checkFiniteRows(inputs, 'inputs');
    const out = await this.runRows(analogyGraph(this.shape), gatedInferenceNames.analogies, joinColumns(pairs, inputs), [gatedInferenceNames.analogy]);
    return out[gatedInferenceNames.analogy];
  }

  /**
   * `count` pairs whose outputs are drawn given their inputs: `steps` block Gibbs sweeps (h | x, y, then
   * y | x, h) of chains started at the rows of `start` (their x the inputs, their y the chains' start), or else
   * at uniform random binary inputs and outputs. Samples and means are pairs [x | y], [count, nInput + nOutput].
   */
  async sample(count: number, options: SampleOptions = {}): Promise<Samples> {
    const { start, steps = 1000, seed = 0 } = options;
    const { nInput, nOutput } = this.shape;
    if (start !== undefined && start.rows !== count) throw new Error(`sample: ${start.rows} start rows for ${count} chains`);
    if (start !== undefined) checkVisibleRows(this, start, 'start');
    const rng = new RandomStream(seed);
    const pairs = start ?? matrix(Float32Array.from({ length: count * this.nVisible }, () => Number(rng.uniform() < 0.5)), count, this.nVisible);
    const inputs = sliceColumns(pairs, 0, nInput);
    let outputs = sliceColumns(pairs, nInput, this.nVisible).data;
    let means = outputs;
    for (const { stepsPerRun, count: runs } of gibbsRuns(steps)) {
      await this.engine.withProgram(conditionalGibbsGraph(this.shape, stepsPerRun, rng.seed()), async (program) => {
        for (let i = 0; i < runs; i++) {
          const out = await program.run({
            ...this.parameterFeeds(),
            [gatedInferenceNames.inputs]: this.engine.float32(inputs.data, [count, nInput]),
            [gatedInferenceNames.outputs]: this.engine.float32(outputs, [count, nOutput]),
          });
          outputs = out[gatedInferenceNames.outputSample].data as Float32Array;
          means = out[gatedInferenceNames.outputMean].data as Float32Array;
        }
      });
    }
    const withInputs = (y: Float32Array): Matrix => joinColumns(inputs, matrix(y, count, nOutput));
    return { samples: withInputs(outputs), means: withInputs(means) };
  }

  describe(): ModelDescription {
    const { nInput, nOutput, nHidden, nFactors, output, hidden } = this.shape;
    return {
      summary: { kind: this.kind, nVisible: this.nVisible, nInput, nOutput, nHidden, nFactors, visible: output.name, hidden: hidden.name, epochsTrained: this.epochsTrained },
      title: `gated RBM ${nInput} inputs -> ${nOutput} ${output.name} outputs, ${nHidden} ${hidden.name} mapping units, ${nFactors} factors, ${this.epochsTrained} epochs trained`,
      tensors: Object.fromEntries(Object.entries(gatedRbmNames).map(([key, name]) => [name, this.params[key as keyof GatedRbmParameters]])),
    };
  }

  /** The outputs `names` of `graph` run on `rows` (checked by the caller) fed as `input`, by name. */
  private async runRows(graph: Graph, input: string, rows: Matrix, names: readonly string[]): Promise<Record<string, Matrix>> {
    return mapRows(this.engine, await this.engine.compile(graph), this.parameterFeeds(), input, rows, names);
  }
}

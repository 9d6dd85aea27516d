/**
 * Filling in (and denoising) with an RBM: block Gibbs sampling of its machine with some visible units clamped to observed
 * values, so that the chain samples the others from p(v_missing | v_observed), and optionally with evidence
 * from noisy observations, so that it samples p(v | noisy v). Browser-safe: no node: imports.
 */
import { Graph } from '../graph/graph.js';
import { add, greater, mul, slice } from '../graph/ops/index.js';
import { RandomStream } from '../random/stream.js';
import { matrix, type Matrix } from '../tensor/matrix.js';
import { sampleLayers, type SweepOptions } from './machine.js';
import { parameterInputs, rbmMachine } from './rbm-graph.js';
import type { RbmShape } from './rbm-inference.js';
import { gibbsRuns, type RBM } from './rbm.js';

export interface FillInOptions {
  /** Block Gibbs steps v -> h -> v of the clamped chain (default 100). */
  readonly steps?: number;
  /**
   * How many of the last steps average their E[v | h] into `means` (default: half the steps, rounded up; at
   * most `steps`). The steps before are burn-in, which forgets the start of the missing units.
   */
  readonly averageOver?: number;
  /** Seed of the chains' randomness (default 0). */
  readonly seed?: number;
  /** Soft evidence about the visible units, from noisy observations (default none). */
  readonly evidence?: Evidence;
}

/**
 * Soft evidence about the visible units: p(v) is multiplied by exp(sum_i field_i v_i - precision_i v_i^2 / 2),
 * v in the model's input units. With log p(v~ | v) of noisy observations v~ in this form (see `noiseEvidence`
 * in data/corrupt.ts) the chain samples the posterior p(v | v~) instead of drifting away from v~. Flip noise on
 * discrete units is a field (their v^2 is v or 1); Gaussian noise of std s on Gaussian units is field v~ / s^2
 * and precision 1 / s^2.
 */
export interface Evidence {
  /** [rows, nVisible]. */
  readonly field: Matrix;
  /** [rows, nVisible], >= 0; Gaussian visible units only (default 0). */
  readonly precision?: Matrix;
}

/** The result of `fillIn`, both [rows, nVisible], the observed units holding their given values. */
export interface FillIn {
  /**
   * The estimate of E[v_missing | v_observed]: E[v | h] averaged over the chain's last `averageOver` steps
   * (Rao-Blackwellised: means of v given each hidden draw, not the visible draws). The best guess under
   * squared error; for binary units, threshold it at 1/2 for the fewest wrong units.
   */
  readonly means: Matrix;
  /** The chain's last state: one draw of the missing units from p(v_missing | v_observed) once burnt in. */
  readonly samples: Matrix;
}

/** Graph input and output names of the clamped chain. */
export const fillInNames = {
  visible: 'visible',
  observed: 'observed',
  meanSum: 'mean_sum',
  meanWeights: 'mean_weights',
  evidenceField: 'evidence_field',
  evidencePrecision: 'evidence_precision',
  visibleNext: 'visible_next',
  meanSumNext: 'mean_sum_next',
} as const;

/**
 * `steps` clamped block Gibbs steps as one graph. Inputs: the parameters, `visible` [rows, nVisible] (the chain,
 * observed units at their values), `observed` [rows, nVisible] (1 observed, 0 missing), `evidence_field` (and
 * for Gaussian units `evidence_precision`) [rows, nVisible], `mean_sum` [rows, nVisible] and `mean_weights`
 * [steps]. Each step is a sweep of the RBM's machine with the observed units clamped and the evidence on the
 * visible layer (machine.ts `sampleLayers`): h ~ p(h | v), then v' ~ p(v | h) exp(evidence), v kept where
 * observed; outputs the chain after the last step as `visible_next` and
 * `mean_sum_next` = mean_sum + sum_s mean_weights[s] E[v | h_s].
 */
export function fillInGraph(shape: RbmShape, steps: number, seed: number): Graph {
  const g = new Graph(`fill-in-${steps}`, seed);
  const machine = rbmMachine(parameterInputs(g, shape.nVisible, shape.nHidden, shape));
  const dims = ['rows', shape.nVisible] as const;
  let v = g.input(fillInNames.visible, 'float32', [...dims]);
  let meanSum = g.input(fillInNames.meanSum, 'float32', [...dims]);
  const clamping: SweepOptions = {
    observed: [greater(g.input(fillInNames.observed, 'float32', [...dims]), 0.5)],
    evidence: [
      {
        field: g.input(fillInNames.evidenceField, 'float32', [...dims]),
        precision: hasPrecision(shape) ? g.input(fillInNames.evidencePrecision, 'float32', [...dims]) : undefined,
      },
    ],
  };
  const weights = g.input(fillInNames.meanWeights, 'float32', [steps]);
  for (let s = 0; s < steps; s++) {
    const step = sampleLayers(machine, sampleLayers(machine, [v], 1).states, 0, clamping);
    v = step.states[0]!;
    meanSum = add(meanSum, mul(step.means[0]!, slice(weights, [s], [s + 1], [0])));
  }
  g.output(fillInNames.visibleNext, v);
  g.output(fillInNames.meanSumNext, meanSum);
  return g;
}

/** Whether the evidence has a precision: visible units with a learned std (Gaussian units), the only ones whose v^2 is no linear term. */
const hasPrecision = (shape: RbmShape): boolean => shape.visible.learnedStd !== undefined;

/**
 * Fill in the missing units of each row of `visible` [rows, nVisible] by block Gibbs sampling with the observed
 * ones clamped: `observed` [rows, nVisible] is 1 where a unit is observed (kept at its value in `visible`) and 0
 * where it is missing or untrusted (its value in `visible` is only where the chain starts). The chain's
 * stationary distribution is p(v_missing | v_observed) (times the evidence, when given). A softmax group is
 * one categorical variable: it is observed or missing as a whole. Cleaning a noisy image v~ is the case of no
 * unit observed: with the noise's evidence the chain samples p(v | v~); without, it is plain Gibbs from v~, which
 * a few steps (`averageOver` all of them) smooth towards the model and many steps forget.
 */
export async function fillIn(rbm: RBM, visible: Matrix, observed: Matrix, options: FillInOptions = {}): Promise<FillIn> {
  const { steps = 100, seed = 0 } = options;
  const averageOver = options.averageOver ?? Math.ceil(steps / 2);
  checkFillIn(rbm, visible, observed, options.evidence);
  if (!(Number.isInteger(averageOver) && averageOver >= 1 && averageOver <= steps)) {
    throw new Error(`fillIn: averageOver must be an integer from 1 to steps (${steps}), got ${averageOver}`);
  }
  const { engine } = rbm;
  const dims = [visible.rows, visible.cols];
  const seeds = new RandomStream(seed);
  const mask = engine.float32(observed.data, dims);
  const zeros = new Float32Array(visible.data.length);
  const evidence = {
    [fillInNames.evidenceField]: engine.float32(options.evidence?.field.data ?? zeros, dims),
    ...(hasPrecision(rbm) && { [fillInNames.evidencePrecision]: engine.float32(options.evidence?.precision?.data ?? zeros, dims) }),
  };
  let state: { visible: Float32Array; meanSum: Float32Array } = { visible: visible.data, meanSum: new Float32Array(visible.data.length) };
  let done = 0;
  for (const { stepsPerRun, count } of gibbsRuns(steps)) {
    await engine.withProgram(fillInGraph(rbm, stepsPerRun, seeds.seed()), async (program) => {
      for (let run = 0; run < count; run++, done += stepsPerRun) {
        const weights = Float32Array.from({ length: stepsPerRun }, (_, s) => (done + s >= steps - averageOver ? 1 / averageOver : 0));
        const out = await program.run({
          ...rbm.parameterFeeds(),
          [fillInNames.visible]: engine.float32(state.visible, dims),
          [fillInNames.observed]: mask,
          ...evidence,
          [fillInNames.meanSum]: engine.float32(state.meanSum, dims),
          [fillInNames.meanWeights]: engine.float32(weights, [stepsPerRun]),
        });
        state = { visible: out[fillInNames.visibleNext].data as Float32Array, meanSum: out[fillInNames.meanSumNext].data as Float32Array };
      }
    });
  }
  const means = state.meanSum.map((m, i) => (observed.data[i] === 1 ? visible.data[i] : m));
  return { means: matrix(means, visible.rows, visible.cols), samples: matrix(state.visible, visible.rows, visible.cols) };
}

/** Shapes agree with the model, the mask is 0/1, and each softmax group is observed or missing as a whole. */
function checkFillIn(rbm: RBM, visible: Matrix, observed: Matrix, evidence: Evidence | undefined): void {
  if (visible.cols !== rbm.nVisible) throw new Error(`fillIn: visible has ${visible.cols} units per row but the model has ${rbm.nVisible}`);
  const given = { observed, 'evidence field': evidence?.field ?? visible, 'evidence precision': evidence?.precision ?? visible };
  for (const [name, m] of Object.entries(given)) {
    if (m.rows !== visible.rows || m.cols !== visible.cols) throw new Error(`fillIn: ${name} is ${m.rows} x ${m.cols}, visible ${visible.rows} x ${visible.cols}`);
  }
  if (evidence?.precision !== undefined && !hasPrecision(rbm)) throw new Error(`fillIn: an evidence precision needs Gaussian visible units, the model has ${rbm.visible.name}`);
  if (evidence?.precision?.data.some((x) => !(x >= 0))) throw new Error('fillIn: the evidence precision must be >= 0');
  const k = rbm.visible.groupSize;
  for (let i = 0; i < observed.data.length; i++) {
    const m = observed.data[i];
    if (m !== 0 && m !== 1) throw new Error(`fillIn: observed must hold 0 or 1, got ${m} at row ${Math.floor(i / observed.cols)}, unit ${i % observed.cols}`);
    if (i % k !== 0 && m !== observed.data[i - (i % k)]) {
      throw new Error(`fillIn: ${rbm.visible.name} group ${Math.floor((i % observed.cols) / k)} of row ${Math.floor(i / observed.cols)} is partly observed; a group is observed or missing as a whole`);
    }
  }
}

/**
 * A Boltzmann machine of layers and couplings (Deep Learning 20.1-20.4; paysage's central idea): layers
 * x_0 (the visible units), x_1, ..., x_L of any unit types, each with a bias, and couplings between pairs of
 * layers,
 *   E(x) = -sum_l a_l(x_l) - sum_{couplings (l, m)} x_l^T W_lm x_m,
 * where a_l is the unit type's term with the layer's bias (units/unit-type.ts). A layer with a learned scale
 * sigma (Gaussian units) enters the couplings and its own term in the units' coordinates u = x / sigma, where
 * it is a unit-variance layer with bias a / sigma (see `toUnits`). A coupling (`Coupling`) sends each of its
 * two layers a field and has an energy term: the dense coupling W sends x_l W up to layer m, x_m W^T down to
 * layer l, and adds x_l^T W x_m to -E; a convolution or a factored three-way product would be another
 * `Coupling`. The field of a layer is its bias plus what the couplings from the layers whose states are given
 * send it; given its neighbours a layer is factorial, so one layer at a time (or every layer of one side of a
 * bipartite machine) is sampled exactly. An RBM is the machine of two layers and one coupling (rbm-graph.ts),
 * a DBM a chain of layers (dbm.ts), each RBM of a DBN a machine of its own (dbn.ts). Graph functions: states
 * [rows, n_l] per layer, fields likewise, energies [rows].
 */
import type { Value } from '../graph/graph.js';
import { add, div, exp, gemm, matmul, maximum, minimum, mul, neg, reduceSum, sqrt, square, sub, where } from '../graph/ops/index.js';
import type { UnitType } from '../units/unit-type.js';

/** A layer as graph values: its unit type, bias [n], and for a learned scale its log standard deviations [n]. */
export interface LayerValues {
  readonly units: UnitType;
  readonly bias: Value;
  readonly logStd?: Value;
}

/**
 * A coupling between layers `lower` and `upper` (lower < upper), in the layers' units' coordinates: the field
 * it sends each way and its term of -E. States [rows, n_lower] and [rows, n_upper]; `plus` [n] is added to a
 * field (a layer's bias: a coupling may fuse the addition, as Gemm does).
 */
export interface Coupling {
  readonly lower: number;
  readonly upper: number;
  /** Its parameters (graph inputs), for the gradients of training. */
  readonly parameters: readonly Value[];
  /** The field sent to the upper layer given the lower one's states: [rows, n_upper]. */
  up(lower: Value, plus?: Value): Value;
  /** The field sent to the lower layer given the upper one's states: [rows, n_lower]. */
  down(upper: Value, plus?: Value): Value;
  /** Its term of -E for each row: [rows]. */
  interaction(lower: Value, upper: Value): Value;
  /** The same coupling with other parameters in place of `parameters`, in their order (e.g. FPCD's parameters plus fast ones). */
  withParameters(parameters: readonly Value[]): Coupling;
}

/** The dense coupling W [n_lower, n_upper]: up x W, down x W^T, interaction x_l^T W x_m. */
export interface DenseCoupling extends Coupling {
  readonly weights: Value;
}

/** The dense coupling of `weights` [n_lower, n_upper] between layers `lower` and `upper`. */
export function denseCoupling(lower: number, upper: number, weights: Value): DenseCoupling {
  return {
    lower,
    upper,
    weights,
    parameters: [weights],
    up: (x, plus) => (plus === undefined ? matmul(x, weights) : gemm(x, weights, plus)),
    down: (x, plus) => gemm(x, weights, plus, { transB: true }),
    interaction: (xLower, xUpper) => reduceSum(mul(gemm(xLower, weights), xUpper), [1]),
    withParameters: ([w]) => denseCoupling(lower, upper, w),
  };
}

/** A machine's parameters as graph values: its layers (visible first) and couplings, in the order of the energy's terms. */
export interface MachineValues<C extends Coupling = Coupling> {
  readonly layers: readonly LayerValues[];
  readonly couplings: readonly C[];
}

/** A layer's mean and draw given its field (one half-step of block Gibbs sampling), in the layer's own coordinates. */
export interface LayerState {
  readonly mean: Value;
  readonly sample: Value;
}

/** log sigma clamped to the range of the layer's learned std (`learnedStd.logStdRange` of its units). */
export function clampLogStd(layer: LayerValues, logStd: Value): Value {
  const range = layer.units.learnedStd?.logStdRange;
  if (range === undefined) throw new Error(`${layer.units.name} units have no learned standard deviation`);
  return minimum(maximum(logStd, range.min), range.max);
}

/** sigma = exp(log sigma) of a layer with a learned scale (log sigma clamped to its range) [n]; else undefined. */
export const layerStd = (layer: LayerValues): Value | undefined => layer.logStd && exp(clampLogStd(layer, layer.logStd));

/**
 * States in the units' own coordinates u = x / sigma (x itself without a scale): a Gaussian layer of std sigma
 * is a unit-variance one there, -(x - a)^2 / (2 sigma^2) + (x / sigma) W h = -(u - a / sigma)^2 / 2 + u W h.
 */
export function toUnits(layer: LayerValues, x: Value): Value {
  const std = layerStd(layer);
  return std === undefined ? x : div(x, std);
}

/** Back from the units' coordinates: sigma u (u itself without a scale). */
export function fromUnits(layer: LayerValues, u: Value): Value {
  const std = layerStd(layer);
  return std === undefined ? u : mul(u, std);
}

/** The bias in the units' coordinates: a / sigma (a itself without a scale). [n]. */
export const unitsBias = (layer: LayerValues): Value => toUnits(layer, layer.bias);

/** Options of a field: couplings scaled by beta [rows, 1] (a tempered machine, see samplers/tempering.ts). */
export interface FieldOptions {
  readonly couplingScale?: Value;
}

/**
 * The field of layer l in its units' coordinates: a_l / sigma_l plus the field of every coupling of l whose
 * other layer's state is given in x (x / sigma for scaled layers), those from lower layers first (x_m W for
 * the couplings below, x_m W^T for those above). With a `couplingScale` beta the coupling part is scaled:
 * a / sigma + beta sum(...), the conditional of the tempered energy -a(x) - beta sum x^T W x.
 */
export function layerField(machine: MachineValues, x: readonly (Value | undefined)[], l: number, options: FieldOptions = {}): Value {
  const terms: { state: Value; coupling: Coupling; down: boolean }[] = [];
  for (const c of machine.couplings) {
    const other = c.lower === l ? c.upper : c.upper === l ? c.lower : undefined;
    const state = other === undefined ? undefined : x[other];
    if (state !== undefined) terms.push({ state: toUnits(machine.layers[other!], state), coupling: c, down: c.lower === l });
  }
  const bias = unitsBias(machine.layers[l]);
  terms.sort((a, b) => Number(a.down) - Number(b.down));
  if (terms.length === 0) return bias;
  const beta = options.couplingScale;
  if (beta === undefined) {
    const [first, ...rest] = terms;
    return rest.reduce((field, t) => add(field, coupled(t)), coupled(first, bias));
  }
  const coupling = terms.slice(1).reduce((sum, t) => add(sum, coupled(t)), coupled(terms[0]));
  return add(mul(coupling, beta), bias);
}

/** The field a coupling sends from the other layer's state: down to its lower layer, or up, with `bias` added. */
function coupled(t: { state: Value; coupling: Coupling; down: boolean }, bias?: Value): Value {
  return t.down ? t.coupling.down(t.state, bias) : t.coupling.up(t.state, bias);
}

/** Sample layer l given the states of its neighbours in x: mean and draw, in the layer's own coordinates (x = sigma u). */
export function sampleLayer(machine: MachineValues, x: readonly (Value | undefined)[], l: number, options: FieldOptions = {}): LayerState {
  const layer = machine.layers[l];
  const field = layerField(machine, x, l, options);
  const mean = layer.units.mean(field);
  return { mean: fromUnits(layer, mean), sample: fromUnits(layer, layer.units.sample(field, mean)) };
}

/** E[x_l | neighbours] in the layer's own coordinates. */
export const layerMean = (machine: MachineValues, x: readonly (Value | undefined)[], l: number): Value => meanOf(machine.layers[l], layerField(machine, x, l));

/** E[x | field] of a layer in its own coordinates, the field in its units' coordinates. */
export const meanOf = (layer: LayerValues, field: Value): Value => fromUnits(layer, layer.units.mean(field));

/**
 * The energy E(x) of each row for states (or means) x of every layer: -sum_l a_l(x_l) - sum of the couplings'
 * interactions (x_l^T W x_m for dense ones), summed layer by layer, each layer's couplings from below after its
 * own term. [rows].
 */
export function energy(machine: MachineValues, x: readonly Value[]): Value {
  let negE: Value | undefined;
  machine.layers.forEach((layer, l) => {
    negE = negE === undefined ? biasTerm(layer, x[l]) : add(negE, biasTerm(layer, x[l]));
    for (const c of machine.couplings) {
      if (c.upper === l) negE = add(negE, c.interaction(toUnits(machine.layers[c.lower], x[c.lower]), toUnits(layer, x[l])));
    }
  });
  return neg(negE!);
}

/** sum_i a_i(x_i) of a layer for each row, in its units' coordinates. [rows]. */
export const biasTerm = (layer: LayerValues, x: Value): Value => layer.units.biasTerm(toUnits(layer, x), unitsBias(layer));

/**
 * The free energy of the given layers with the others summed out, for a machine where no two summed layers are
 * coupled (a bipartite split, as the hidden layer of an RBM or the even layers of a DBM given the odd ones):
 *   F(x_given) = -sum_{given} a_l(x_l) - sum_{summed} sum_groups log sum_x exp(a0(x) + x . field_l),
 * p(x_given) = exp(-F) / Z. x: states of the given layers (undefined for the summed ones); `fields`: a summed
 * layer's field when the caller has it already. No coupling may join two given layers. [rows].
 */
export function freeEnergy(machine: MachineValues, x: readonly (Value | undefined)[], fields: readonly (Value | undefined)[] = []): Value {
  let negF: Value | undefined;
  machine.layers.forEach((layer, l) => {
    if (x[l] !== undefined) negF = negF === undefined ? biasTerm(layer, x[l]) : add(negF, biasTerm(layer, x[l]));
  });
  machine.layers.forEach((layer, l) => {
    if (x[l] !== undefined) return;
    const summed = reduceSum(layer.units.logPartition(fields[l] ?? layerField(machine, x, l)), [1]);
    negF = negF === undefined ? summed : add(negF, summed);
  });
  return neg(negF!);
}

/**
 * Soft evidence about a layer's units, from noisy observations: p(x) times exp(field . x - precision . x^2 / 2),
 * x in the layer's own coordinates; field and precision [rows, n]. A precision needs a layer with a learned
 * scale (Gaussian units), the only units whose x^2 is no linear term.
 */
export interface LayerEvidence {
  readonly field: Value;
  readonly precision?: Value;
}

/**
 * Options of a sweep: the couplings' scale beta [rows, 1] (tempering); layers whose states are kept
 * (`clamped`); per layer, the units that keep their states (`observed`, bool [rows, n_l]: a layer clamped unit
 * by unit) and evidence that tilts its draws.
 */
export interface SweepOptions extends FieldOptions {
  readonly clamped?: ReadonlySet<number>;
  readonly observed?: readonly (Value | undefined)[];
  readonly evidence?: readonly (LayerEvidence | undefined)[];
}

/**
 * Draw every layer of one parity (1: the odd layers, 0: the even ones) given its neighbours in x, in layer
 * order, clamped as `options` say. Returns the states with those layers' draws, and the draws' means
 * (unclamped).
 */
export function sampleLayers(machine: MachineValues, x: readonly (Value | undefined)[], parity: 0 | 1, options: SweepOptions = {}): { states: (Value | undefined)[]; means: (Value | undefined)[] } {
  const states = machine.layers.map((_, l) => x[l]);
  const means: (Value | undefined)[] = states.map(() => undefined);
  for (let l = parity; l < states.length; l += 2) {
    if (options.clamped?.has(l)) continue;
    const evidence = options.evidence?.[l];
    const drawn = evidence === undefined ? sampleLayer(machine, states, l, options) : sampleWithEvidence(machine, states, l, evidence, options);
    const observed = options.observed?.[l];
    states[l] = observed === undefined ? drawn.sample : where(observed, states[l]!, drawn.sample);
    means[l] = drawn.mean;
  }
  return { states, means };
}

/**
 * Sample layer l under evidence: its field (units' coordinates u = x / sigma) gains sigma e, and a precision
 * lambda makes a unit-variance Gaussian u ~ N(f / k^2, 1 / k^2), k = sqrt(1 + sigma^2 lambda): unit-variance
 * Gaussian units in coordinates w = k u with field f / k.
 */
function sampleWithEvidence(machine: MachineValues, x: readonly (Value | undefined)[], l: number, evidence: LayerEvidence, options: FieldOptions): LayerState {
  const layer = machine.layers[l];
  const std = layerStd(layer);
  if (evidence.precision !== undefined && std === undefined) throw new Error(`evidence with a precision needs units with a learned scale, layer ${l} has ${layer.units.name} units`);
  const field = add(layerField(machine, x, l, options), std === undefined ? evidence.field : mul(evidence.field, std));
  const k = std !== undefined && evidence.precision !== undefined ? sqrt(add(mul(evidence.precision, square(std)), 1)) : undefined;
  const scaledField = k === undefined ? field : div(field, k);
  const mean = layer.units.mean(scaledField);
  const toLayer = (w: Value): Value => fromUnits(layer, k === undefined ? w : div(w, k));
  return { sample: toLayer(layer.units.sample(scaledField, mean)), mean: toLayer(mean) };
}

/**
 * One sweep of block Gibbs sampling of a machine whose odd layers are coupled to even ones only (an RBM, a
 * DBM): the odd layers drawn given their neighbours, then the even ones. x: every layer's state, where the odd
 * layers' may be undefined (they are drawn first); returns the next states.
 */
export function gibbsSweep(machine: MachineValues, x: readonly (Value | undefined)[], options: SweepOptions = {}): Value[] {
  return sampleLayers(machine, sampleLayers(machine, x, 1, options).states, 0, options).states as Value[];
}

/** The machine with each parameter p replaced by `replace(p)`: every coupling's parameters and every layer's bias. */
export function mapParameters(machine: MachineValues, replace: (parameter: Value) => Value): MachineValues {
  return {
    layers: machine.layers.map((layer) => ({ ...layer, bias: replace(layer.bias) })),
    couplings: machine.couplings.map((c) => c.withParameters(c.parameters.map(replace))),
  };
}

/** The parameters of the energy, the couplings' first, then the layers' biases (not the learned scales). */
export const energyParameters = (machine: MachineValues): Value[] => [...machine.couplings.flatMap((c) => c.parameters), ...machine.layers.map((layer) => layer.bias)];

/**
 * What is known of a layer in mean-field inference: its `values` [rows, n] where the `mask` is 1, the rest
 * free; without a mask the whole layer is clamped. mask: float 0/1, [rows, n] or [rows, 1] (a whole row of
 * the layer at once, as a label's one softmax group).
 */
export interface Observation {
  readonly values: Value;
  readonly mask?: Value;
}

/** Mean-field means and fields: every layer's means, and the fields whose means they are (undefined for clamped layers). */
export interface MeanField {
  readonly means: Value[];
  readonly fields: (Value | undefined)[];
}

/**
 * Mean-field inference in a machine whose layers form a chain (an RBM, a DBM, a DBM with a label layer on top)
 * given what is observed of some layers (`observed[l]`, undefined for hidden layers): a layer's free units
 * start at their means given their bias alone (observed ones at their values), the hidden layers at the
 * up-pass mu_l = E[x_l | mu_{l-1}] (and what the started layers above send); then `iterations` sweeps of the
 * fixed-point updates mu_l = E[x_l | mu_{l-1}, mu_{l+1}] in layer order, observed units set back to their
 * values: mu = m x + (1 - m) E[x | ...]. The part of a field that clamped layers send is computed once.
 * Every update is exact coordinate ascent of the mean-field bound (20.4.2).
 */
export function maskedMeanField(machine: MachineValues, observed: readonly (Observation | undefined)[], iterations: number): MeanField {
  const clamped = machine.layers.map((_, l) => observed[l] !== undefined && observed[l].mask === undefined);
  const given = machine.layers.map((_, l) => (clamped[l] ? observed[l]!.values : undefined));
  const nextToClamped = machine.layers.map((_, l) => machine.couplings.some((c) => (c.lower === l && clamped[c.upper]) || (c.upper === l && clamped[c.lower])));
  const fromClamped = machine.layers.map((_, l) => (clamped[l] || !nextToClamped[l] ? undefined : layerField(machine, given, l)));
  const means: (Value | undefined)[] = machine.layers.map((layer, l) => {
    const o = observed[l];
    return o === undefined ? undefined : o.mask === undefined ? o.values : withObserved(o, meanOf(layer, unitsBias(layer)));
  });
  const fields: (Value | undefined)[] = machine.layers.map(() => undefined);
  const update = (l: number): void => {
    const free = means.map((m, other) => (clamped[other] ? undefined : m));
    fields[l] = fromClamped[l] === undefined ? layerField(machine, means, l) : addCouplings(machine, free, l, fromClamped[l]);
    const mean = meanOf(machine.layers[l], fields[l]);
    means[l] = observed[l] === undefined ? mean : withObserved(observed[l], mean);
  };
  machine.layers.forEach((_, l) => observed[l] === undefined && update(l));
  for (let t = 0; t < iterations; t++) machine.layers.forEach((_, l) => !clamped[l] && update(l));
  return { means: means as Value[], fields };
}

/** m x + (1 - m) mean: the observed units' values, the others' means. */
const withObserved = (o: Observation, mean: Value): Value => (o.mask === undefined ? o.values : add(mul(o.mask, o.values), mul(sub(1, o.mask), mean)));

/**
 * Mean-field inference with the visible layer clamped to v (`maskedMeanField` with v observed): the up-pass,
 * then `iterations` sweeps. Returns [v, mu_1, ..., mu_L] and the fields whose means they are (undefined for v).
 */
export const meanField = (machine: MachineValues, v: Value, iterations: number): MeanField => maskedMeanField(machine, [{ values: v }], iterations);

/** `base` (layer l's field from its bias and the clamped layers) plus what the couplings from the layers given in x send. */
function addCouplings(machine: MachineValues, x: readonly (Value | undefined)[], l: number, base: Value): Value {
  return machine.couplings.reduce((field, c) => {
    const other = c.lower === l ? c.upper : c.upper === l ? c.lower : undefined;
    if (other === undefined || x[other] === undefined) return field;
    const state = toUnits(machine.layers[other], x[other]);
    return add(field, c.lower === l ? c.down(state) : c.up(state));
  }, base);
}

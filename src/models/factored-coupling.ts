/**
 * A factored three-way coupling (Memisevic & Hinton 2010; Deep Learning 20.8): the interaction of two layers
 * (lower l, upper m) gated by a third, given, set of units x, with the three-way weight tensor factored into F
 * products of projections,
 *   -E gets sum_f (x W^x)_f (x_l W^l)_f (x_m W^m)_f,
 * so that given x it is a coupling of l and m with weights W^l diag(x W^x) W^m^T that depend on x, row by
 * row; the machine's functions (fields, sweeps, energy, free energy) take it as they take a dense one.
 * Shapes: x [rows, nGate], W^x [nGate, F], W^l [n_l, F], W^m [n_m, F]; states [rows, n_l], [rows, n_m].
 */
import type { Value } from '../graph/graph.js';
import { gemm, matmul, mul, reduceSum } from '../graph/ops/index.js';
import type { Coupling } from './machine.js';

/**
 * The factored coupling of layers `lower` and `upper` gated by the rows x: with the gate g = x W^x [rows, F], it
 * sends ((x_l W^l) * g) W^m^T up, ((x_m W^m) * g) W^l^T down, and adds sum_f (x_l W^l)_f g_f (x_m W^m)_f to -E.
 * Its parameters are [W^x, W^l, W^m].
 */
export function factoredCoupling(lower: number, upper: number, x: Value, [gateFactors, lowerFactors, upperFactors]: readonly Value[]): Coupling {
  const gate = matmul(x, gateFactors);
  return {
    lower,
    upper,
    parameters: [gateFactors, lowerFactors, upperFactors],
    up: (state, plus) => gemm(mul(matmul(state, lowerFactors), gate), upperFactors, plus, { transB: true }),
    down: (state, plus) => gemm(mul(matmul(state, upperFactors), gate), lowerFactors, plus, { transB: true }),
    interaction: (xLower, xUpper) => reduceSum(mul(mul(matmul(xLower, lowerFactors), gate), matmul(xUpper, upperFactors)), [1]),
    withParameters: (parameters) => factoredCoupling(lower, upper, x, parameters),
  };
}

import type { Value } from './graph.js';

/**
 * State carried between runs of a graph: a state input X [dims] whose next value is the output `X_next` (the
 * caller feeds the output back, see training/graph-state.ts).
 */

/** The output that holds the next value of state input `input`. */
export const nextName = (input: string): string => `${input}_next`;

/** Declares a state input (with its X_next output to come; `fill`: its start unless the caller has one) and returns it. */
export type StateInput = (name: string, dims: readonly number[], fill?: number) => Value;

import { samplerNames } from '../samplers/negative-phase.js';
import { minibatchNames } from './minibatch.js';

/** Names of the step graph's inputs and outputs besides the parameters; each state input X has an output X_next. */
export const stepNames = {
  ...samplerNames,
  ...minibatchNames,
  learningRate: 'learning_rate',
  momentum: 'momentum',
  weightDecay: 'weight_decay',
  adamStep: 'adam_step',
  visibleOffset: 'visible_offset',
  hiddenOffset: 'hidden_offset',
  hiddenActivity: 'hidden_activity',
} as const;

/** The velocity (momentum buffer) of a parameter (by its graph name). */
export const velocityName = (name: string): string => `${name}_velocity`;
/** Adam's first and second moment estimates of a parameter. */
export const adamMomentNames = (name: string): [string, string] => [`${name}_adam_m`, `${name}_adam_v`];

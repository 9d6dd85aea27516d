/** Names of the step graph's inputs and outputs besides the parameters; each state input X has an output X_next. */
export const stepNames = {
  examples: 'examples',
  batchRows: 'batch_rows',
  chains: 'chains',
  learningRate: 'learning_rate',
  momentum: 'momentum',
  weightDecay: 'weight_decay',
  fastLearningRate: 'fast_learning_rate',
  adamStep: 'adam_step',
  visibleOffset: 'visible_offset',
  hiddenOffset: 'hidden_offset',
  hiddenActivity: 'hidden_activity',
  chainFreeEnergy: 'chain_free_energy',
  swapRate: 'swap_rate',
} as const;

/** The velocity (momentum buffer) of a parameter (by its graph name). */
export const velocityName = (name: string): string => `${name}_velocity`;
/** Adam's first and second moment estimates of a parameter. */
export const adamMomentNames = (name: string): [string, string] => [`${name}_adam_m`, `${name}_adam_v`];
/** The fast copy of a parameter (FPCD). */
export const fastName = (name: string): string => `${name}_fast`;
/** The output that holds the next value of a state input. */
export const nextName = (input: string): string => `${input}_next`;

/** Training stopped because it diverged (by default: a parameter became NaN or infinite); the model keeps its last good parameters. */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(
    readonly epoch: number,
    reason = 'a parameter became NaN or infinite',
  ) {
    super(`training diverged in epoch ${epoch} (${reason}); kept the parameters of epoch ${epoch - 1}: lower the learning rate`);
  }
}

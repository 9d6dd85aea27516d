/**
 * An error caused by the user's input (a file, a flag, data): the CLI prints its message as one line and
 * exits non-zero, without a stack trace. Messages name the file or flag and say what is wrong.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

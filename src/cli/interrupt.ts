/**
 * Ctrl-C (SIGINT) and SIGTERM. While a command runs, the first signal aborts the AbortSignal of the work that
 * asked for one (`interruptible`), which stops at its next step; without such work, or at a second signal, the
 * terminal is restored (a progress bar hides the cursor and turns line wrap off) and the process ends at once
 * with exit 130, the shell's code for death by SIGINT.
 */

/** The exit code of an interrupted command. */
export const INTERRUPTED_EXIT = 130;

/** Work stopped by Ctrl-C or SIGTERM: the CLI prints its message and exits 130. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/** The work the next signal stops, and what it says then. */
let current: { readonly controller: AbortController; readonly notice: string } | undefined;

/** Shows the cursor and turns line wrap back on, where stderr is a terminal. */
function restoreTerminal(): void {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\x1b[?7h');
}

function onSignal(): void {
  if (current !== undefined && !current.controller.signal.aborted) {
    current.controller.abort(new InterruptedError('interrupted'));
    process.stderr.write(`\n${current.notice}\n`);
    return;
  }
  restoreTerminal();
  process.stderr.write('\nboltzmann: interrupted\n');
  process.exit(INTERRUPTED_EXIT);
}

/** Runs `command` with the handlers of SIGINT and SIGTERM in place; they are removed when it ends. */
export async function withInterrupts<T>(command: () => Promise<T>): Promise<T> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await command();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    current = undefined;
  }
}

/** Runs `work` with a signal that the first Ctrl-C or SIGTERM aborts (its reason an InterruptedError), saying `notice`. */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>, notice = 'stopping at the next step (press Ctrl-C again to stop at once)'): Promise<T> {
  const mine = { controller: new AbortController(), notice };
  current = mine;
  try {
    return await work(mine.controller.signal);
  } finally {
    if (current === mine) current = undefined;
  }
}

/**
 * `train`'s hold on its run folder: one writer at a time (the folder's lock, stale when its process is gone),
 * temp files of killed writes cleaned, and Ctrl-C turned into a stop at the next step that says how to resume.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTempFiles } from '../io/atomic-write.js';
import { lockFolder } from '../io/folder-lock.js';
import { interruptible, InterruptedError } from './interrupt.js';

/**
 * Runs `work` as the one writer of run folder `out` (made if absent): takes the folder's lock (a stale one,
 * and the temp files dead writers left, are removed, `say` tells), gives `work` a signal that the first Ctrl-C
 * aborts, and releases the lock (and the folder, when it made it and nothing was written) whatever happens. An
 * interrupted run ends in an InterruptedError that says what the folder keeps and how to go on.
 */
export async function exclusiveRun<T>(out: string, modelFile: string, say: (line: string) => void, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const lock = await lockFolder(out, '--out');
  try {
    if (lock.replacedStale) say(`--out ${out}: removed the lock of a run that is gone (pid ${lock.replacedStale.pid}, since ${lock.replacedStale.since})`);
    const removed = await removeStaleTempFiles(out);
    if (removed.length > 0) say(`--out ${out}: removed ${removed.length} temp file(s) of interrupted writes: ${removed.join(', ')}`);
    return await interruptible(work);
  } catch (error) {
    if (!(error instanceof InterruptedError)) throw error;
    const model = join(out, modelFile);
    throw new InterruptedError(
      existsSync(model)
        ? `interrupted; ${model} is the last checkpoint: continue with boltzmann train --resume --out ${out}`
        : `interrupted before the first epoch ended; nothing was saved in ${out}`,
      { cause: error },
    );
  } finally {
    await lock.release();
  }
}

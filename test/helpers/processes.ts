/** Processes for the tests of the folder lock and the stale temp files. */
import { spawnSync } from 'node:child_process';

/** The pid of a process that has ended. */
export const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid;

/**
 * A run folder's checkpoint, one step a kill cannot split: the model file (written atomically) carries the
 * run's log in its metadata (`training_log`, JSON lines, without timings) beside its `epochs_trained`, so model,
 * log and epoch always agree; `log.jsonl`, the log with its timings, is written next. `--resume` takes the log
 * from the model file and rewrites `log.jsonl` when a kill fell between the two writes, saying so.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { AnyModel } from '../io/model-codec.js';
import { saveModel } from '../io/model-file.js';
import type { ModelMetadata } from '../io/model-tensors.js';

/** The model file's metadata key of the run's log. */
export const TRAINING_LOG = 'training_log';

/** The files of a run folder that checkpoints touch: the model, its log, and the pictures drawn at the end. */
export interface CheckpointFiles {
  readonly model: string;
  readonly log: string;
  readonly pictures: readonly string[];
}

/** Records as JSON lines. */
const jsonLines = (records: readonly unknown[]): string => records.map((r) => JSON.stringify(r) + '\n').join('');

/** The fields of a log record that time it: they differ from run to run, so the model file does not keep them. */
const TIMINGS: ReadonlySet<string> = new Set(['seconds', 'samplesPerSecond']);

/** A record without its timings: what the model file keeps, the same for the same seed. */
const untimed = (record: object): object => Object.fromEntries(Object.entries(record).filter(([key]) => !TIMINGS.has(key)));

/**
 * Writes the checkpoints of a run into `out`: each call writes the model with `metadata` and the log (its
 * records without their timings, so the same seed gives the same file byte for byte), then log.jsonl (the
 * records whole); the first also removes the pictures of the model it replaces (a resumed or --force run),
 * which the end of the run, or a later --resume, draws anew.
 */
export function checkpointWriter(out: string, files: CheckpointFiles, metadata: ModelMetadata): (model: AnyModel, records: readonly object[]) => Promise<void> {
  let first = true;
  return async (model, records) => {
    await saveModel(join(out, files.model), model, { ...metadata, [TRAINING_LOG]: jsonLines(records.map(untimed)) });
    await writeFileAtomic(join(out, files.log), jsonLines(records));
    if (first) await Promise.all(files.pictures.map((picture) => rm(join(out, picture), { force: true })));
    first = false;
  };
}

/**
 * The log of the checkpoint in `out` whose model file's metadata is `metadata`: its `training_log`, each
 * record with its timings where log.jsonl has the same record; log.jsonl is rewritten when it does not hold
 * exactly these records (`say` tells). A model file from before the log was kept in it falls back to
 * log.jsonl's records that `trained` keeps.
 */
export async function checkpointLog<R extends object>(out: string, files: CheckpointFiles, metadata: ModelMetadata, trained: (record: R) => boolean, say: (line: string) => void): Promise<R[]> {
  const logPath = join(out, files.log);
  const saved = metadata[TRAINING_LOG];
  if (saved === undefined) return (existsSync(logPath) ? parseLog<R>(await readFile(logPath, 'utf8'), logPath) : []).filter(trained);
  const kept = parseLog<R>(saved, `${join(out, files.model)} (its ${TRAINING_LOG})`);
  const copy = await readCopy<R>(logPath);
  const same = (record: R, i: number): boolean => copy?.[i] !== undefined && JSON.stringify(untimed(copy[i])) === JSON.stringify(record);
  const records = kept.map((record, i) => (same(record, i) ? copy![i] : record));
  if (copy?.length !== kept.length || !kept.every(same)) {
    await writeFileAtomic(logPath, jsonLines(records));
    say(`--resume: ${logPath} ${copy === undefined ? 'was missing or unreadable' : 'disagreed with the checkpoint'}; rewrote it from ${files.model} (${records.length} lines)`);
  }
  return records;
}

/** The pictures of `files` missing from `out`. */
export const missingPictures = (out: string, files: CheckpointFiles): string[] => files.pictures.filter((picture) => !existsSync(join(out, picture)));

/** The records of log.jsonl at `path`; undefined when it is absent or not a JSON-lines log (the checkpoint replaces it). */
async function readCopy<R>(path: string): Promise<R[] | undefined> {
  try {
    return parseLog<R>(await readFile(path, 'utf8'), path);
  } catch {
    return undefined;
  }
}

function parseLog<R>(text: string, source: string): R[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  try {
    return lines.map((line) => JSON.parse(line) as R);
  } catch {
    throw new UserError(`--resume: ${source} is not a JSON-lines log`);
  }
}

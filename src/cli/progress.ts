import cliProgress from 'cli-progress';
import pc from 'picocolors';
import type { BatchProgress } from '../training/epochs.js';
import type { EpochRecord } from '../training/fit.js';

/** How training reports itself on stderr: a live bar on a terminal, one line per epoch otherwise. */
export interface TrainingProgress {
  batch(p: BatchProgress): void;
  epoch(r: EpochRecord): void;
  stop(): void;
}

const fmt = (x: number | undefined, digits = 2): string => (x === undefined ? '-' : x.toFixed(digits));

/** One line describing an epoch's record. */
export function epochLine(r: EpochRecord, epochs: number): string {
  const tau = r.chainAutocorrelationTime === undefined ? '' : `  chain tau ${fmt(r.chainAutocorrelationTime, 1)}${r.chainMixingReliable === false ? '?' : ''}`;
  const swaps = r.swapRates === undefined ? '' : `  swaps ${Math.round(100 * Math.min(...r.swapRates))}-${Math.round(100 * Math.max(...r.swapRates))}%`;
  return (
    `epoch ${r.epoch}/${epochs}  recon ${fmt(r.reconstructionError)}  pll ${fmt(r.pseudoLogLikelihood)}` +
    `  F gap ${fmt(r.freeEnergyGap)}${tau}${swaps}  ${Math.round(r.samplesPerSecond)} samples/s  ${fmt(r.seconds, 1)} s`
  );
}

export function trainingProgress(epochs: number, quiet: boolean): TrainingProgress {
  if (quiet) return { batch: () => undefined, epoch: () => undefined, stop: () => undefined };
  if (!process.stderr.isTTY) {
    return { batch: () => undefined, epoch: (r) => process.stderr.write(epochLine(r, epochs) + '\n'), stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${pc.cyan('{bar}')} epoch {epoch}/${epochs} | batch {value}/{total} | recon {recon} | pll {pll} | {speed} samples/s`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let last = { recon: '-', pll: '-' };
  let started = false;
  return {
    batch(p) {
      const payload = { epoch: p.epoch, speed: Math.round(p.samplesPerSecond), ...last };
      if (!started) {
        bar.start(p.batches, p.batch, payload);
        started = true;
      }
      bar.setTotal(p.batches);
      bar.update(p.batch, payload);
    },
    epoch(r) {
      last = { recon: fmt(r.reconstructionError), pll: fmt(r.pseudoLogLikelihood) };
      bar.stop();
      started = false;
      process.stderr.write(epochLine(r, epochs) + '\n');
    },
    stop() {
      bar.stop();
    },
  };
}

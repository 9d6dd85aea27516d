/**
 * Training in the browser: a fresh RBM on the first bundled digits, by the library's `fit` (CD-1), with its
 * filters, curves and speed redrawn after every epoch.
 */
import { binarize } from '../src/data/binarize.js';
import { filtersPicture, type ImageShape } from '../src/io/pictures.js';
import { RBM } from '../src/models/rbm.js';
import type { Engine } from '../src/runtime/engine.js';
import { fit, type EpochRecord } from '../src/training/fit.js';
import { showPicture } from './canvas.js';
import { LearningCurves } from './curves.js';
import { fetchDigits } from './server-data.js';

/** The form's settings. */
export interface TrainingSettings {
  readonly hidden: number;
  readonly examples: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/** Where training shows itself. */
export interface TrainingView {
  readonly filters: HTMLCanvasElement;
  readonly curves: LearningCurves;
  readonly log: HTMLTableSectionElement;
  readonly status: HTMLElement;
}

const DIGIT_SHAPE: ImageShape = [28, 28];

/** Train a fresh nHidden-unit RBM on `settings.examples` digits, binarised stochastically (seed 0). */
export async function trainInBrowser(engine: Engine, settings: TrainingSettings, view: TrainingView): Promise<EpochRecord[]> {
  const digits = await fetchDigits('train', settings.examples);
  const data = binarize({ name: 'digits', examples: digits, imageShape: DIGIT_SHAPE }, { kind: 'stochastic', seed: 0 }).examples;
  const rbm = RBM.create(engine, { nVisible: data.cols, nHidden: settings.hidden, seed: 0 });
  const records: EpochRecord[] = [];
  view.log.replaceChildren();
  view.status.textContent = `training on ${data.rows} digits...`;
  await fit(
    rbm,
    data,
    { epochs: settings.epochs, batchSize: settings.batchSize, learningRate: settings.learningRate, sampler: 'cd', k: 1 },
    {
      onBatch: (p) => (view.status.textContent = `epoch ${p.epoch}, batch ${p.batch}/${p.batches}: ${Math.round(p.samplesPerSecond)} samples/s`),
      onEpoch: (record) => {
        records.push(record);
        showPicture(view.filters, filtersPicture(rbm, DIGIT_SHAPE));
        view.curves.show(records);
        view.log.append(logRow(record));
        // Let the page repaint between epochs.
        return new Promise((next) => requestAnimationFrame(() => next()));
      },
    },
  );
  const speed = records.reduce((sum, r) => sum + r.samplesPerSecond, 0) / records.length;
  view.status.textContent = `done: ${records.length} epochs, ${Math.round(speed)} samples/s on average`;
  view.status.dataset.samplesPerSecond = String(speed);
  return records;
}

function logRow(r: EpochRecord): HTMLTableRowElement {
  const row = document.createElement('tr');
  for (const value of [String(r.epoch), r.reconstructionError.toFixed(3), r.pseudoLogLikelihood?.toFixed(2) ?? '', Math.round(r.samplesPerSecond).toString()]) {
    row.append(Object.assign(document.createElement('td'), { textContent: value }));
  }
  row.dataset.reconstructionError = String(r.reconstructionError);
  return row;
}

/**
 * The viewer's page: a run served by `boltzmann view`, shown with the library's own code over onnxruntime-web
 * (the model file codec, RBM verbs, fillIn, fit and the pictures), only the engine binding differs from Node.
 * When everything is drawn, <body> gets data-ready; on failure, data-error with the message.
 */
import { filtersPicture, reconstructionsPicture } from '../src/io/pictures.js';
import type { Engine } from '../src/runtime/engine.js';
import { createWebEngine, type WebBackend } from '../src/runtime/web.js';
import { sliceRows } from '../src/tensor/matrix.js';
import { trainInBrowser, type TrainingSettings } from './browser-training.js';
import { imageShapeOf, showPicture } from './canvas.js';
import { LearningCurves, type Curve } from './curves.js';
import { DrawPad, type PadTool } from './draw-pad.js';
import { FantasyChains } from './fantasy.js';
import { FillInView } from './fill-in-view.js';
import { fetchDigits, fetchLog, fetchModel } from './server-data.js';

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const CURVES: readonly Curve[] = [
  { key: 'reconstructionError', label: 'reconstruction error', stroke: '#c0392b' },
  { key: 'pseudoLogLikelihood', label: 'pseudo-log-likelihood (nats)', stroke: '#2c6fbb' },
  { key: 'freeEnergyGap', label: 'free energy gap, held-out - train', stroke: '#7d3c98' },
];

/** WASM threads where the page is cross-origin isolated (SharedArrayBuffer), else one. */
const threads = crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency) : 1;

async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  return gpu !== undefined && (await gpu.requestAdapter().catch(() => null)) !== null;
}

async function showRun(engine: Engine): Promise<FantasyChains> {
  const { rbm } = await fetchModel(engine);
  const shape = imageShapeOf(rbm.nVisible);
  byId('model-info').textContent = `${rbm.nVisible} x ${rbm.nHidden} RBM (${rbm.visible.name} visible, ${rbm.hidden.name} hidden), ${rbm.epochsTrained} epochs`;
  showPicture(byId('filters'), filtersPicture(rbm, shape));
  new LearningCurves(byId('curves'), CURVES).show(await fetchLog());

  if (rbm.nVisible === 28 * 28) {
    const digits = await fetchDigits('test', 100);
    const originals = sliceRows(digits, 0, 20);
    showPicture(byId('reconstructions'), reconstructionsPicture(originals, (await rbm.reconstruct(originals)).reconstructions, shape));
    const fill = new FillInView(rbm, shape, byId('filled'), byId('fill-status'));
    const pad = new DrawPad(byId('pad'), shape, () => fill.update(pad));
    for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=tool]')) {
      radio.addEventListener('change', () => (pad.tool = radio.value as PadTool));
    }
    let next = 0;
    const loadDigit = (): void => {
      const k = next++ % digits.rows;
      pad.load(digits.data.subarray(k * rbm.nVisible, (k + 1) * rbm.nVisible));
    };
    byId('pad-clear').addEventListener('click', () => pad.clear());
    byId('pad-digit').addEventListener('click', loadDigit);
    loadDigit();
  } else {
    byId('draw-section').hidden = true;
  }
  return new FantasyChains(rbm, shape, byId('fantasy'), byId('fantasy-steps'), { chains: 100, stepsPerFrame: 5 });
}

function trainingSettings(form: HTMLFormElement): TrainingSettings & { backend: WebBackend } {
  const field = (name: string): number => Number((form.elements.namedItem(name) as HTMLInputElement).value);
  return {
    hidden: field('hidden'),
    examples: field('examples'),
    epochs: field('epochs'),
    batchSize: field('batch'),
    learningRate: field('rate'),
    backend: (form.elements.namedItem('backend') as HTMLSelectElement).value as WebBackend,
  };
}

async function main(): Promise<void> {
  const webGpu = await hasWebGpu();
  const engines = new Map<WebBackend, Engine>();
  const engineFor = (backend: WebBackend): Engine => {
    if (!engines.has(backend)) engines.set(backend, createWebEngine({ threads, backend }));
    return engines.get(backend)!;
  };
  byId('engine-info').textContent = `onnxruntime-web: WASM with ${threads} thread${threads === 1 ? '' : 's'}${crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}; WebGPU ${webGpu ? 'available' : 'not available'}`;
  (byId<HTMLFormElement>('train-form').elements.namedItem('backend') as HTMLSelectElement).options[1].disabled = !webGpu;

  const fantasy = await showRun(engineFor('wasm'));
  void fantasy.run().catch(fail);

  const form = byId<HTMLFormElement>('train-form');
  const view = { filters: byId<HTMLCanvasElement>('train-filters'), curves: new LearningCurves(byId('train-curves'), CURVES.slice(0, 1)), log: byId<HTMLTableElement>('train-log').tBodies[0], status: byId('train-status') };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const { backend, ...settings } = trainingSettings(form);
    const start = byId<HTMLButtonElement>('train-start');
    start.disabled = true;
    // The fantasy chains pause so that training has the threads to itself (and its speed is its own).
    void fantasy
      .pause()
      .then(() => trainInBrowser(engineFor(backend), settings, view))
      .then(
        () => (view.status.dataset.done = 'true'),
        (error: unknown) => (view.status.textContent = `failed: ${String(error)}`),
      )
      .finally(() => {
        start.disabled = false;
        fantasy.resume();
      });
  });
  document.body.dataset.ready = 'true';
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  byId('model-info').textContent = `error: ${message}`;
  document.body.dataset.error = message;
}

main().catch(fail);

/**
 * The viewer's page: a run served by `boltzmann view`, shown with the library's own code over onnxruntime-web
 * (the model-file codecs, the model verbs, fillIn, fit and the pictures), only the engine binding differs from
 * Node. The run's model is an RBM, a DBN or a DBM: the page asks it through the kind-free vocabulary
 * (GenerativeModel: describe, reconstruct, sample); only filling in, which exists for RBMs alone, asks the kind.
 * When everything is drawn, <body> gets data-ready; on failure, data-error with the message.
 */
import { reconstructionsPicture, type ImageShape } from '../src/io/pictures.js';
import type { RBM } from '../src/models/rbm.js';
import type { Engine } from '../src/runtime/engine.js';
import { createWebEngine, type WebBackend } from '../src/runtime/web.js';
import { sliceRows, type Matrix } from '../src/tensor/matrix.js';
import { trainInBrowser, type TrainingSettings } from './browser-training.js';
import { imageShapeOf, showPicture } from './canvas.js';
import { LearningCurves } from './curves.js';
import { DrawPad, type PadTool } from './draw-pad.js';
import { FantasyChains } from './fantasy.js';
import { FillInView } from './fill-in-view.js';
import { showFilters } from './filters.js';
import { LOG_PLOTS, RBM_CURVES } from './log-plots.js';
import { fetchDigits, fetchLog, fetchModel } from './server-data.js';

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Visible units of a bundled digit (28 x 28): models of this many get the digits' panels. */
const DIGIT_UNITS = 28 * 28;

/** WASM threads where the page is cross-origin isolated (SharedArrayBuffer), else one. */
const threads = crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency) : 1;

async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  return gpu !== undefined && (await gpu.requestAdapter().catch(() => null)) !== null;
}

async function showRun(engine: Engine): Promise<FantasyChains> {
  const { model } = await fetchModel(engine);
  const shape = imageShapeOf(model.nVisible);
  byId('model-info').textContent = model.describe().title;
  showFilters(model, shape, byId('filters'), byId('filters-tensor'));
  new LearningCurves(byId('curves'), LOG_PLOTS[model.kind]).show(await fetchLog());

  if (model.nVisible === DIGIT_UNITS) {
    const digits = await fetchDigits('test', 100);
    const originals = sliceRows(digits, 0, 20);
    showPicture(byId('reconstructions'), reconstructionsPicture(originals, (await model.reconstruct(originals)).reconstructions, shape));
    if (model.kind === 'rbm') {
      showDrawing(model, shape, digits);
    } else {
      byId('draw-panels').hidden = true;
      const note = byId('draw-note');
      note.textContent = `Filling in runs Gibbs chains with the drawn units clamped (fillIn), which the library has for RBMs only; this run holds a ${model.kind.toUpperCase()}.`;
      note.hidden = false;
    }
  } else {
    byId('draw-section').hidden = true;
  }
  return new FantasyChains(model, shape, byId('fantasy'), byId('fantasy-chain'), byId('fantasy-steps'), { chains: 100, stepsPerFrame: 5 });
}

/** The pad of `rbm` and its filled-in answer, the pad starting from the first of the held-out `digits`. */
function showDrawing(rbm: RBM, shape: ImageShape, digits: Matrix): void {
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
  const view = { filters: byId<HTMLCanvasElement>('train-filters'), curves: new LearningCurves(byId('train-curves'), { curves: RBM_CURVES.slice(0, 1) }), log: byId<HTMLTableElement>('train-log').tBodies[0], status: byId('train-status') };
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

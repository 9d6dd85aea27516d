import type { DBN } from '../models/dbn.js';
import { RandomStream } from '../random/stream.js';
import type { Matrix } from '../tensor/matrix.js';
import { fit, type EpochRecord, type FitCallbacks } from './fit.js';
import type { FitOptions } from './options.js';

/** What `fitDbn` reports per epoch: the layer (0-based RBM index) and fit's record. */
export interface LayerEpochRecord extends EpochRecord {
  readonly layer: number;
}

export interface DbnFitCallbacks {
  /** Called before RBM `layer` trains, with its training rows. */
  readonly onLayer?: (layer: number, data: Matrix) => void;
  readonly onBatch?: FitCallbacks['onBatch'];
  readonly onEpoch?: (record: LayerEpochRecord) => void | Promise<void>;
}

/**
 * Greedy layer-wise training (20.21): RBM l is trained by `fit` with `options` (the same for every layer) on
 * one up-pass draw of the data through RBMs 0 .. l-1 (and so is the held-out monitor data). RBMs that have
 * trained all `options.epochs` epochs are skipped and one part way continues from its epochsTrained, so a
 * DBN read back from a checkpoint resumes. Layer l's shuffles, chains and up-pass draws come from seeds drawn
 * from `options.seed` (default 0).
 */
export async function fitDbn(dbn: DBN, data: Matrix, options: Partial<FitOptions> & { readonly epochs: number }, callbacks: DbnFitCallbacks = {}): Promise<LayerEpochRecord[]> {
  const rng = new RandomStream(options.seed ?? 0);
  const records: LayerEpochRecord[] = [];
  for (let l = 0; l < dbn.rbms.length; l++) {
    const layerSeed = rng.seed();
    const upSeed = rng.seed();
    const heldOutSeed = rng.seed();
    const rbm = dbn.rbms[l];
    if (rbm.epochsTrained >= options.epochs) continue;
    const x = l === 0 ? data : await dbn.sampleUp(data, l, upSeed);
    const heldOut = options.heldOut && (l === 0 ? options.heldOut : await dbn.sampleUp(options.heldOut, l, heldOutSeed));
    callbacks.onLayer?.(l, x);
    await fit(rbm, x, { ...options, heldOut, seed: layerSeed, initialEpoch: rbm.epochsTrained }, {
      onBatch: callbacks.onBatch,
      onEpoch: async (r) => {
        const record = { layer: l, ...r };
        records.push(record);
        await callbacks.onEpoch?.(record);
      },
    });
  }
  return records;
}

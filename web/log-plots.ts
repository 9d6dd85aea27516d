/**
 * What the curves panel plots of each kind's log.jsonl (written by `train`, see src/cli/run-folder.ts and
 * src/cli/deep-run.ts). The logs differ by kind, and the model vocabulary says nothing of them.
 */
import type { ModelKind } from '../src/models/model.js';
import type { Curve, LogPlot } from './curves.js';

/** The monitor's keys of an RBM's EpochRecord (`fit`): every line of an RBM log, and of a DBN log, carries them. */
export const RBM_CURVES: readonly Curve[] = [
  { key: 'reconstructionError', label: 'reconstruction error', stroke: '#c0392b' },
  { key: 'pseudoLogLikelihood', label: 'pseudo-log-likelihood (nats)', stroke: '#2c6fbb' },
  { key: 'freeEnergyGap', label: 'free energy gap, held-out - train', stroke: '#7d3c98' },
];

export const LOG_PLOTS: Readonly<Record<ModelKind, LogPlot>> = {
  /** One line per epoch. */
  rbm: { curves: RBM_CURVES },
  /** One line per epoch of each layer's RBM (`layer`: 0 at the bottom), whose epochs count from 1: a series per layer. */
  dbn: { curves: RBM_CURVES, seriesOf: (r) => `layer ${Number(r.layer) + 1}` },
  /**
   * One line for pretraining (`stage: 'pretrain'`, no measure) and one per joint epoch (`stage: 'joint'`) with
   * the mean-field reconstruction error of DBM.reconstruct: a series per stage, so only "joint" is drawn today.
   */
  dbm: {
    curves: [{ key: 'reconstructionError', label: 'mean-field reconstruction error', stroke: '#c0392b' }],
    seriesOf: (r) => `${String(r.stage)} training`,
  },
  /** One line per epoch (`fitClassRbm`): the classification errors and the reconstruction error. */
  'class-rbm': {
    curves: [
      { key: 'trainingError', label: 'training error (minibatches)', stroke: '#c0392b' },
      { key: 'heldOutError', label: 'held-out error', stroke: '#2c6fbb' },
      { key: 'classLoss', label: '-log p(y | x), minibatches (nats)', stroke: '#7d3c98' },
    ],
  },
  /** One line per epoch (`fitMpDbm`): the multi-prediction loss and the held-out error of mean-field classification. */
  'mp-dbm': {
    curves: [
      { key: 'heldOutError', label: 'held-out error (mean field)', stroke: '#2c6fbb' },
      { key: 'loss', label: 'multi-prediction loss (nats)', stroke: '#c0392b' },
    ],
  },
  /** One line per epoch (`fitGatedRbm`): the squared error of y remade through the mapping units. */
  'gated-rbm': { curves: [{ key: 'reconstructionError', label: 'reconstruction error of y (minibatches)', stroke: '#c0392b' }] },
};

import { Command, Option } from '@commander-js/extra-typings';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { saveRbm } from '../../io/model-file.js';
import { filtersPicture, imagesPicture, reconstructionsPicture } from '../../io/pictures.js';
import { writePng } from '../../io/png-grid.js';
import { RBM } from '../../models/rbm.js';
import { createNodeEngine } from '../../runtime/node.js';
import { sliceRows } from '../../tensor/matrix.js';
import { fit, type EpochRecord } from '../../training/fit.js';
import { defaultFitOptions, type FitOptions } from '../../training/options.js';
import { BINARIZE_HELP, DATA_HELP, loadData } from '../data-option.js';
import { pictureShape } from '../output.js';
import { nonNegativeNumber, positiveInt, seed } from '../parse.js';
import { trainingProgress } from '../progress.js';

const d = defaultFitOptions;

/** Files of a run folder. */
export const RUN_FILES = {
  model: 'model.safetensors',
  log: 'log.jsonl',
  filters: 'filters.png',
  samples: 'samples.png',
  reconstructions: 'reconstructions.png',
} as const;

export function trainCommand() {
  return new Command('train')
    .description('train a Bernoulli RBM and write a run folder: model, pictures of filters, samples and reconstructions, a log')
    .option('--data <spec>', DATA_HELP, 'mnist')
    .option('--held-out <spec>', 'held-out data for the monitor (default: mnist:test when --data is the bundled train split; "none" for none)')
    .option('--binarize <how>', BINARIZE_HELP, 'stochastic')
    .option('--hidden <n>', 'hidden units', positiveInt, 500)
    .option('--epochs <n>', 'passes over the data', positiveInt, d.epochs)
    .option('--batch-size <n>', 'examples per minibatch', positiveInt, d.batchSize)
    .option('--learning-rate <x>', 'SGD step size', nonNegativeNumber, d.learningRate)
    .addOption(new Option('--lr-schedule <schedule>', 'learning rate over epochs: constant, or linear down to 0').choices(['constant', 'linear'] as const).default(d.learningRateSchedule))
    .option('--initial-momentum <x>', `momentum of the first ${d.momentumSwitchEpoch} epochs`, nonNegativeNumber, d.initialMomentum)
    .option('--momentum <x>', `momentum after epoch ${d.momentumSwitchEpoch}`, nonNegativeNumber, d.finalMomentum)
    .option('--weight-decay <x>', 'L2 penalty on the weights', nonNegativeNumber, d.weightDecay)
    .addOption(new Option('--sampler <name>', 'cd: chains restart at the data; pcd: persistent chains').choices(['cd', 'pcd'] as const).default(d.sampler))
    .option('--k <n>', 'Gibbs steps per negative phase', positiveInt, d.k)
    .option('--chains <n>', 'persistent chains (pcd)', positiveInt, d.chains)
    .option('--seed <n>', 'seed of every random choice of the run', seed, d.seed)
    .option('--out <dir>', 'run folder to write (default: runs/<date-time>)')
    .option('--force', 'write into a run folder that already holds a model')
    .option('--threads <n>', 'threads per graph run (default: all cores)', positiveInt)
    .option('--sample-steps <n>', 'Gibbs steps of the fantasy particles in samples.png', positiveInt, 1000)
    .option('--json', 'print a JSON summary on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (o) => {
      const data = loadData(o.data, o.binarize, 'bernoulli');
      const heldOutSpec = o.heldOut ?? (o.data === 'mnist' || o.data === 'mnist:train' ? 'mnist:test' : 'none');
      const heldOut = heldOutSpec === 'none' ? undefined : loadData(heldOutSpec, o.binarize, 'bernoulli', data.examples.cols);
      const out = o.out ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19));
      const modelPath = join(out, RUN_FILES.model);
      if (existsSync(modelPath) && o.force !== true) throw new UserError(`--out ${out}: holds a model already; use --force to replace it`);
      if (o.batchSize > data.examples.rows) throw new UserError(`--batch-size ${o.batchSize}: larger than the ${data.examples.rows} examples of ${data.name}`);

      const engine = createNodeEngine({ threads: o.threads });
      const options: FitOptions = {
        ...d,
        epochs: o.epochs,
        batchSize: o.batchSize,
        learningRate: o.learningRate,
        learningRateSchedule: o.lrSchedule,
        initialMomentum: o.initialMomentum,
        finalMomentum: o.momentum,
        weightDecay: o.weightDecay,
        sampler: o.sampler,
        k: o.k,
        chains: o.chains,
        seed: o.seed,
        heldOut: heldOut?.examples,
      };
      const rbm = RBM.create(engine, { nVisible: data.examples.cols, nHidden: o.hidden, seed: o.seed });
      await mkdir(out, { recursive: true });
      const logPath = join(out, RUN_FILES.log);
      const progress = trainingProgress(o.epochs, o.quiet === true);
      const { heldOut: _heldOut, ...training } = options;
      const metadata = { training: JSON.stringify({ ...training, data: o.data, heldOut: heldOutSpec, binarize: o.binarize, hidden: o.hidden }), seed: String(o.seed) };
      // The run folder is a checkpoint after every epoch: the model, then the log of the epochs it has seen.
      // A run that diverges or is interrupted leaves the last good epoch's pair, or with --force, the old pair.
      const records: EpochRecord[] = [];
      try {
        await fit(rbm, data.examples, options, {
          onBatch: (p) => progress.batch(p),
          onEpoch: async (r) => {
            progress.epoch(r);
            records.push(r);
            await saveRbm(modelPath, rbm, metadata);
            await writeFileAtomic(logPath, records.map((record) => JSON.stringify(record) + '\n').join(''));
          },
        });
      } finally {
        progress.stop();
      }

      const shape = pictureShape(data.examples.cols, data.imageShape);
      await writePng(join(out, RUN_FILES.filters), filtersPicture(rbm, shape));
      const fantasy = await rbm.sampleFromNoise(100, { steps: o.sampleSteps, seed: o.seed });
      await writePng(join(out, RUN_FILES.samples), imagesPicture(fantasy.means, shape));
      const shown = sliceRows((heldOut ?? data).examples, 0, Math.min(50, (heldOut ?? data).examples.rows));
      const { reconstructions } = await rbm.reconstruct(shown);
      await writePng(join(out, RUN_FILES.reconstructions), reconstructionsPicture(shown, reconstructions, shape));
      await engine.dispose();

      const summary = { out, model: modelPath, epochs: rbm.epochsTrained, last: records[records.length - 1] };
      if (o.json === true) process.stdout.write(JSON.stringify(summary) + '\n');
      else process.stderr.write(`wrote ${out}/{${Object.values(RUN_FILES).join(',')}}\n`);
    });
}

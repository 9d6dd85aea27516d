import { Command } from '@commander-js/extra-typings';
import { UserError } from '../../errors.js';
import { RandomStream } from '../../random/stream.js';
import { gatherRows } from '../../tensor/matrix.js';
import { checkValues } from '../../models/limits.js';
import { BINARIZE_HELP, DATA_HELP, loadModelData } from '../data-option.js';
import { givenClassFlag, openAnyModel } from '../model-option.js';
import { checkMatrixOutput, rowsOf, writeMatrix } from '../output.js';
import { nonNegativeInt, positiveInt, seed, threadCount } from '../parse.js';

export function sampleCommand() {
  return new Command('sample')
    .description('run block Gibbs chains from noise or from data and write the visible means of their last step (a DBN: Gibbs in its top RBM, then the down-pass)')
    .requiredOption('--model <file>', 'model file (.safetensors)')
    .option('--count <n>', 'chains', positiveInt, 100)
    .option('--steps <k>', 'Gibbs steps v -> h -> v', positiveInt, 1000)
    .option('--from <start>', `noise (uniform random bits) or a data spec (${DATA_HELP}); chains start at random examples`, 'noise')
    .option('--binarize <how>', BINARIZE_HELP)
    .option('--class <k>', 'a class-rbm: sample x given class k (Gibbs in the RBM of that class)', nonNegativeInt)
    .option('--seed <n>', 'seed of the chains', seed, 0)
    .option('--out <file>', 'write the means as .png, .npy or .csv')
    .option('--draws', 'write the binary draws of the last step instead of their means')
    .option('--threads <n>', 'threads per graph run (default: all cores)', threadCount)
    .option('--force', 'replace an existing --out file')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (o) => {
      if (o.out === undefined && o.json !== true) throw new UserError('sample: give --out FILE or --json');
      checkMatrixOutput(o.out, o.force);
      const { model: file, metadata } = await openAnyModel(o.model, o.threads);
      const model = givenClassFlag(file, o.class, o.model);
      checkValues(`--count ${o.count}`, o.count, model.nVisible);
      let result;
      if (o.from === 'noise') {
        result = await model.sample(o.count, { steps: o.steps, seed: o.seed });
      } else {
        const data = loadModelData(o.from, o.binarize, model, metadata, o.model);
        const rng = new RandomStream(o.seed);
        const start = gatherRows(data.examples, Int32Array.from({ length: o.count }, () => rng.int(0, data.examples.rows - 1)));
        result = await model.sample(o.count, { steps: o.steps, seed: rng.seed(), start });
      }
      const chosen = o.draws === true ? result.samples : result.means;
      if (o.out !== undefined) await writeMatrix(o.out, chosen, '--out');
      if (o.json === true) process.stdout.write(JSON.stringify({ count: o.count, steps: o.steps, [o.draws === true ? 'samples' : 'means']: rowsOf(chosen) }) + '\n');
    });
}

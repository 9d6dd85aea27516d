import { Command } from '@commander-js/extra-typings';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { reconstructionsPicture } from '../../io/pictures.js';
import { encodePng } from '../../io/png-grid.js';
import { sliceRows } from '../../tensor/matrix.js';
import { BINARIZE_HELP, DATA_HELP, loadModelData } from '../data-option.js';
import { openAnyModel } from '../model-option.js';
import { checkMatrixOutput, pictureShape, rowsOf, writeMatrix } from '../output.js';
import { positiveInt, threadCount } from '../parse.js';

export function reconstructCommand() {
  return new Command('reconstruct')
    .description(
      'reconstruct examples and report the squared error: an RBM through its hidden layer, E[v | h = E[h | v]]; a DBN by the up-pass of means ' +
        'to its top layer and the down-pass back; a DBM by mean-field (50 sweeps) and the visible conditional mean E[v | h1 = mu1]',
    )
    .requiredOption('--model <file>', 'model file (.safetensors)')
    .requiredOption('--data <spec>', DATA_HELP)
    .option('--binarize <how>', BINARIZE_HELP)
    .option('--count <n>', 'reconstruct only the first n examples', positiveInt)
    .option('--out <file>', '.png: originals and reconstructions in alternating rows; .npy or .csv: the reconstructions')
    .option('--threads <n>', 'threads per graph run (default: all cores)', threadCount)
    .option('--force', 'replace an existing --out file')
    .option('--json', 'print the mean squared error (and the reconstructions) as JSON on stdout')
    .action(async (o) => {
      checkMatrixOutput(o.out, o.force);
      const { model, metadata } = await openAnyModel(o.model, o.threads);
      const data = loadModelData(o.data, o.binarize, model, metadata, o.model);
      const v = sliceRows(data.examples, 0, Math.min(o.count ?? data.examples.rows, data.examples.rows));
      const { reconstructions, squaredErrors } = await model.reconstruct(v);
      const meanSquaredError = squaredErrors.reduce((a, b) => a + b, 0) / squaredErrors.length;
      if (o.out?.toLowerCase().endsWith('.png')) {
        await writeFileAtomic(o.out, encodePng(reconstructionsPicture(v, reconstructions, pictureShape(v.cols, data.imageShape))));
      } else if (o.out !== undefined) {
        await writeMatrix(o.out, reconstructions, '--out');
      }
      if (o.json === true) {
        process.stdout.write(JSON.stringify({ examples: v.rows, meanSquaredError, reconstructions: rowsOf(reconstructions) }) + '\n');
      } else {
        process.stdout.write(`examples ${v.rows}  mean squared error per example ${meanSquaredError.toFixed(4)}\n`);
      }
    });
}

import { Command } from '@commander-js/extra-typings';
import { UserError } from '../../errors.js';
import { BINARIZE_HELP, DATA_HELP, loadModelData } from '../data-option.js';
import { givenClassFlag, openAnyModel } from '../model-option.js';
import { checkMatrixOutput, rowsOf, writeMatrix } from '../output.js';
import { nonNegativeInt, threadCount } from '../parse.js';

export function featuresCommand() {
  return new Command('features')
    .description('write the hidden means E[h | v] of each example (a DBN: of its top layer, fed up through the means): the features it gives a classifier')
    .requiredOption('--model <file>', 'model file (.safetensors)')
    .requiredOption('--data <spec>', DATA_HELP)
    .option('--binarize <how>', BINARIZE_HELP)
    .option('--class <k>', 'a class-rbm: the features E[h | x, y = k] given class k (default: the class summed out)', nonNegativeInt)
    .option('--out <file>', 'write the features as .npy or .csv (examples x hidden units)')
    .option('--threads <n>', 'threads per graph run (default: all cores)', threadCount)
    .option('--force', 'replace an existing --out file')
    .option('--json', 'print the features as JSON on stdout')
    .action(async (o) => {
      if (o.out === undefined && o.json !== true) throw new UserError('features: give --out FILE or --json');
      checkMatrixOutput(o.out, o.force);
      const { model: file, metadata } = await openAnyModel(o.model, o.threads);
      const model = givenClassFlag(file, o.class, o.model);
      const features = await model.transform(loadModelData(o.data, o.binarize, model, metadata, o.model).examples);
      if (o.out !== undefined) await writeMatrix(o.out, features, '--out');
      if (o.json === true) process.stdout.write(JSON.stringify({ examples: features.rows, hidden: features.cols, features: rowsOf(features) }) + '\n');
    });
}

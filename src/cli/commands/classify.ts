import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { binarize, parseBinarization } from '../../data/binarize.js';
import { loadDataSpec } from '../../data/spec.js';
import { UserError } from '../../errors.js';
import { loadModel, loadRbmStack } from '../../io/model-file.js';
import type { DBM } from '../../models/dbm.js';
import type { RBM } from '../../models/rbm.js';
import { ACTIVATIONS, type Activation } from '../../nn/layers.js';
import { CLASSIFIER_MEAN_FIELD_SWEEPS, meanFieldInput, mlpFromDbm } from '../../nn/dbm-classifier.js';
import { saveMlp } from '../../nn/mlp-file.js';
import { missingInputErrors } from '../../estimators/missing-inputs.js';
import { Mlp } from '../../nn/mlp.js';
import { defaultClassifierOptions, trainClassifier, type ClassifierEpoch, type ClassifierOptions } from '../../training/fit-classifier.js';
import type { Engine } from '../../runtime/engine.js';
import { createNodeEngine } from '../../runtime/node.js';
import { batchSizeOn, classesOf, DATA_HELP, labelledData } from '../data-option.js';
import { checkNewOutput } from '../output.js';
import { fractionList, nonNegativeNumber, positiveInt, seed, threadCount } from '../parse.js';

const d = defaultClassifierOptions;

/** A comma-separated list of positive integers ("500,200"). */
function sizeList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (!parts.every((s) => /^\d+$/.test(s) && Number(s) >= 1)) throw new InvalidArgumentError('expected positive integers separated by commas, such as 500,200.');
  return parts.map(Number);
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function classifyCommand() {
  return new Command('classify')
    .description(
      'train a feed-forward classifier (an MLP) on labelled data and print its test error: initialised from RBMs ' +
        '(each one\'s weights and hidden biases become a sigmoid layer, then fine-tuned by back-propagation) or at random',
    )
    .option('--model <file>', 'an RBM model file whose layer starts the network (repeat for a stack, bottom first), or a DBN or DBM file (its whole stack); none: random initialisation', collect)
    .addOption(
      new Option('--dbm-input <how>', `with a DBM file: mean-field appends q(h2 | v) (${CLASSIFIER_MEAN_FIELD_SWEEPS} mean-field sweeps) to the input, the first layer taking [W0; W1^T] (Salakhutdinov & Hinton 2009); visible: the up-pass network of its weights alone`)
        .choices(['mean-field', 'visible'] as const)
        .default('mean-field' as const),
    )
    .option('--data <spec>', `labelled training data: ${DATA_HELP}`, 'mnist')
    .option('--test <spec>', 'labelled test data (default: mnist:test when --data is the bundled train split; "none" for none)')
    .option('--binarize <how>', 'threshold[:T], stochastic[:SEED] or none (the network takes real values)', 'none')
    .option('--hidden-layers <sizes>', 'sizes of hidden layers added above the RBMs\' (or the only ones, without --model), such as 500,500', sizeList)
    .addOption(new Option('--activation <f>', 'activation of the added hidden layers').choices(ACTIVATIONS.filter((a) => a !== 'linear')).default('sigmoid'))
    .option('--epochs <n>', 'passes over the training data', positiveInt, d.epochs)
    .option('--batch-size <n>', `examples per minibatch (default: ${d.batchSize}, or all the examples when there are fewer)`, positiveInt)
    .option('--learning-rate <x>', 'step size', nonNegativeNumber, d.learningRate)
    .addOption(new Option('--optimizer <name>', 'sgd (with momentum) or adam').choices(['sgd', 'adam'] as const).default(d.optimizer))
    .option('--momentum <x>', 'SGD momentum', nonNegativeNumber, d.momentum)
    .option('--weight-decay <x>', 'L2 penalty on the weights', nonNegativeNumber, d.weightDecay)
    .option('--clip-norm <x>', 'clip the gradients\' global norm to this (0: no clipping)', nonNegativeNumber, d.clipNorm)
    .option('--missing <fractions>', 'with a DBM file and mean-field input: also the test error with each of these fractions of the test pixels missing at random (the DBM\'s mean field fills them in), such as 0.25,0.5', fractionList, [])
    .option('--seed <n>', 'seed of the new layers\' weights, the shuffling and the missing pixels', seed, d.seed)
    .option('--out <file>', 'write the trained classifier (.safetensors: weights_i, bias_i, kind "mlp")')
    .option('--force', 'replace an existing --out file')
    .option('--threads <n>', 'threads per graph run (default: all cores)', threadCount)
    .option('--json', 'print a JSON summary on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (o) => {
      if (o.out !== undefined && !o.out.endsWith('.safetensors')) throw new UserError(`--out ${o.out}: the classifier is written as .safetensors`);
      if (o.out !== undefined) checkNewOutput(o.out, o.force);
      const binarization = parseBinarization(o.binarize);
      const train = labelledData(binarize(loadDataSpec(o.data), binarization), '--data', 'classify');
      const testSpec = o.test ?? (o.data === 'mnist' || o.data === 'mnist:train' ? 'mnist:test' : 'none');
      const test = testSpec === 'none' ? undefined : labelledData(binarize(loadDataSpec(testSpec), binarization), '--test', 'classify');
      const nClasses = classesOf(train, test);
      const batchSize = batchSizeOn({ batchSize: o.batchSize ?? d.batchSize }, train, o.batchSize === undefined);

      const engine = createNodeEngine({ threads: o.threads });
      const dbm = o.dbmInput === 'mean-field' ? await meanFieldDbm(engine, o.model ?? []) : undefined;
      if (o.missing.length > 0 && dbm === undefined) throw new UserError("--missing: the missing pixels are filled in by a DBM's mean field; give a DBM file (--model) with --dbm-input mean-field");
      if (o.missing.length > 0 && test === undefined) throw new UserError('--missing: give --test data to classify with missing pixels');
      if (dbm !== undefined && dbm.nVisible !== train.examples.cols) {
        throw new UserError(`--model ${o.model![0]}: has ${dbm.nVisible} visible units but the data ${train.name} has ${train.examples.cols} features per example`);
      }
      const x = dbm === undefined ? train.examples : await meanFieldInput(dbm, train.examples);
      const testX = test === undefined || dbm === undefined ? test?.examples : await meanFieldInput(dbm, test.examples);
      const rbms: RBM[] = [];
      const sources: string[] = [];
      for (const path of dbm === undefined ? (o.model ?? []) : []) {
        for (const rbm of await loadRbmStack(engine, path)) {
          rbms.push(rbm);
          sources.push(path);
        }
      }
      rbms.forEach((r, i) => {
        const below = i === 0 ? train.examples.cols : rbms[i - 1].nHidden;
        const what = i === 0 ? `the data ${train.name} has ${below} features per example` : `the model below has ${below} hidden units`;
        if (r.nVisible !== below) throw new UserError(`--model ${sources[i]}: has ${r.nVisible} visible units but ${what}`);
      });
      const activation = o.activation as Activation;
      const hiddenLayers = o.hiddenLayers ?? [];
      const mlp =
        dbm !== undefined
          ? mlpFromDbm(dbm, nClasses, { hiddenLayers, activation, seed: o.seed })
          : rbms.length > 0
            ? Mlp.fromRbms(engine, rbms, nClasses, { hiddenLayers, activation, seed: o.seed })
            : Mlp.create(engine, { sizes: [x.cols, ...hiddenLayers, nClasses], activation, seed: o.seed });
      const options: ClassifierOptions = {
        ...d,
        epochs: o.epochs,
        batchSize,
        learningRate: o.learningRate,
        optimizer: o.optimizer,
        momentum: o.momentum,
        weightDecay: o.weightDecay,
        clipNorm: o.clipNorm,
        seed: o.seed,
        ...(test === undefined || testX === undefined ? {} : { heldOut: { examples: testX, labels: test.labels } }),
      };
      const records = await trainClassifier(mlp, x, train.labels, options, {
        onEpoch: (r) => {
          if (o.quiet !== true) process.stderr.write(epochLine(r, o.epochs) + '\n');
        },
      });
      const last = records[records.length - 1];
      const trainError = await mlp.errorRate(x, train.labels);
      const missing =
        dbm === undefined || test === undefined
          ? []
          : await missingInputErrors(async (v, seen) => mlp.predict(await meanFieldInput(dbm, await dbm.fillIn(v, seen))), test.examples, test.labels, dbm.visible, o.missing, o.seed);
      if (o.out !== undefined) {
        const { heldOut: _heldOut, ...training } = options;
        const settings = { ...training, data: o.data, test: testSpec, binarize: o.binarize, models: o.model ?? [], hiddenLayers, activation, input: dbm === undefined ? 'data' : 'dbm-mean-field' };
        await saveMlp(o.out, mlp, { training: JSON.stringify(settings), seed: String(o.seed) });
      }
      await engine.dispose();
      const summary = {
        sizes: mlp.sizes,
        initialisation: dbm !== undefined ? 'dbm-mean-field' : rbms.length > 0 ? 'rbm' : 'random',
        epochs: records.length,
        trainError,
        testError: last.heldOutError ?? null,
        ...(missing.length > 0 && { missingInputs: missing.map((m) => ({ fraction: m.fraction, testError: m.error })) }),
        ...(o.out === undefined ? {} : { out: o.out }),
      };
      if (o.json === true) process.stdout.write(JSON.stringify(summary) + '\n');
      else {
        process.stdout.write(`train error ${pct(trainError)}` + (test === undefined ? '' : `  test error ${pct(last.heldOutError!)} on ${test.name}`) + '\n');
        for (const m of missing) process.stdout.write(`  with ${pct(m.fraction)} of the test pixels missing (filled in by the DBM's mean field): test error ${pct(m.error)}\n`);
      }
    });
}

/** The DBM of `paths` when it is one DBM file, whose mean-field posterior then joins the input; undefined for other models. */
async function meanFieldDbm(engine: Engine, paths: readonly string[]): Promise<DBM | undefined> {
  const models = await Promise.all(paths.map(async (path) => ({ path, model: (await loadModel(engine, path)).model })));
  const dbm = models.find((m) => m.model.kind === 'dbm');
  if (dbm === undefined) return undefined;
  if (models.length > 1) throw new UserError(`--model ${dbm.path}: a DBM file with --dbm-input mean-field is the only --model (or use --dbm-input visible)`);
  return dbm.model.kind === 'dbm' ? dbm.model : undefined;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

function epochLine(r: ClassifierEpoch, epochs: number): string {
  const test = r.heldOutError === undefined ? '' : `  test error ${pct(r.heldOutError)}`;
  return `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(4)}  train error ${pct(r.trainingError)}${test}  ${Math.round(r.samplesPerSecond)} samples/s  ${r.seconds.toFixed(1)} s`;
}

import { Command, Option } from '@commander-js/extra-typings';
import { join } from 'node:path';
import { createNodeEngine } from '../../runtime/node.js';
import { CLASS_RBM_OBJECTIVES, defaultClassRbmFitOptions } from '../../training/fit-class-rbm.js';
import { defaultFitOptions, defaultLearningRate, type LearningRateSchedule } from '../../training/options.js';
import { bernoulli, UNIT_NAMES } from '../../units/index.js';
import { BINARIZE_HELP, DATA_HELP, unitTypeFlag } from '../data-option.js';
import { fraction, nonNegativeNumber, openFraction, positiveInt, seed, threadCount } from '../parse.js';
import {
  CLASS_RBM_ONLY_FLAGS,
  CLASS_RBM_UNSUPPORTED_FLAGS,
  DBM_UNSUPPORTED_FLAGS,
  DBN_UNSUPPORTED_FLAGS,
  deepRunOf,
  GATED_RBM_ONLY_FLAGS,
  GATED_RBM_UNSUPPORTED_FLAGS,
  MP_DBM_ONLY_FLAGS,
  MP_DBM_UNSUPPORTED_FLAGS,
  type UnsupportedFlag,
  layerList,
  MODEL_KINDS,
  runDeepTraining,
} from '../deep-run.js';
import { exclusiveRun } from '../exclusive-run.js';
import { freshRun, resumedRun, RUN_FILES, runTraining } from '../run-folder.js';
import { defaultGatedRbmFitOptions } from '../../training/fit-gated-rbm.js';
import { defaultMpDbmFitOptions } from '../../training/fit-mp-dbm.js';

const d = defaultFitOptions;
const g = defaultGatedRbmFitOptions;
const m = defaultMpDbmFitOptions;

/** `--factors`'s default (docs/results.md: 200 factors with 100 mapping units learned shifts of random dots). */
const GATED_FACTORS = 200;

/** The flags each model kind refuses when given on the command line (see refuseUnsupported). */
const UNSUPPORTED_FLAGS: Readonly<Record<(typeof MODEL_KINDS)[number], Readonly<Record<string, UnsupportedFlag>>>> = {
  rbm: { ...CLASS_RBM_ONLY_FLAGS, ...GATED_RBM_ONLY_FLAGS, ...MP_DBM_ONLY_FLAGS },
  dbn: { ...DBN_UNSUPPORTED_FLAGS, ...CLASS_RBM_ONLY_FLAGS, ...GATED_RBM_ONLY_FLAGS, ...MP_DBM_ONLY_FLAGS },
  dbm: { ...DBM_UNSUPPORTED_FLAGS, ...CLASS_RBM_ONLY_FLAGS, ...GATED_RBM_ONLY_FLAGS, ...MP_DBM_ONLY_FLAGS },
  'class-rbm': { ...CLASS_RBM_UNSUPPORTED_FLAGS, ...GATED_RBM_ONLY_FLAGS, ...MP_DBM_ONLY_FLAGS },
  'gated-rbm': { ...GATED_RBM_UNSUPPORTED_FLAGS, ...MP_DBM_ONLY_FLAGS },
  'mp-dbm': { ...MP_DBM_UNSUPPORTED_FLAGS, ...GATED_RBM_ONLY_FLAGS },
};

export function trainCommand() {
  return new Command('train')
    .description('train an RBM (any unit types), a DBN, a DBM, a classification RBM, a gated RBM or a multi-prediction DBM and write a run folder: model, pictures of filters, samples and reconstructions, a log')
    .option('--data <spec>', DATA_HELP, 'mnist')
    .option('--held-out <spec>', 'held-out data for the monitor (default: mnist:test when --data is the bundled train split; "none" for none)')
    .option('--binarize <how>', BINARIZE_HELP)
    .addOption(unitTypeOption('--visible-units <type>', 'visible'))
    .addOption(unitTypeOption('--hidden-units <type>', 'hidden'))
    .option('--standardize', 'standardise each feature by the training data\'s mean and std (for Gaussian visible units)')
    .addOption(new Option('--model <kind>', 'rbm; dbn: a deep belief network, RBMs trained greedily with the flags below; dbm: a deep Boltzmann machine of 2 or more hidden layers, pretrained by weight doubling then trained jointly (give --layers); class-rbm: an RBM with a label layer, on labelled data; gated-rbm: a factored gated RBM of pairs [x | y] (pairs:shift|rotate:SPEC), its mapping units the transformation; mp-dbm: a DBM with a label layer, trained by multi-prediction (back-propagation through mean field, no pretraining) on labelled data (give --layers)').choices(MODEL_KINDS).default('rbm' as const))
    .addOption(
      new Option('--objective <name>', 'class-rbm: generative (-log p(x, y)), discriminative (-log p(y | x), exact) or hybrid (discriminative + --alpha x generative)')
        .choices(CLASS_RBM_OBJECTIVES)
        .default(defaultClassRbmFitOptions.objective),
    )
    .option('--alpha <x>', 'class-rbm, hybrid: the weight of the generative loss', nonNegativeNumber, defaultClassRbmFitOptions.alpha)
    .option('--labelled <n>', 'class-rbm, semi-supervised: only the first n training examples keep their labels; the others train the generative loss as unlabelled', positiveInt)
    .option('--layers <sizes>', 'hidden units per layer, bottom first, such as 500,500,2000 (for rbm, one size: the same as --hidden)', layerList)
    .option('--hidden <n>', 'hidden units (gated-rbm: mapping units)', positiveInt, 500)
    .option('--drop-probability <p>', `mp-dbm: the probability that a pixel, and apart from it the label, is hidden and predicted (default ${defaultMpDbmFitOptions.dropProbability})`, openFraction)
    .option('--label-weight <x>', `mp-dbm: the weight of the label's cross-entropy beside each pixel's (default ${defaultMpDbmFitOptions.labelWeight})`, nonNegativeNumber)
    .option('--factors <n>', 'gated-rbm: factors of the three-way interaction', positiveInt, GATED_FACTORS)
    .option('--epochs <n>', `passes over the data (gated-rbm: default ${g.epochs})`, positiveInt, d.epochs)
    .option('--batch-size <n>', `examples per minibatch (default: ${d.batchSize}, gated-rbm ${g.batchSize}, or all the examples when there are fewer)`, positiveInt)
    .option('--learning-rate <x>', `step size (default: ${d.learningRate} for sgd, gated-rbm ${g.learningRate}; ${defaultLearningRate('adam', undefined)} for adam and for Gaussian visible units)`, nonNegativeNumber)
    .addOption(new Option('--optimizer <name>', 'sgd: SGD with momentum; adam: Adam').choices(['sgd', 'adam'] as const).default(d.optimizer))
    .addOption(new Option('--lr-schedule <schedule>', `learning rate over epochs: constant, or linear down to 0 (gated-rbm: default ${g.learningRateSchedule})`).choices(['constant', 'linear'] as const).default(d.learningRateSchedule))
    .option('--initial-momentum <x>', `momentum of the first ${d.momentumSwitchEpoch} epochs`, nonNegativeNumber, d.initialMomentum)
    .option('--momentum <x>', `momentum after epoch ${d.momentumSwitchEpoch} (gated-rbm: throughout, default ${g.momentum})`, nonNegativeNumber, d.finalMomentum)
    .option('--weight-decay <x>', `L2 penalty on the weights (mp-dbm: default ${m.weightDecay})`, nonNegativeNumber, d.weightDecay)
    .option('--l1 <x>', 'L1 penalty on the weights', nonNegativeNumber, d.l1)
    .option('--max-norm <x>', "largest norm of each hidden unit's weight vector (gated-rbm: of each factor's filters, default ${g.maxNorm}) (0: none)", nonNegativeNumber, d.maxNorm)
    .option('--sparsity <target>', 'target mean activation of the hidden units on data (a sparsity penalty)', fraction)
    .option('--sparsity-cost <x>', 'weight of the sparsity penalty', nonNegativeNumber, d.sparsityCost)
    .option('--centering', 'centred gradients: offsets of the visible and hidden means subtracted (Montavon & Mueller 2012); for a DBM, of every layer\'s mean-field means in joint training')
    .addOption(
      new Option('--sampler <name>', 'cd: chains restart at the data; pcd: persistent chains; fpcd: persistent chains with fast weights; pt: parallel tempering')
        .choices(['cd', 'pcd', 'fpcd', 'pt'] as const)
        .default(d.sampler),
    )
    .option('--k <n>', 'Gibbs steps per negative phase (in the first epoch with --k-final)', positiveInt, d.k)
    .option('--k-final <n>', 'raise k linearly to this in the last epoch', positiveInt)
    .option('--chains <n>', 'persistent chains (pcd, fpcd; pt: per temperature)', positiveInt, d.chains)
    .option('--temperatures <n>', 'pt: temperatures of the ladder, inverse temperatures 1, 1 - 1/n, ..., 1/n', positiveInt, d.temperatures)
    .option('--fast-learning-rate <x>', 'fpcd: learning rate of the fast weights (default: --learning-rate)', nonNegativeNumber)
    .option('--fast-decay <x>', 'fpcd: factor the fast weights shrink by at each step', fraction, d.fastDecay)
    .option('--seed <n>', 'seed of every random choice of the run', seed, d.seed)
    .option('--out <dir>', 'run folder to write (default: runs/<date-time>)')
    .option('--force', 'write into a run folder that already holds a model')
    .option('--resume', 'continue the run in --out from its last saved epoch up to its --epochs, with its own settings (other training flags are ignored)')
    .option('--threads <n>', 'threads per graph run (default: all cores)', threadCount)
    .option('--sample-steps <n>', 'Gibbs steps of the fantasy particles in samples.png', positiveInt, 1000)
    .option('--json', 'print a JSON summary on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (given, command) => {
      if (given.resume !== true) refuseUnsupported(command, UNSUPPORTED_FLAGS[given.model], `--model ${given.model}`);
      const o = { ...given, ...kindDefaults(given.model, command) };
      const out = o.out ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 23));
      const say = (line: string): void => {
        if (o.quiet !== true) process.stderr.write(line + '\n');
      };
      const summary = await exclusiveRun(out, RUN_FILES.model, say, async (signal) => {
        const engine = createNodeEngine({ threads: o.threads });
        try {
          const flags = { ...o, binarize: o.binarize ?? o.visibleUnits.binarization };
          const deep = await deepRunOf(engine, out, flags, say);
          const settings = { sampleSteps: o.sampleSteps, quiet: o.quiet === true, signal };
          if (deep !== undefined) return await runDeepTraining(deep, settings);
          return await runTraining(o.resume === true ? await resumedRun(engine, out, say) : freshRun(engine, out, { ...flags, hidden: o.layers?.[0] ?? o.hidden }), settings);
        } finally {
          await engine.dispose();
        }
      });
      if (o.json === true) process.stdout.write(JSON.stringify(summary) + '\n');
      else process.stderr.write(`wrote ${summary.files.join(', ')}\n`);
    });
}

/**
 * The settings of a kind whose trainer has defaults of its own for shared flags not given on the command
 * line: a gated RBM's (defaultGatedRbmFitOptions, measured on random-dot pairs; its learning rate and batch
 * size likewise, freshGatedRbmRun), a multi-prediction DBM's weight decay (defaultMpDbmFitOptions); an RBM's
 * for the others.
 */
function kindDefaults(model: (typeof MODEL_KINDS)[number], command: Command): { epochs?: number; momentum?: number; lrSchedule?: LearningRateSchedule; maxNorm?: number; weightDecay?: number } {
  const defaulted = (key: string): boolean => command.getOptionValueSource(key) !== 'cli';
  if (model === 'mp-dbm') return defaulted('weightDecay') ? { weightDecay: m.weightDecay } : {};
  if (model !== 'gated-rbm') return {};
  return {
    ...(defaulted('epochs') && { epochs: g.epochs }),
    ...(defaulted('momentum') && { momentum: g.momentum }),
    ...(defaulted('lrSchedule') && { lrSchedule: g.learningRateSchedule }),
    ...(defaulted('maxNorm') && { maxNorm: g.maxNorm }),
  };
}

/** A unit-type flag of `layer`, parsed into its unit type (default: Bernoulli). */
const unitTypeOption = <Flags extends string>(flags: Flags, layer: string) =>
  new Option(flags, `${layer} unit type: ${UNIT_NAMES}`).argParser(unitTypeFlag).default(bernoulli, JSON.stringify(bernoulli.name));

/**
 * A usage error (exit 2, one line) for the first option of `unsupported` (option key -> why, and what it accepts) given on the
 * command line with a value `what` cannot honour.
 */
function refuseUnsupported(command: Command, unsupported: Readonly<Record<string, UnsupportedFlag>>, what: string): void {
  for (const [key, { why, accepts }] of Object.entries(unsupported)) {
    if (command.getOptionValueSource(key) !== 'cli' || accepts?.(command.getOptionValue(key) as never) === true) continue;
    const flag = command.options.find((option) => option.attributeName() === key)!.long!;
    command.error(`error: ${what} cannot honour ${flag} (${why}); drop it`, { exitCode: 2, code: 'boltzmann.unsupportedFlag' });
  }
}

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { corrupt, CORRUPTION_HELP, noiseEvidence, parseCorruption, type Corruption } from '../../data/corrupt.js';
import { standardizationScales, standardize, unstandardize } from '../../data/standardize.js';
import { UserError } from '../../errors.js';
import { interleavedPicture } from '../../io/pictures.js';
import { writePng } from '../../io/png-grid.js';
import { fillIn } from '../../models/rbm-fill-in.js';
import { sliceRows, type Matrix } from '../../tensor/matrix.js';
import { BINARIZE_HELP, DATA_HELP, loadData, modelStandardization } from '../data-option.js';
import { openModel } from '../model-option.js';
import { pictureShape } from '../output.js';
import { positiveInt, seed, threadCount } from '../parse.js';

/** Files `denoise` writes into its folder: clean | corrupted | restored rows, restored as means or as one draw. */
export const DENOISE_FILES = { means: 'denoise.png', draws: 'denoise-draws.png' } as const;

/**
 * Gibbs steps when --steps is not given. With erase:half, or noise with its evidence (which keeps the chain on
 * the posterior p(v | noisy v)), the chain burns in and then averages over the last half of its steps (fillIn's
 * default). Noise on ReLU units gives no evidence: the chain is plain Gibbs from the noisy example, which
 * drifts away from it, so a few steps, all averaged.
 */
const DEFAULT_STEPS = { posterior: 100, drift: 4 } as const;

/** Pictures show at most this many examples. */
const PICTURED = 50;

/** Errors against the clean data on the scored units: mean over examples of sum of squared errors, wrong units. */
interface Errors {
  readonly meanSquaredError: number;
  /** Binary (Bernoulli or spin) units only: the fraction of scored units on the wrong side of the middle. */
  readonly wrongFraction?: number;
}

export function denoiseCommand() {
  return new Command('denoise')
    .description('corrupt examples (noise, an erased half or erased units at random), restore them by Gibbs sampling (erased units given the others, noisy ones from their posterior given the noise), and compare with the clean data')
    .requiredOption('--model <file>', 'model file (.safetensors) of an RBM')
    .requiredOption('--data <spec>', DATA_HELP)
    .requiredOption('--corrupt <how>', CORRUPTION_HELP)
    .requiredOption('--out <dir>', `folder for the pictures (${Object.values(DENOISE_FILES).join(', ')}): rows of clean, corrupted and restored examples`)
    .option('--steps <n>', `Gibbs steps (default ${DEFAULT_STEPS.posterior}, E[v | h] averaged over the last half of them; for noise on ReLU units ${DEFAULT_STEPS.drift}, all averaged)`, positiveInt)
    .option('--examples <n>', 'restore the first n examples', positiveInt, 100)
    .option('--binarize <how>', BINARIZE_HELP)
    .option('--seed <n>', 'seed of the corruption and of the chains', seed, 0)
    .option('--force', 'overwrite pictures already in --out')
    .option('--threads <n>', 'threads per graph run (default: all cores)', threadCount)
    .option('--json', 'print the errors before and after as JSON on stdout')
    .action(async (o) => {
      const corruption = parseCorruption(o.corrupt);
      const files = Object.values(DENOISE_FILES).map((file) => join(o.out, file));
      const existing = files.find((file) => existsSync(file));
      if (existing !== undefined && o.force !== true) throw new UserError(`--out ${o.out}: ${existing} exists; use --force to replace it`);
      const { rbm, metadata } = await openModel(o.model, o.threads);
      const data = loadData(o.data, o.binarize, rbm.visible, rbm.nVisible);
      const clean = sliceRows(data.examples, 0, Math.min(o.examples, data.examples.rows));
      const corrupted = corrupt(clean, corruption, rbm.visible, o.seed);

      // The model sees its own (standardised) units; errors and pictures are in the data's units.
      const stats = modelStandardization(metadata, rbm.nVisible, o.model);
      const toModel = (m: Matrix): Matrix => (stats === undefined ? m : standardize({ name: data.name, examples: m }, stats).examples);
      const fromModel = (m: Matrix): Matrix => (stats === undefined ? m : unstandardize(m, stats));
      const start = toModel(corrupted.examples);
      const scales = stats && standardizationScales(stats);
      const evidence = corruption.kind === 'noise' ? noiseEvidence(start, corruption.level, rbm.visible, scales) : undefined;
      const drifts = corruption.kind === 'noise' && evidence === undefined;
      const steps = o.steps ?? DEFAULT_STEPS[drifts ? 'drift' : 'posterior'];
      const options = { steps, averageOver: drifts ? steps : undefined, evidence, seed: o.seed };
      const restored = await fillIn(rbm, start, corrupted.observed, options);
      const means = fromModel(restored.means);
      const draws = fromModel(restored.samples);

      const observed = corruption.kind === 'noise' ? undefined : corrupted.observed;
      const errors = (m: Matrix): Errors => errorsAgainst(clean, m, observed, middleOf(rbm.visible.states));
      const result = {
        examples: clean.rows,
        corrupt: o.corrupt,
        steps,
        scored: observed === undefined ? 'all units' : 'erased units',
        corrupted: errors(corrupted.examples),
        restored: errors(means),
        draw: errors(draws),
        files,
      };

      await mkdir(o.out, { recursive: true });
      const shown = (m: Matrix): Matrix => sliceRows(m, 0, Math.min(PICTURED, m.rows));
      const shape = pictureShape(clean.cols, data.imageShape);
      await writePng(files[0], interleavedPicture([clean, corrupted.examples, means].map(shown), shape));
      await writePng(files[1], interleavedPicture([clean, corrupted.examples, draws].map(shown), shape));
      if (o.json === true) {
        process.stdout.write(JSON.stringify(result) + '\n');
      } else {
        process.stdout.write(`${describe(corruption)}, ${result.examples} examples, ${steps} Gibbs steps; errors on ${result.scored}:\n`);
        for (const key of ['corrupted', 'restored', 'draw'] as const) {
          const e = result[key];
          const wrong = e.wrongFraction === undefined ? '' : `  wrong ${(100 * e.wrongFraction).toFixed(2)}%`;
          process.stdout.write(`  ${key.padEnd(9)}  squared error per example ${e.meanSquaredError.toFixed(3)}${wrong}\n`);
        }
        process.stdout.write(`pictures: ${files.join(', ')} (rows: clean, corrupted, restored)\n`);
      }
    });
}

const describe = (c: Corruption): string => (c.kind === 'noise' ? `noise ${c.level}` : c.kind === 'erase' ? `${c.fraction} of the units erased` : 'bottom half erased');

/** The middle between the two values of two-state units (undefined for others): a value above it reads as the upper one. */
const middleOf = (states: readonly [number, number] | undefined): number | undefined => states && (states[0] + states[1]) / 2;

/**
 * The errors of `x` against `clean` (both [rows, units]) on the units where `observed` is 0 (all units when
 * undefined): squared error summed over them, averaged over examples; with a `middle` (binary units), the
 * fraction of them on the other side of the middle from the clean value.
 */
function errorsAgainst(clean: Matrix, x: Matrix, observed: Matrix | undefined, middle: number | undefined): Errors {
  let squared = 0;
  let wrong = 0;
  let count = 0;
  for (let i = 0; i < clean.data.length; i++) {
    if (observed !== undefined && observed.data[i] !== 0) continue;
    squared += (x.data[i] - clean.data[i]) ** 2;
    if (middle !== undefined && x.data[i] > middle !== clean.data[i] > middle) wrong++;
    count++;
  }
  return { meanSquaredError: squared / clean.rows, ...(middle !== undefined && { wrongFraction: wrong / count }) };
}

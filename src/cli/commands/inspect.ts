import { Command } from '@commander-js/extra-typings';
import { UserError } from '../../errors.js';
import { openAnyModel } from '../model-option.js';
import { escaped } from '../../quote.js';
import { TRAINING_LOG } from '../checkpoint.js';

interface Stats {
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

function stats(x: Float32Array): Stats {
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    sum += v;
    sq += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / x.length;
  return { count: x.length, mean, std: Math.sqrt(Math.max(0, sq / x.length - mean * mean)), min, max };
}

export function inspectCommand() {
  return new Command('inspect')
    .description('describe a model file (RBM, DBN or DBM): kind, sizes, unit types, epochs, training configuration, statistics of each tensor')
    .argument('[file]', 'model file (.safetensors)')
    .option('--model <file>', 'model file (.safetensors), as an alternative to the argument')
    .option('--json', 'print the description as JSON on stdout')
    .action(async (file, o) => {
      const path = o.model ?? file;
      if (path === undefined) throw new UserError('inspect: give a model file');
      const { model, metadata } = await openAnyModel(path, 1);
      const { summary, title, tensors } = model.describe();
      const parameters = Object.fromEntries(Object.entries(tensors).map(([name, x]) => [name, stats(x)]));
      if (o.json === true) {
        process.stdout.write(JSON.stringify({ file: path, ...summary, metadata, parameters }) + '\n');
        return;
      }
      const width = Math.max(12, ...Object.keys(parameters).map((name) => name.length));
      const lines = [
        `${path}: ${title}`,
        ...Object.entries(parameters).map(
          ([name, s]) => `  ${name.padEnd(width)} ${String(s.count).padStart(8)} values  mean ${s.mean.toFixed(4)}  std ${s.std.toFixed(4)}  min ${s.min.toFixed(4)}  max ${s.max.toFixed(4)}`,
        ),
        ...Object.entries(metadata).map(([k, v]) => `  ${escaped(k)}: ${k === TRAINING_LOG ? `${v.split('\n').filter(Boolean).length} epoch records (log.jsonl beside it has them with their timings)` : escaped(v, Infinity)}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

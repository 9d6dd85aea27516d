import { Command } from '@commander-js/extra-typings';
import { parameterKeys, parameterNames, VISIBLE_LOG_STD } from '../../models/rbm-graph.js';
import { openModel } from '../model-option.js';

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
    .description('describe a model file: kind, sizes, unit types, training configuration, parameter statistics')
    .argument('[file]', 'model file (.safetensors)')
    .option('--model <file>', 'model file (.safetensors), as an alternative to the argument')
    .option('--json', 'print the description as JSON on stdout')
    .action(async (file, o) => {
      const path = o.model ?? file;
      if (path === undefined) throw new Error('inspect: give a model file');
      const { rbm, metadata } = await openModel(path, 1);
      const parameters = Object.fromEntries(parameterKeys.map((k) => [parameterNames[k], stats(rbm.params[k])]));
      if (rbm.params.visibleLogStd !== undefined) parameters[VISIBLE_LOG_STD] = stats(rbm.params.visibleLogStd);
      const description = {
        file: path,
        kind: 'rbm',
        nVisible: rbm.nVisible,
        nHidden: rbm.nHidden,
        visible: rbm.visible.name,
        hidden: rbm.hidden.name,
        epochsTrained: rbm.epochsTrained,
        metadata,
        parameters,
      };
      if (o.json === true) {
        process.stdout.write(JSON.stringify(description) + '\n');
        return;
      }
      const lines = [
        `${path}: RBM ${rbm.nVisible} ${rbm.visible.name} visible x ${rbm.nHidden} ${rbm.hidden.name} hidden, ${rbm.epochsTrained} epochs trained`,
        ...Object.entries(parameters).map(
          ([name, s]) => `  ${name.padEnd(12)} ${String(s.count).padStart(8)} values  mean ${s.mean.toFixed(4)}  std ${s.std.toFixed(4)}  min ${s.min.toFixed(4)}  max ${s.max.toFixed(4)}`,
        ),
        ...Object.entries(metadata).map(([k, v]) => `  ${k}: ${v}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

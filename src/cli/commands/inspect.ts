import { Command } from '@commander-js/extra-typings';
import { UserError } from '../../errors.js';
import type { AnyModel } from '../../io/dbn-file.js';
import { dbmNames } from '../../models/dbm.js';
import { layerParameterName } from '../../models/dbn.js';
import { parameterKeys, parameterNames, VISIBLE_LOG_STD } from '../../models/rbm-graph.js';
import { openAnyModel } from '../model-option.js';

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

/** What `inspect` says of a model besides its file and metadata: the kind, the sizes, epochs and each tensor's statistics by its file name. */
function describe(model: AnyModel): { summary: Record<string, unknown>; title: string; parameters: Record<string, Stats> } {
  if (model.kind === 'dbn') {
    const { dbn } = model;
    const epochsTrained = dbn.rbms.map((r) => r.epochsTrained);
    const parameters = Object.fromEntries(dbn.rbms.flatMap((r, l) => parameterKeys.map((k) => [layerParameterName(k, l), stats(r.params[k])])));
    return { summary: { kind: 'dbn', layers: dbn.sizes, epochsTrained }, title: `DBN ${dbn.sizes.join('-')} (Bernoulli), epochs trained per RBM ${epochsTrained.join(', ')}`, parameters };
  }
  if (model.kind === 'dbm') {
    const { dbm } = model;
    const tensors: [string, Float32Array][] = [...dbm.params.weights.map((w, l): [string, Float32Array] => [dbmNames.weights(l), w]), ...dbm.params.biases.map((b, l): [string, Float32Array] => [dbmNames.bias(l), b])];
    const parameters = Object.fromEntries(tensors.map(([name, x]) => [name, stats(x)]));
    return { summary: { kind: 'dbm', layers: dbm.sizes, epochsTrained: dbm.epochsTrained }, title: `DBM ${dbm.sizes.join('-')} (Bernoulli), ${dbm.epochsTrained} joint epochs trained`, parameters };
  }
  const { rbm } = model;
  const parameters = Object.fromEntries(parameterKeys.map((k) => [parameterNames[k], stats(rbm.params[k])]));
  if (rbm.params.visibleLogStd !== undefined) parameters[VISIBLE_LOG_STD] = stats(rbm.params.visibleLogStd);
  return {
    summary: { kind: 'rbm', nVisible: rbm.nVisible, nHidden: rbm.nHidden, visible: rbm.visible.name, hidden: rbm.hidden.name, epochsTrained: rbm.epochsTrained },
    title: `RBM ${rbm.nVisible} ${rbm.visible.name} visible x ${rbm.nHidden} ${rbm.hidden.name} hidden, ${rbm.epochsTrained} epochs trained`,
    parameters,
  };
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
      const model = await openAnyModel(path, 1);
      const { summary, title, parameters } = describe(model);
      if (o.json === true) {
        process.stdout.write(JSON.stringify({ file: path, ...summary, metadata: model.metadata, parameters }) + '\n');
        return;
      }
      const width = Math.max(12, ...Object.keys(parameters).map((name) => name.length));
      const lines = [
        `${path}: ${title}`,
        ...Object.entries(parameters).map(
          ([name, s]) => `  ${name.padEnd(width)} ${String(s.count).padStart(8)} values  mean ${s.mean.toFixed(4)}  std ${s.std.toFixed(4)}  min ${s.min.toFixed(4)}  max ${s.max.toFixed(4)}`,
        ),
        ...Object.entries(model.metadata).map(([k, v]) => `  ${k}: ${v}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

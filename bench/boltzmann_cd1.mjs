// One timed CD-1 run of boltzmann (this library), in its own process so that its peak memory is its own.
// Started by bench/cd1.mjs; prints one JSON line. Needs `npm run build` (it imports ../dist/index.js).
//
//   node bench/boltzmann_cd1.mjs --data X.npy --hidden 500 --batch 100 --epochs 3 --warmup 1 --lr 0.01
//
// The data (0/1 float32, examples x 784) comes from the same .npy file that the Python peers read. Timing: fit's
// EpochRecord.samplesPerSecond, which counts only the epoch's training steps (batch assembly in JS and one graph
// run per minibatch), not the end-of-epoch monitor. The warm-up epochs run in the same fit call (same session)
// and are not counted.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RBM, createNodeEngine, fit, loadNpy, sliceRows } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    hidden: { type: 'string', default: '500' },
    batch: { type: 'string', default: '100' },
    epochs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    lr: { type: 'string', default: '0.01' },
    momentum: { type: 'string', default: '0.5' },
    'weight-decay': { type: 'string', default: '0.0002' },
    seed: { type: 'string', default: '1' },
  },
});
if (values.data === undefined) throw new Error('--data X.npy is required');
const [hidden, batchSize, epochs, warmup, seed] = [values.hidden, values.batch, values.epochs, values.warmup, values.seed].map(Number);
const [learningRate, momentum, weightDecay] = [values.lr, values.momentum, values['weight-decay']].map(Number);

const data = loadNpy(values.data).examples;
const engine = createNodeEngine();
const rbm = RBM.create(engine, { nVisible: data.cols, nHidden: hidden, seed });
const records = await fit(rbm, data, {
  sampler: 'cd',
  k: 1,
  epochs: warmup + epochs,
  batchSize,
  learningRate,
  initialMomentum: momentum,
  finalMomentum: momentum,
  weightDecay,
  seed,
  // The monitor runs after every epoch but is outside samplesPerSecond; keep it small so the run is short.
  monitorSize: 1,
});
const timed = records.slice(warmup);
const examplesPerEpoch = Math.floor(data.rows / batchSize) * batchSize;
const seconds = timed.reduce((sum, r) => sum + examplesPerEpoch / r.samplesPerSecond, 0);
const monitored = sliceRows(data, 0, Math.min(500, data.rows));
const { squaredErrors } = await rbm.reconstruct(monitored);
const reconstructionError = squaredErrors.reduce((a, b) => a + b, 0) / squaredErrors.length;
await engine.dispose();

const ortVersion = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')).version;
console.log(
  JSON.stringify({
    name: 'boltzmann',
    samplesPerSecond: (epochs * examplesPerEpoch) / seconds,
    examples: epochs * examplesPerEpoch,
    seconds,
    epochSamplesPerSecond: timed.map((r) => r.samplesPerSecond),
    reconstructionError,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    threads: engine.options.threads,
    dtype: 'float32',
    versions: { node: process.versions.node, 'onnxruntime-node': ortVersion },
  }),
);

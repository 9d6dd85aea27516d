// One training step of an MLP classifier, boltzmann against PyTorch on the CPU (issue 6): `npm run bench:mlp`
// (builds first), or
//
//   node bench/mlp.mjs [--steps 50] [--warmup 10] [--repeats 5] [--lr 0.1] [--python /usr/bin/python3]
//                      [--wait-idle 60] [--json]
//
// The task: a 784-500-500-10 network (sigmoid hidden layers, linear output, softmax cross-entropy averaged
// over the batch), minibatches of 100 bundled MNIST digits (the 9,003 of the train split, grey values), plain
// SGD. One step = forward, loss, backward, update:
//   boltzmann      buildClassifierStep: the whole step as ONE graph run (gradients by src/autodiff), state in
//                  pre-allocated ping-pong tensors, all cores
//   boltzmann-1t   the same with 1 thread
//   torch          torch.nn.Sequential + CrossEntropyLoss + optim.SGD, zero_grad/backward/step, all cores
//   torch-1t       the same with 1 thread (faster than 2 on some 2-core machines)
// Each repeat times `--steps` steps after `--warmup` untimed ones, per contender, round robin (ours in this
// process, torch in a child process per run); reported: the median and the best over repeats of the time per
// step (the best is the least disturbed by other work on a shared machine), and the speed ratio of boltzmann
// (all cores) to each other contender from the medians (> 1: ours is faster). Python contenders are skipped, with the reason, when
// no python3 with numpy and torch is found (--python, $BOLTZMANN_PYTHON, /usr/bin/python3, python3 on PATH).
// The machine may be shared: before each run the bench waits (up to --wait-idle seconds, 0: not at all) for the
// CPUs to be nearly idle (under 15% busy over half a second, from /proc/stat).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, positiveInt, printHelpAndExit, pythonWith, waitForIdle } from './lib/common.mjs';
import { createNodeEngine, encodeNpy, loadBundledDigits, matrix, Mlp } from '../dist/index.js';
// The step's plumbing, not part of the public API.
import { buildClassifierStep, classifierStepNames } from '../dist/training/fit-classifier.js';
import { PingPongState } from '../dist/training/graph-state.js';
import { MinibatchRows } from '../dist/training/minibatch.js';
import { layerNames } from '../dist/nn/mlp.js';

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = [784, 500, 500, 10];
const BATCH = 100;
/** The temporary folder of the data files, removed at the end (also by fail). */
let dir;

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '5' },
    lr: { type: 'string', default: '0.1' },
    python: { type: 'string' },
    'wait-idle': { type: 'string', default: '60' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) printHelpAndExit(import.meta.url);
const steps = positiveInt('steps', opts.steps);
const warmup = positiveInt('warmup', opts.warmup, 0);
const repeats = positiveInt('repeats', opts.repeats);
const waitIdle = positiveInt('wait-idle', opts['wait-idle'], 0);
const lr = Number(opts.lr);
if (!(lr > 0)) fail(`--lr must be a positive number, got '${opts.lr}'`);
const log = (line) => process.stderr.write(line + '\n');

dir = mkdtempSync(join(tmpdir(), 'boltzmann-bench-mlp-'));
try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function main() {
  const digits = loadBundledDigits('train');
  const { rows } = digits.examples;
  const dataPath = join(dir, 'x.npy');
  const labelsPath = join(dir, 'y.npy');
  writeFileSync(dataPath, encodeNpy(digits.examples));
  writeFileSync(labelsPath, encodeNpy({ data: Float32Array.from(digits.labels), rows, cols: 1 }));

  const python = pythonWith(opts.python ?? process.env.BOLTZMANN_PYTHON, ['numpy', 'torch']);
  const peers = [
    { name: 'torch', threads: availableParallelism() },
    { name: 'torch-1t', threads: 1 },
  ];
  const times = new Map([['boltzmann', []], ['boltzmann-1t', []], ...peers.map((p) => [p.name, []])]);
  const skipped = new Map();
  if (python.path === undefined) for (const p of peers) skipped.set(p.name, python.why);

  const ours = [await oursSetup(digits, availableParallelism()), await oursSetup(digits, 1)];
  log(`MLP ${SIZES.join('-')} (sigmoid), batch ${BATCH}, SGD lr ${lr}: ${warmup} warm-up + ${steps} timed steps per run, ${repeats} runs per contender`);
  for (let r = 0; r < repeats; r++) {
    for (const [k, name] of ['boltzmann', 'boltzmann-1t'].entries()) {
      waitForIdle(waitIdle);
      const ms = await ours[k].time();
      times.get(name).push(ms);
      log(`  run ${r + 1}/${repeats} ${name.padEnd(12)}  ${ms.toFixed(2)} ms/step`);
    }
    for (const p of peers) {
      if (skipped.has(p.name)) continue;
      const args = [join(here, 'peers', 'torch_mlp.py'), '--data', dataPath, '--labels', labelsPath, '--sizes', SIZES.join(','), '--batch', String(BATCH), '--steps', String(steps), '--warmup', String(warmup), '--lr', String(lr), '--threads', String(p.threads)];
      waitForIdle(waitIdle);
      const result = spawnSync(python.path, args, { encoding: 'utf8' });
      if (result.status !== 0) fail(`${p.name}: ${python.path} failed: ${result.stderr.trim().split('\n').pop()}`);
      const out = JSON.parse(result.stdout.trim().split('\n').pop());
      if (out.skipped !== undefined) {
        skipped.set(p.name, out.skipped);
        log(`  ${p.name}: skipped: ${out.skipped}`);
        continue;
      }
      times.get(p.name).push(out.msPerStep);
      log(`  run ${r + 1}/${repeats} ${p.name.padEnd(12)}  ${out.msPerStep.toFixed(2)} ms/step  (torch ${out.torch}, ${out.threads} threads)`);
    }
  }
  for (const o of ours) await o.dispose();

  const medians = Object.fromEntries([...times].filter(([, t]) => t.length > 0).map(([name, t]) => [name, median(t)]));
  const best = Object.fromEntries([...times].filter(([, t]) => t.length > 0).map(([name, t]) => [name, Math.min(...t)]));
  const ratios = Object.fromEntries(Object.entries(medians).filter(([name]) => name !== 'boltzmann').map(([name, ms]) => [name, ms / medians.boltzmann]));
  if (opts.json) {
    console.log(JSON.stringify({ sizes: SIZES, batch: BATCH, steps, repeats, msPerStep: medians, bestMsPerStep: best, speedRatio: ratios, skipped: Object.fromEntries(skipped) }));
    return;
  }
  console.log(`\nMLP ${SIZES.join('-')}, batch ${BATCH}, one SGD step (median of ${repeats} runs of ${steps} steps)`);
  console.log('contender      ms/step (median)   best   boltzmann (all cores) faster by');
  for (const [name, ms] of Object.entries(medians)) {
    console.log(`${name.padEnd(13)} ${ms.toFixed(2).padStart(7)}          ${best[name].toFixed(2).padStart(6)}   ${name === 'boltzmann' ? '' : `${ratios[name].toFixed(2)}x`}`);
  }
  for (const [name, why] of skipped) console.log(`${name}: skipped (${why})`);
}

/** Our step: the graph of buildClassifierStep, fed all the examples once and the rows of consecutive minibatches by cycling. */
async function oursSetup(digits, threads) {
  const engine = createNodeEngine({ threads });
  const mlp = Mlp.create(engine, { sizes: SIZES, activation: 'sigmoid', seed: 1 });
  const { graph, state: optimizerState } = buildClassifierStep(mlp.layers, digits.examples.rows, BATCH, { optimizer: 'sgd', momentum: 0 });
  const program = await engine.compile(graph);
  const state = new PingPongState(engine, [
    ...mlp.layers.flatMap((l, i) => [
      { name: layerNames(i).weights, dims: [l.nIn, l.nOut], initial: l.weights },
      { name: layerNames(i).bias, dims: [l.nOut], initial: l.bias },
    ]),
    ...optimizerState.map((s) => ({ name: s.name, dims: s.dims, initial: s.fill })),
  ]);
  const { rows } = digits.examples;
  const classes = SIZES[SIZES.length - 1];
  const onehot = new Float32Array(rows * classes);
  digits.labels.forEach((y, r) => (onehot[r * classes + y] = 1));
  const minibatches = new MinibatchRows(engine, BATCH, { [classifierStepNames.x]: digits.examples, [classifierStepNames.targets]: matrix(onehot, rows, classes) });
  const feeds = { ...minibatches.feeds, learning_rate: engine.scalar(lr) };
  const order = Array.from({ length: rows }, (_, r) => r);
  let i = 0;
  const step = () => {
    minibatches.select(order, i++ % minibatches.count);
    return state.step(program, feeds);
  };
  return {
    async time() {
      for (let s = 0; s < warmup; s++) await step();
      const start = performance.now();
      for (let s = 0; s < steps; s++) await step();
      return (performance.now() - start) / steps;
    },
    dispose: () => engine.dispose(),
  };
}

function fail(message) {
  process.stderr.write(`bench/mlp: ${message}\n`);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}

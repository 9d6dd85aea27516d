// AIS speed (issue 3): `npm run bench:ais` (builds first), or
//
//   node bench/ais.mjs [--repeats 3] [--numpy-steps 1000] [--blocks 1,10,25,50,100] [--sweep-steps 1000]
//                      [--raise-examples 50] [--python /usr/bin/python3] [--wait-idle 30] [--json]
//
// The task: log Z of a 784 x 500 Bernoulli RBM by AIS with 100 runs and the standard 14,500-temperature schedule
// (Salakhutdinov & Murray 2008), base-rate model fitted to the data. The model is trained for one epoch (CD-1)
// on the bundled MNIST digits binarised at 0.5, so that its weights look like a trained model's; it and the
// base-rate biases go to a temporary .safetensors and .npy that the numpy peer reads.
//
// Contenders, timed alternately (round robin) `--repeats` times, the median reported:
//   boltzmann  annealedImportanceSampling: one ONNX graph per block of temperatures, all cores, float32 graphs,
//              log-weights summed in float64 in JS (in this process; the graphs are compiled in each run)
//   numpy      bench/peers/numpy_ais.py: the same loop in plain numpy, float32 matrices and sampling, float64
//              log-weights, OpenBLAS with its default threads
//   numpy-f64  the same in float64, what a direct port of the MATLAB original (RBM_AIS.m) computes
// The numpy runs do only the first `--numpy-steps` temperature steps and their time is extrapolated linearly
// to 14,500 (the work per step does not depend on the temperature); `--numpy-steps 14500` runs them whole.
// Also measured: the time per step for several temperatures per graph run (`--blocks`, on a `--sweep-steps`
// schedule, graph compilation included), and reverse AIS (RAISE) on `--raise-examples` test digits with 10
// chains each over the whole schedule (eval's defaults): its time per example.
//
// The machine may be shared: before each timed run the bench waits (up to --wait-idle seconds) for the CPUs to be
// nearly idle, and reports `others`, the CPU time other processes used during each run as a share of all cores.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuTicks, median, othersShare, pct, positiveInt, printHelpAndExit, pythonWith, waitForIdle } from './lib/common.mjs';
import {
  RBM,
  annealedImportanceSampling,
  baseRateBiases,
  binarize,
  createNodeEngine,
  encodeNpy,
  fit,
  loadBundledDigits,
  reverseAnnealedImportanceSampling,
  saveModel,
  standardSchedule,
} from '../dist/index.js';
import { DEFAULT_BLOCK_SIZE } from '../dist/estimators/annealing.js';

const here = dirname(fileURLToPath(import.meta.url));
const STEPS = 14_500;
const CHAINS = 100;
const HIDDEN = 500;

const { values: opts } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    'numpy-steps': { type: 'string', default: '1000' },
    blocks: { type: 'string', default: '1,10,25,50,100' },
    'sweep-steps': { type: 'string', default: '1000' },
    'raise-examples': { type: 'string', default: '50' },
    python: { type: 'string' },
    'wait-idle': { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) printHelpAndExit(import.meta.url);
const repeats = positiveInt('repeats', opts.repeats);
const numpySteps = Math.min(STEPS, positiveInt('numpy-steps', opts['numpy-steps']));
const blocks = opts.blocks.split(',').map((s) => positiveInt('blocks', s.trim()));
const sweepSteps = positiveInt('sweep-steps', opts['sweep-steps']);
const raiseExamples = positiveInt('raise-examples', opts['raise-examples'], 0);
const waitIdle = positiveInt('wait-idle', opts['wait-idle'], 0);
const log = (line) => process.stderr.write(line + '\n');

const dir = mkdtempSync(join(tmpdir(), 'boltzmann-bench-ais-'));
try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function main() {
  const engine = createNodeEngine();
  const train = binarize(loadBundledDigits('train'), { kind: 'threshold', threshold: 0.5 });
  const test = binarize(loadBundledDigits('test'), { kind: 'threshold', threshold: 0.5 });
  const rbm = RBM.create(engine, { nVisible: train.examples.cols, nHidden: HIDDEN, seed: 1 });
  log(`training a ${rbm.nVisible} x ${HIDDEN} RBM for one epoch (CD-1) on ${train.examples.rows} bundled digits ...`);
  await fit(rbm, train.examples, { epochs: 1, sampler: 'cd', k: 1, seed: 1 });
  const baseBias = baseRateBiases(train.examples);
  const modelPath = join(dir, 'model.safetensors');
  const biasPath = join(dir, 'base-bias.npy');
  await saveModel(modelPath, rbm);
  writeFileSync(biasPath, encodeNpy({ data: baseBias, rows: 1, cols: baseBias.length }));

  const python = pythonWith(process.env.BOLTZMANN_PYTHON ?? opts.python, ['numpy']);
  const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model, loadAverage1m: [loadavg()[0]] };

  // Temperatures per graph run.
  const sweep = [];
  const sweepSchedule = standardSchedule(sweepSteps);
  for (const blockSize of blocks) {
    await annealedImportanceSampling(rbm, { chains: CHAINS, betas: standardSchedule(2 * blockSize), baseRate: baseBias, blockSize }); // warm-up
    waitForIdle(waitIdle);
    const m = await measure(() => annealedImportanceSampling(rbm, { chains: CHAINS, betas: sweepSchedule, baseRate: baseBias, blockSize }));
    sweep.push({ blockSize, msPerStep: (1000 * m.seconds) / sweepSteps, others: m.others });
    log(`  block ${String(blockSize).padStart(3)}: ${((1000 * m.seconds) / sweepSteps).toFixed(3)} ms per temperature step  others ${pct(m.others)}`);
  }

  const ours = [];
  const peers = { numpy: { dtype: 'float32', runs: [] }, 'numpy-f64': { dtype: 'float64', runs: [] } };
  const skipped = {};
  if (python.path === undefined) for (const name of Object.keys(peers)) skipped[name] = python.why;
  for (let r = 0; r < repeats; r++) {
    waitForIdle(waitIdle);
    const m = await measure(() => annealedImportanceSampling(rbm, { chains: CHAINS, baseRate: baseBias, seed: r }));
    ours.push({ seconds: m.seconds, logZ: m.value.logZ, logZStdErr: m.value.logZStdErr, others: m.others });
    log(`  run ${r + 1}/${repeats} boltzmann ${m.seconds.toFixed(1)} s  log Z ${m.value.logZ.toFixed(2)} +- ${m.value.logZStdErr.toFixed(2)}  others ${pct(m.others)}`);
    for (const [name, peer] of Object.entries(peers)) {
      if (skipped[name] !== undefined) continue;
      waitForIdle(waitIdle);
      const before = cpuTicks();
      const args = [join(here, 'peers', 'numpy_ais.py'), '--model', modelPath, '--base-bias', biasPath, '--chains', String(CHAINS), '--steps', String(numpySteps), '--seed', String(r), '--dtype', peer.dtype];
      const child = spawnSync(python.path, args, { encoding: 'utf8', timeout: 3_600_000 });
      const after = cpuTicks();
      const last = (child.stdout ?? '').trim().split('\n').at(-1);
      if (child.status !== 0 || !last) {
        skipped[name] = `numpy_ais.py failed: ${child.error?.message ?? child.stderr.trim().split('\n').at(-1)}`;
        log(`  ${name}: skipped: ${skipped[name]}`);
        continue;
      }
      const result = JSON.parse(last);
      const seconds = (result.seconds * STEPS) / result.steps;
      peer.version = result.numpy;
      peer.runs.push({ seconds, measuredSeconds: result.seconds, steps: result.steps, logZ: result.logZ ?? null, others: othersShare(before, after, result.cpuSeconds) });
      log(`  run ${r + 1}/${repeats} ${name.padEnd(9)} ${seconds.toFixed(1)} s${result.steps < STEPS ? ` (${result.seconds.toFixed(1)} s for ${result.steps} steps, extrapolated)` : ''}  others ${pct(peer.runs.at(-1).others)}`);
    }
    machine.loadAverage1m.push(loadavg()[0]);
  }

  let raise = null;
  if (raiseExamples > 0) {
    waitForIdle(waitIdle);
    const m = await measure(() => reverseAnnealedImportanceSampling(rbm, test.examples, { examples: raiseExamples, chainsPerExample: 10, baseRate: baseBias }));
    raise = { examples: raiseExamples, chainsPerExample: 10, seconds: m.seconds, secondsPerExample: m.seconds / raiseExamples, logLikelihood: m.value.logLikelihood, stdErr: m.value.stdErr, others: m.others };
    log(`  reverse AIS: ${raiseExamples} examples x 10 chains in ${m.seconds.toFixed(1)} s  others ${pct(m.others)}`);
  }
  await engine.dispose();

  const oursMedian = median(ours.map((x) => x.seconds));
  const peerResults = Object.entries(peers)
    .filter(([, peer]) => peer.runs.length > 0)
    .map(([name, peer]) => {
      const seconds = median(peer.runs.map((x) => x.seconds));
      return { name, dtype: peer.dtype, numpy: peer.version, seconds, msPerStep: (1000 * seconds) / STEPS, peerOverOurs: seconds / oursMedian, runs: peer.runs };
    });
  const report = {
    task: { model: `${rbm.nVisible}x${HIDDEN} Bernoulli RBM (1 epoch CD-1 on the bundled digits)`, chains: CHAINS, steps: STEPS, repeats, numpySteps },
    machine,
    python: python.path ?? null,
    boltzmann: { seconds: oursMedian, msPerStep: (1000 * oursMedian) / STEPS, blockSize: DEFAULT_BLOCK_SIZE, runs: ours },
    peers: peerResults,
    blockSweep: { steps: sweepSteps, results: sweep },
    reverseAis: raise,
    skipped,
  };
  if (opts.json) {
    console.log(JSON.stringify(report));
    return;
  }
  console.log(`\nAIS, ${report.task.model}: ${CHAINS} runs x ${STEPS} temperatures, median of ${repeats}; ${machine.cores} cores, ${machine.cpu}`);
  console.log(`1-minute load average during the bench: ${machine.loadAverage1m.map((x) => x.toFixed(2)).join(', ')}\n`);
  console.log('| contender | seconds (median) | ms per step | runs (s) | others (max) | this / boltzmann |');
  console.log('| --- | ---: | ---: | --- | ---: | ---: |');
  const line = (name, s, runs) => console.log(`| ${name} | ${s.toFixed(1)} | ${((1000 * s) / STEPS).toFixed(2)} | ${runs.map((x) => x.seconds.toFixed(1)).join(' ')} | ${pct(Math.max(...runs.map((x) => x.others ?? NaN)))} | ${(s / oursMedian).toFixed(2)}x |`);
  line(`boltzmann (${DEFAULT_BLOCK_SIZE} temperatures per graph run)`, oursMedian, ours);
  for (const p of peerResults) line(`${p.name} ${p.numpy} (${p.dtype}${numpySteps < STEPS ? `, ${numpySteps} steps extrapolated` : ''})`, p.seconds, p.runs);
  console.log('');
  const fastest = peerResults.reduce((best, p) => (best === undefined || p.seconds < best.seconds ? p : best), undefined);
  if (fastest !== undefined) console.log(`fastest peer (${fastest.name}) / boltzmann: ${fastest.peerOverOurs.toFixed(2)}x (issue 3 target: at least 2x)`);
  for (const [name, why] of Object.entries(report.skipped)) console.log(`skipped ${name}: ${why}`);
  console.log(`log Z (boltzmann runs): ${ours.map((x) => `${x.logZ.toFixed(2)} +- ${x.logZStdErr.toFixed(2)}`).join(', ')}`);
  console.log(`\ntemperatures per graph run (${sweepSteps}-step schedule): ${sweep.map((x) => `${x.blockSize}: ${x.msPerStep.toFixed(3)} ms/step`).join(', ')}`);
  if (raise !== null) {
    console.log(`reverse AIS: ${raise.examples} test digits x ${raise.chainsPerExample} chains x ${STEPS} temperatures: ${raise.seconds.toFixed(1)} s, ${raise.secondsPerExample.toFixed(2)} s per example (log-likelihood ${raise.logLikelihood.toFixed(2)} +- ${raise.stdErr.toFixed(2)})`);
  }
  console.log('others: CPU time of other processes during a run, as a share of all cores (0% = the machine was ours).');
}

/** Time one call; `others` as in cpuTicks/othersShare, counting this process's own CPU time out. */
async function measure(f) {
  const before = cpuTicks();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await f();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { value, seconds, others: othersShare(before, cpuTicks(), (used.user + used.system) / 1e6) };
}

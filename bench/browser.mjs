// CD-1 in the browser (issue 7): the viewer's "train in the browser" panel, driven in Debian's headless
// Chromium, on onnxruntime-web. `npm run bench:browser` (builds first), or
//
//   node bench/browser.mjs [--epochs 6] [--examples 2000] [--hidden 500] [--webgpu] [--json]
//
// The task: a fresh 784 x `--hidden` Bernoulli RBM trained by the library's `fit` (sampler cd, k 1,
// minibatches of 100) on the first `--examples` bundled training digits, binarised, for `--epochs` epochs, in
// the page served by `boltzmann view` (cross-origin isolated: WASM threads, as many as the machine's cores up
// to 4). With --webgpu, Chromium gets a WebGPU adapter (SwiftShader's, on the CPU, when there is no GPU) and
// the panel trains on the WebGPU backend. Reported: fit's samples/s of each epoch (the steps only, not the
// end-of-epoch monitor) and their median over the epochs after the first (the first includes warm-up).
/* global document -- page functions run in Chromium */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, hasChromium, CHROMIUM } from './lib/chromium.mjs';
import { median, positiveInt, printHelpAndExit } from './lib/common.mjs';
import { createNodeEngine, RBM, saveModel } from '../dist/index.js';
import { startViewServer } from '../dist/cli/view-server.js';

const { values: opts } = parseArgs({
  options: {
    epochs: { type: 'string', default: '6' },
    examples: { type: 'string', default: '2000' },
    hidden: { type: 'string', default: '500' },
    webgpu: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) printHelpAndExit(import.meta.url);
const epochs = positiveInt('epochs', opts.epochs, 2);
const examples = positiveInt('examples', opts.examples, 100);
const hidden = positiveInt('hidden', opts.hidden);
if (!hasChromium) {
  process.stderr.write(`bench: no ${CHROMIUM} (apt-get install chromium)\n`);
  process.exit(1);
}

// The page shows a run before it trains: a small untrained model is enough.
const runDir = mkdtempSync(join(tmpdir(), 'boltzmann-bench-browser-'));
const server = await (async () => {
  await saveModel(join(runDir, 'model.safetensors'), RBM.create(createNodeEngine({ threads: 1 }), { nVisible: 784, nHidden: 16 }));
  return startViewServer({ runDir, port: 0, host: '127.0.0.1' });
})();
const browser = await launchChromium({ webgpu: opts.webgpu });
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.error !== undefined);
  const error = await page.evaluate(() => document.body.dataset.error);
  if (error !== undefined) throw new Error(`the page failed: ${error}`);
  const engine = await page.textContent('#engine-info');
  if (opts.webgpu && !engine.includes('WebGPU available')) throw new Error(`no WebGPU adapter in this Chromium (${engine})`);
  for (const [name, value] of [['hidden', hidden], ['examples', examples], ['epochs', epochs], ['batch', 100]]) await page.fill(`input[name=${name}]`, String(value));
  await page.selectOption('select[name=backend]', opts.webgpu ? 'webgpu' : 'wasm');
  await page.click('#train-start');
  await page.waitForFunction(() => {
    const status = document.getElementById('train-status');
    return status.dataset.done === 'true' || status.textContent.startsWith('failed');
  }, null, { timeout: 0 });
  const status = await page.textContent('#train-status');
  if (status.startsWith('failed')) throw new Error(`training in the page ${status}`);
  const perEpoch = await page.$$eval('#train-log tbody tr', (rows) => rows.map((r) => Number(r.cells[3].textContent)));
  const result = {
    chromium: browser.version(),
    engine,
    backend: opts.webgpu ? 'webgpu' : 'wasm',
    model: `784x${hidden}`,
    examples,
    batchSize: 100,
    samplesPerSecond: perEpoch,
    median: median(perEpoch.slice(1)),
  };
  if (opts.json) console.log(JSON.stringify(result));
  else {
    console.log(`Chromium ${result.chromium}; ${engine}; backend ${result.backend}`);
    console.log(`CD-1, ${result.model}, batch 100, ${examples} digits: samples/s per epoch ${perEpoch.join(' ')}`);
    console.log(`median after the first epoch: ${Math.round(result.median)} samples/s`);
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(runDir, { recursive: true, force: true });
}

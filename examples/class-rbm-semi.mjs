#!/usr/bin/env node
// Semi-supervised classification RBMs on the bundled digits: the first N training digits keep their labels,
// and a 784-500 classification RBM is trained (hybrid, alpha A) twice from the same start, on those N alone,
// and on them with the other 9,003 - N digits unlabelled (their generative term, -log p(x)); both for the same
// number of updates, with the settings of examples/class-rbm.sh (CD-1, SGD, learning rate 0.05 decaying
// linearly, momentum 0.9, weight decay 2e-4, batch 100). Prints the test error on the 997 held-out digits.
// Usage: npm run build && node examples/class-rbm-semi.mjs [N=1000] [ALPHA=0.1] [UPDATES=4500]
import { binarize, ClassRBM, classification, createNodeEngine, fitClassRbm, loadBundledDigits, sliceRows, UNLABELLED } from '../dist/index.js';

const [n = 1000, alpha = 0.1, updates = 4500] = process.argv.slice(2).map(Number);
const engine = createNodeEngine();
const binarization = { kind: 'stochastic', seed: 0 };
const train = binarize(loadBundledDigits('train'), binarization);
const test = binarize(loadBundledDigits('test'), binarization);
const heldOut = { examples: test.examples, labels: test.labels };
const settings = { objective: 'hybrid', alpha, sampler: 'cd', momentum: 0.9, weightDecay: 2e-4, learningRate: 0.05, batchSize: 100, seed: 1 };

const runs = {
  [`${n} labelled`]: { examples: sliceRows(train.examples, 0, n), labels: train.labels.slice(0, n) },
  [`${n} labelled + ${train.examples.rows - n} unlabelled`]: { examples: train.examples, labels: train.labels.map((y, r) => (r < n ? y : UNLABELLED)) },
};
for (const [name, rows] of Object.entries(runs)) {
  const model = ClassRBM.create(engine, { nVisible: 784, nHidden: 500, nClasses: 10, seed: 1 });
  const epochs = Math.round(updates / Math.floor(rows.examples.rows / settings.batchSize));
  const started = performance.now();
  await fitClassRbm(model, rows, { ...settings, epochs });
  const { error } = await classification(model, heldOut);
  console.log(`${name}: ${epochs} epochs, test error ${(100 * error).toFixed(2)}% (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
await engine.dispose();

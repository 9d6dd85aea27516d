#!/usr/bin/env node
// Exact held-out log-likelihood of a Gaussian-Bernoulli RBM with few hidden units (log Z by enumerating the hidden
// layer, at most 25 units), as a density of the raw data: log p(x) = log p(z) - sum_j log s_j, z = (x - mean) / s
// the standardisation recorded in the model file. The baseline: independent Gaussians per feature fitted to the
// standardised training data (the RBM with W = 0 at its maximum likelihood).
// Usage: npm run build && node examples/gaussian-likelihood.mjs MODEL TRAIN_SPEC TEST_SPEC
import { createNodeEngine, exactLogLikelihood, loadDataSpec, loadRbm } from '../dist/index.js';
import { standardize } from '../dist/data/standardize.js';
import { modelStandardization } from '../dist/cli/data-option.js';

const [modelPath, trainSpec, testSpec] = process.argv.slice(2);
const engine = createNodeEngine();
const { rbm, metadata } = await loadRbm(engine, modelPath);
const stats = modelStandardization(metadata, rbm.nVisible, modelPath);
if (stats === undefined) throw new Error(`${modelPath}: not trained on standardised data`);
const logScale = stats.std.reduce((acc, s) => acc + Math.log(s > 0 ? s : 1), 0);
const test = standardize(loadDataSpec(testSpec), stats).examples;
const { logZ, logLikelihood } = await exactLogLikelihood(rbm, test);
const sigma = Array.from(rbm.params.visibleLogStd, Math.exp).sort((a, b) => a - b);
const quantile = (q) => sigma[Math.floor(q * (sigma.length - 1))];

// Baseline: z_j ~ N(0, v_j) independently, v_j the training data's mean of z_j^2 (1 unless the std was floored);
// constant features (v_j = 0) have z = 0 and are left out, as the RBM's density leaves nothing there either.
const train = standardize(loadDataSpec(trainSpec), stats).examples;
const variance = new Float64Array(train.cols);
for (let i = 0; i < train.data.length; i++) variance[i % train.cols] += train.data[i] ** 2 / train.rows;
let independent = 0;
for (let i = 0; i < test.data.length; i++) {
  const v = variance[i % test.cols];
  if (v > 0) independent += -0.5 * test.data[i] ** 2 / v - 0.5 * Math.log(2 * Math.PI * v);
}
independent /= test.rows;

console.log(JSON.stringify({
  model: modelPath,
  test: testSpec,
  examples: test.rows,
  logZ,
  // nats per example: densities of the standardised data z and of the raw data x
  logLikelihoodStandardized: logLikelihood,
  logLikelihoodRaw: logLikelihood - logScale,
  independentGaussiansStandardized: independent,
  independentGaussiansRaw: independent - logScale,
  learnedStd: { min: sigma[0], q10: quantile(0.1), median: quantile(0.5), q90: quantile(0.9), max: sigma.at(-1) },
}));

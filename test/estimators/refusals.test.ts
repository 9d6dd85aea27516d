/** What the estimators refuse, and the messages that say why (each names the estimator and the bad value). */
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { annealedImportanceSampling } from '../../src/estimators/ais.js';
import { baseRateBiases, checkAnnealable, resolveSchedule, standardSchedule } from '../../src/estimators/annealing.js';
import { dbnLogLikelihoodBound } from '../../src/estimators/dbn-bound.js';
import { pseudoLikelihoodGraph } from '../../src/estimators/pseudo-likelihood.js';
import { reverseAnnealedImportanceSampling } from '../../src/estimators/reverse-ais.js';
import { DBN } from '../../src/models/dbn.js';
import { RBM } from '../../src/models/rbm.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

const rbm = RBM.create(engine, { nVisible: 3, nHidden: 2, seed: 1 });
const gaussian = RBM.create(engine, { nVisible: 3, nHidden: 2, visible: 'gaussian', seed: 1 });
const rows = matrix(Float32Array.from([0, 1, 0, 1, 0, 1]), 2, 3);

describe('annealing', () => {
  it('schedules: a count of at least 1; explicit betas from 0 to 1, strictly increasing, two at least', () => {
    expect(() => standardSchedule(0)).toThrow(new UserError('betas: expected a positive integer number of temperatures, got 0'));
    expect(Array.from(resolveSchedule([0, 1]))).toEqual([0, 1]);
    for (const bad of [[0.1, 1], [0, 0.9], [0, 0.5, 0.5, 1], [1]]) expect(() => resolveSchedule(bad), String(bad)).toThrow(new UserError('betas: a schedule must increase strictly from 0 to 1'));
  });

  it('the base rate needs examples and a positive smoothing', () => {
    expect(() => baseRateBiases(matrix(new Float32Array(0), 0, 3))).toThrow(new UserError('base rate: the data has no examples'));
    expect(() => baseRateBiases(rows, 0)).toThrow(new UserError('base rate: smoothing must be > 0, got 0'));
  });

  it('needs Bernoulli units on both sides', () => {
    expect(() => checkAnnealable(gaussian, 'AIS')).toThrow(new UserError('AIS: needs Bernoulli visible and hidden units, the model has gaussian and bernoulli'));
    expect(() => checkAnnealable(rbm, 'AIS')).not.toThrow();
  });

  it('AIS: chains a positive integer', async () => {
    await expect(annealedImportanceSampling(rbm, { chains: 0, betas: 10 })).rejects.toThrow(new UserError('AIS: chains must be a positive integer, got 0'));
  });

  it('both directions: the temperatures per graph run a positive integer', async () => {
    await expect(annealedImportanceSampling(rbm, { blockSize: 0, betas: 10 })).rejects.toThrow(new UserError('anneal: blockSize must be a positive integer, got 0'));
    await expect(reverseAnnealedImportanceSampling(rbm, rows, { blockSize: 2.5, betas: 10 })).rejects.toThrow(new UserError('anneal: blockSize must be a positive integer, got 2.5'));
  });

  it('reverse AIS: examples and chains per example positive integers', async () => {
    await expect(reverseAnnealedImportanceSampling(rbm, rows, { examples: 0, betas: 10 })).rejects.toThrow(new UserError('reverse AIS: examples must be a positive integer, got 0'));
    await expect(reverseAnnealedImportanceSampling(rbm, rows, { chainsPerExample: 1.5, betas: 10 })).rejects.toThrow(
      new UserError('reverse AIS: chainsPerExample must be a positive integer, got 1.5'),
    );
  });
});

it('pseudo-log-likelihood: Bernoulli visible units only', () => {
  expect(() => pseudoLikelihoodGraph(gaussian)).toThrow(new Error('pseudo-log-likelihood: only Bernoulli visible units so far'));
  expect(() => pseudoLikelihoodGraph(rbm)).not.toThrow();
});

it("the DBN's bound: samples a positive integer", async () => {
  const dbn = DBN.create(engine, { sizes: [3, 2, 2], seed: 1 });
  for (const samples of [0, 1.5, -1]) {
    await expect(dbnLogLikelihoodBound(dbn, rows, { samples, topLogZ: 0 })).rejects.toThrow(new RangeError(`samples must be a positive integer, got ${samples}`));
  }
  await expect(dbnLogLikelihoodBound(dbn, rows, { samples: 1, topLogZ: 0 })).resolves.toMatchObject({ samples: 1, stdErr: Infinity });
});

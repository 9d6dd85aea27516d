/** The training options' checks at their boundaries (exact messages) and the schedules and defaults they compute. */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { MAX_VALUES } from '../../src/models/limits.js';
import { ADAM_LEARNING_RATE, checkFitOptions, checkSamplerChains, defaultFitOptions, defaultLearningRate, kAt, scheduleAt, type FitOptions } from '../../src/training/options.js';
import { bernoulli, gaussian } from '../../src/units/index.js';

const d = defaultFitOptions;
/** checkFitOptions of the defaults with `change`, on as many examples as a default batch. */
const check = (change: Partial<FitOptions>): void => checkFitOptions({ ...d, ...change }, d.batchSize);
/** Expects check(change) to throw a UserError with exactly `message`. */
function refused(change: Partial<FitOptions>, message: string): void {
  let error: unknown;
  try {
    check(change);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).toBe(message);
}

describe('checkFitOptions at the boundaries', () => {
  it('accepts the defaults', () => {
    expect(() => check({})).not.toThrow();
  });

  it('temperatures: integers from 2', () => {
    expect(() => check({ temperatures: 2 })).not.toThrow();
    refused({ temperatures: 1 }, 'temperatures must be an integer >= 2, got 1');
    refused({ temperatures: 2.5 }, 'temperatures must be an integer >= 2, got 2.5');
    refused({ temperatures: NaN }, 'temperatures must be an integer >= 2, got NaN');
    refused({ temperatures: Infinity }, 'temperatures must be an integer >= 2, got Infinity');
  });

  it('initialEpoch: integers from 0 to epochs', () => {
    expect(() => check({ epochs: 3, initialEpoch: 0 })).not.toThrow();
    expect(() => check({ epochs: 3, initialEpoch: 3 })).not.toThrow();
    refused({ epochs: 3, initialEpoch: 4 }, 'initialEpoch must be an integer from 0 to epochs (3), got 4');
    refused({ epochs: 3, initialEpoch: -1 }, 'initialEpoch must be an integer from 0 to epochs (3), got -1');
    refused({ epochs: 3, initialEpoch: 1.5 }, 'initialEpoch must be an integer from 0 to epochs (3), got 1.5');
    refused({ epochs: 3, initialEpoch: NaN }, 'initialEpoch must be an integer from 0 to epochs (3), got NaN');
    refused({ epochs: 3, initialEpoch: Infinity }, 'initialEpoch must be an integer from 0 to epochs (3), got Infinity');
  });

  it('non-negative numbers: 0 accepted; negatives, NaN and Infinity refused', () => {
    expect(() => check({ learningRate: 0, weightDecay: 0, l1: 0 })).not.toThrow();
    refused({ learningRate: -0.1 }, 'learningRate must be a finite number >= 0, got -0.1');
    refused({ learningRate: NaN }, 'learningRate must be a finite number >= 0, got NaN');
    refused({ learningRate: Infinity }, 'learningRate must be a finite number >= 0, got Infinity');
    refused({ weightDecay: -1e-4 }, 'weightDecay must be a finite number >= 0, got -0.0001');
    refused({ maxNorm: Infinity }, 'maxNorm must be a finite number >= 0, got Infinity');
  });

  it('fractions (fastDecay, sparsityTarget): 0 accepted, 1 refused', () => {
    expect(() => check({ fastDecay: 0 })).not.toThrow();
    expect(() => check({ sparsityTarget: 0 })).not.toThrow();
    expect(() => check({ fastDecay: 0.999, sparsityTarget: 0.999 })).not.toThrow();
    refused({ fastDecay: 1 }, 'fastDecay must be in [0, 1), got 1');
    refused({ fastDecay: -0.1 }, 'fastDecay must be in [0, 1), got -0.1');
    refused({ fastDecay: NaN }, 'fastDecay must be in [0, 1), got NaN');
    refused({ fastDecay: Infinity }, 'fastDecay must be in [0, 1), got Infinity');
    refused({ sparsityTarget: 1 }, 'sparsityTarget must be in [0, 1), got 1');
    refused({ sparsityTarget: -0.5 }, 'sparsityTarget must be in [0, 1), got -0.5');
  });

  it('optimizer: sgd or adam', () => {
    expect(() => check({ optimizer: 'adam' })).not.toThrow();
    refused({ optimizer: 'rmsprop' as 'sgd' }, 'optimizer must be sgd or adam, got rmsprop');
  });
});

describe('what the options compute', () => {
  it('scheduleAt switches from the initial to the final momentum at momentumSwitchEpoch', () => {
    const o: FitOptions = { ...d, learningRateSchedule: 'constant', momentumSwitchEpoch: 5, initialMomentum: 0.5, finalMomentum: 0.9 };
    expect(scheduleAt(o, 0)).toEqual({ learningRate: 0.05, momentum: 0.5 });
    expect(scheduleAt(o, 4)).toEqual({ learningRate: 0.05, momentum: 0.5 });
    expect(scheduleAt(o, 5)).toEqual({ learningRate: 0.05, momentum: 0.9 });
    expect(scheduleAt(o, 6)).toEqual({ learningRate: 0.05, momentum: 0.9 });
  });

  it('kAt keeps k when training has a single epoch, and goes from k to kFinal otherwise', () => {
    expect(kAt({ k: 2, kFinal: 5, epochs: 1 }, 0)).toBe(2);
    expect(kAt({ k: 2, kFinal: undefined, epochs: 4 }, 3)).toBe(2);
    expect(kAt({ k: 2, kFinal: 5, epochs: 4 }, 0)).toBe(2);
    expect(kAt({ k: 2, kFinal: 5, epochs: 4 }, 1)).toBe(3);
    expect(kAt({ k: 2, kFinal: 5, epochs: 4 }, 3)).toBe(5);
    expect(kAt({ k: 1, kFinal: 4, epochs: 2 }, 1)).toBe(4);
  });

  it('defaultLearningRate: Adam, the visible units own, or the default', () => {
    expect(defaultLearningRate('adam', undefined)).toBe(ADAM_LEARNING_RATE);
    expect(defaultLearningRate('adam', gaussian)).toBe(ADAM_LEARNING_RATE);
    expect(defaultLearningRate('adam', bernoulli)).toBe(0.001);
    expect(defaultLearningRate('sgd', gaussian)).toBe(0.001);
    expect(defaultLearningRate('sgd', bernoulli)).toBe(0.05);
    expect(defaultLearningRate('sgd', undefined)).toBe(0.05);
    expect(defaultLearningRate(undefined, undefined)).toBe(0.05);
    expect(defaultLearningRate('sgd', { ...bernoulli, learningRate: 0.2 })).toBe(0.2);
  });

  it('checkSamplerChains: none for cd, the chains for pcd, chains x temperatures for pt', () => {
    const units = 1024;
    const tooMany = MAX_VALUES / units + 1;
    expect(() => checkSamplerChains({ sampler: 'cd', chains: tooMany, temperatures: 10 }, units)).not.toThrow();
    expect(() => checkSamplerChains({ sampler: 'pcd', chains: tooMany - 1, temperatures: 10 }, units)).not.toThrow();
    expect(() => checkSamplerChains({ sampler: 'pcd', chains: tooMany, temperatures: 10 }, units)).toThrow(
      `chains ${tooMany}: ${tooMany} x ${units} = ${tooMany * units} values, more than the ${MAX_VALUES} (1 GiB) one array may hold`,
    );
    const chains = MAX_VALUES / units / 4;
    expect(() => checkSamplerChains({ sampler: 'pt', chains, temperatures: 4 }, units)).not.toThrow();
    expect(() => checkSamplerChains({ sampler: 'pt', chains, temperatures: 5 }, units)).toThrow(
      `chains ${chains} x temperatures 5: ${chains * 5} x ${units} = ${chains * 5 * units} values, more than the ${MAX_VALUES} (1 GiB) one array may hold`,
    );
  });
});

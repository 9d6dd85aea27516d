/**
 * The multi-prediction DBM's bound on log p(v) against brute-force enumeration of every (v, h, y) of a small
 * machine: log Z exact, and the bound below the exact log p(v) of every example but close to it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mpDbmLogLikelihood } from '../../src/estimators/mp-dbm-bound.js';
import { MpDBM } from '../../src/models/mp-dbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import { enumeratedLogMarginals } from '../reference/mp-dbm-exact.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('mpDbmLogLikelihood', () => {
  it('sums the label out exactly: log Z as enumeration gives it, the bound under log p(v) and within 0.5 nats of it', async () => {
    const model = MpDBM.create(engine, { sizes: [5, 4, 3], nClasses: 3, seed: 2, weightScale: 0.7 });
    const rng = new RandomStream(3);
    for (const b of [...model.dbm.params.biases, model.labels.labelBias]) b.forEach((_, i) => (b[i] = 0.6 * rng.normal()));
    const { logMarginal, logZ } = enumeratedLogMarginals(model);
    const states = [0, 3, 10, 17, 31];
    const data = matrix(Float32Array.from(states.flatMap((s) => Array.from({ length: 5 }, (_, i) => (s >> i) & 1))), states.length, 5);
    const r = await mpDbmLogLikelihood(model, data, { logZ: 'exact' });
    expect(r.logZ).toBeCloseTo(logZ, 4);
    expect([r.logZLow, r.logZHigh]).toEqual([r.logZ, r.logZ]);
    expect(r.logZFloor).toBeLessThanOrEqual(r.logZ + 1e-9);
    const exact = states.reduce((sum, s) => sum + logMarginal[s] - logZ, 0) / states.length;
    expect(r.bound).toBeLessThanOrEqual(exact + 1e-5);
    expect(r.bound).toBeGreaterThan(exact - 0.5);
    expect(r.classLogZ).toHaveLength(3);
  });
});

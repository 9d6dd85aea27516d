/**
 * logPartitionFloor against the exact log Z of a small RBM (float64 enumeration): below it for any states,
 * equal to it over all 2^nVisible states, and duplicated rows count once; from the hidden side, exactly the
 * mass of the hidden states it tries, which catches a mode the data never visits.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { logPartitionFloor } from '../../src/estimators/log-partition-floor.js';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
import { softplus } from '../../src/estimators/annealing.js';
import { exactLogZ } from '../reference/rbm-exact.js';
import { everyBinaryState } from '../helpers/random-data.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('logPartitionFloor', () => {
  const rng = new RandomStream(3);
  const rbm = RBM.create(engine, { nVisible: 6, nHidden: 4, seed: 2, weightScale: 1 });
  rbm.params.visibleBias.forEach((_, i, a) => (a[i] = rng.normal()));
  rbm.params.hiddenBias.forEach((_, i, a) => (a[i] = rng.normal()));
  const logZ = exactLogZ({ nVisible: 6, nHidden: 4, ...rbm.params });
  const all = everyBinaryState(6);

  it('over every state it is log Z; over some, below it; repeated rows count once', async () => {
    expect(await logPartitionFloor(rbm, all)).toBeCloseTo(logZ, 4);
    const some = matrix(all.data.slice(0, 10 * 6), 10, 6);
    const floor = await logPartitionFloor(rbm, some);
    expect(floor).toBeLessThan(logZ - 0.01);
    const twice = matrix(Float32Array.from([...some.data, ...some.data]), 20, 6);
    expect(await logPartitionFloor(rbm, twice)).toBeCloseTo(floor, 6);
  });

  it('is below log Z from any rows, whichever side gives it, for Bernoulli and spin units', async () => {
    for (const [visible, hidden] of [['bernoulli', 'bernoulli'], ['spin', 'spin'], ['bernoulli', 'spin']] as const) {
      for (let seed = 0; seed < 5; seed++) {
        const r = RBM.create(engine, { nVisible: 5, nHidden: 4, visible, hidden, seed, weightScale: 2 });
        const every = visible === 'spin' ? matrix(everyBinaryState(5).data.map((x) => 2 * x - 1), 32, 5) : everyBinaryState(5);
        const exact = await logPartitionFloor(r, every);
        const rows = matrix(every.data.slice(seed * 5, (seed + 3) * 5), 3, 5);
        expect(await logPartitionFloor(r, rows), `${visible}/${hidden} seed ${seed}`).toBeLessThanOrEqual(exact + 1e-4);
      }
    }
  });

  it('sees the mode of every hidden unit off, which the data never visits: its mass is prod_i (1 + e^{b_i})', async () => {
    // No weights: Z = prod_i (1 + e^{b_i}) prod_j (1 + e^{c_j}); the hidden states tried are all off, all on,
    // and the rows' most probable one, all off again (c < 0): the floor is sum_i softplus(b_i) + log(1 + e^{sum c}).
    const flat = RBM.create(engine, { nVisible: 6, nHidden: 3, weightScale: 0 });
    flat.params.visibleBias.fill(-0.1);
    flat.params.hiddenBias.set([-1, -2, -0.5]);
    const data = matrix(Float32Array.from({ length: 4 * 6 }, (_, k) => Number(k % 7 === 0)), 4, 6);
    const expected = 6 * softplus(-0.1) + Math.log1p(Math.exp(-3.5));
    expect(await logPartitionFloor(flat, data)).toBeCloseTo(expected, 5);
    const distinct = [...new Set(Array.from({ length: 4 }, (_, r) => data.data.subarray(r * 6, r * 6 + 6).join(',')))];
    const negF = Array.from(await flat.freeEnergy(matrix(Float32Array.from(distinct.flatMap((row) => row.split(',').map(Number))), distinct.length, 6)), (f) => -f);
    const fromData = Math.log(negF.reduce((sum, x) => sum + Math.exp(x), 0));
    expect(expected).toBeGreaterThan(fromData + 1);
  });
});

/**
 * logPartitionFloor against the exact log Z of a small RBM (float64 enumeration): below it for any states,
 * equal to it over all 2^nVisible states, and duplicated rows count once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { logPartitionFloor } from '../../src/estimators/log-partition-floor.js';
import { RBM } from '../../src/models/rbm.js';
import { RandomStream } from '../../src/random/stream.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix } from '../../src/tensor/matrix.js';
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
});

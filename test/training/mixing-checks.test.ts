/** chainDiagnostics: PT's swap rates averaged over an epoch's steps, next to the chains' mixing of the traced free energies. */
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/runtime/node.js';
import { samplerNames } from '../../src/samplers/negative-phase.js';
import { chainDiagnostics, chainMixing } from '../../src/training/mixing.js';

const engine = createNodeEngine({ threads: 1 });
afterAll(() => engine.dispose());

describe('chainDiagnostics', () => {
  it('averages PT\'s swap rates over the steps and traces the free energy of every chain', () => {
    const steps = 4;
    const rates = [[0.5, 1], [0.25, 0], [1, 0.5], [0, 0.75]];
    const energies = [[1, 3], [2, 2], [4, 1], [3, 5]];
    const d = chainDiagnostics({ sampler: 'pt', k: 1, chains: 2, temperatures: 3 }, steps);
    rates.forEach((r, t) =>
      d.onStep({ [samplerNames.swapRate]: engine.float32(Float32Array.from(r), [2]), [samplerNames.chainFreeEnergy]: engine.float32(Float32Array.from(energies[t]), [2]) }, t),
    );
    const record = d.record();
    expect(record.swapRates).toEqual([(0.5 + 0.25 + 1 + 0) / 4, (1 + 0 + 0.5 + 0.75) / 4]);
    expect(record.chainAutocorrelationTime).toBe(chainMixing(energies.flat(), steps, 2).autocorrelationTime);
  });
});

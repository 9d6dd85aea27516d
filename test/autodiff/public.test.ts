import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';

describe('the library entry point: gradients, optimisers, nn', () => {
  it('exports the autodiff, optimiser and nn pieces, and no training plumbing', () => {
    for (const name of ['gradients', 'stopGradient', 'addOptimizer', 'addMinimizer', 'Mlp', 'trainClassifier', 'softmaxCrossEntropy', 'saveMlp', 'loadMlp'] as const) {
      expect(typeof lib[name], name).toBe('function');
    }
    for (const name of ['PingPongState', 'MinibatchRows', 'buildStepGraph', 'buildClassifierStep', 'runEpochs']) expect(name in lib, name).toBe(false);
  });

  it('differentiates a graph built with the public Graph', async () => {
    const engine = lib.createNodeEngine({ threads: 1 });
    const g = new lib.Graph('public');
    const x = g.input('x', 'float32', [2]);
    const [grad] = lib.gradients(lib.softmaxCrossEntropy(lib.ops.unsqueeze(x, [0]), g.constant([1, 0], 'float32', [1, 2])), [x]);
    g.output('grad', grad);
    const out = await (await engine.compile(g)).run({ x: engine.float32(Float32Array.of(0, 0), [2]) });
    expect(Array.from(out.grad.data as Float32Array)).toEqual([-0.5, 0.5]);
    await engine.dispose();
  });
});

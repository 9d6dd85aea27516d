/**
 * Fantasy particles, live: the model's own Markov chains, continued frame after frame by `sample` from the
 * last frame's visible samples, and redrawn after every few steps.
 */
import { imagesPicture, type ImageShape } from '../src/io/pictures.js';
import type { GenerativeModel, ModelKind, Samples } from '../src/models/model.js';
import { showPicture } from './canvas.js';

export interface FantasyOptions {
  readonly chains: number;
  /** Markov chain steps (`sample`'s steps) between two pictures. */
  readonly stepsPerFrame: number;
}

/**
 * What one frame, `sample(chains, {start: last samples, steps})`, does for each kind (see its `sample`): the
 * page says it under the picture. An RBM's chains are plain block Gibbs chains carried on; a DBN's and a DBM's
 * carry only v from frame to frame, their hidden layers drawn again from v at the start of each frame.
 */
const CHAINS: Readonly<Record<ModelKind, (steps: number) => string>> = {
  rbm: (steps) => `block Gibbs chains v -> h -> v, ${steps} steps a frame; shown: E[v | h]`,
  dbn: (steps) =>
    `every frame, the last samples go up the lower RBMs (one draw of q(h | below) per layer), make ${steps} Gibbs steps in the top RBM and come down (a draw of p(h | above) per layer); shown: E[v | h_1]`,
  dbm: (steps) =>
    `every frame, the odd layers are drawn from the mean-field posterior of the last samples, then ${steps} block Gibbs steps (odd layers | even, even | odd); shown: E[v | h_1]`,
  'class-rbm': (steps) => `every frame, the classes are drawn afresh, then ${steps} block Gibbs steps of the joint chain, h | x, y then x, y | h; shown: E[x | h]`,
  'mp-dbm': (steps) => `every frame, the hidden layers and the label are drawn afresh from noise, then ${steps} block Gibbs steps of the whole chain (odd layers | even, even | odd); shown: E[v | h_1]`,
  'gated-rbm': (steps) => `each pair's output y continues its chain given the pair's input x, ${steps} block Gibbs steps a frame, h | x, y then y | x, h; shown: x above E[y | x, h]`,
};

/**
 * `chains` chains of `model` (in the browser, on the same graphs as in Node), their means E[v | rest] [chains,
 * nVisible] drawn on `canvas`, what the chain is in `caption` and the steps so far in `counter`. `pause` waits
 * for the running steps to end.
 */
export class FantasyChains {
  private paused = false;
  private resumed: () => void = () => undefined;
  private idle: Promise<void> = Promise.resolve();
  private steps = 0;

  constructor(
    private readonly model: GenerativeModel,
    private readonly shape: ImageShape,
    private readonly canvas: HTMLCanvasElement,
    caption: HTMLElement,
    private readonly counter: HTMLElement,
    private readonly options: FantasyOptions,
  ) {
    caption.textContent = CHAINS[model.kind](options.stepsPerFrame);
  }

  /** Start the chains from uniform noise and keep them running. */
  async run(): Promise<void> {
    const { chains, stepsPerFrame: steps } = this.options;
    let state: Samples = await this.model.sample(chains, { steps: 1, seed: 0 });
    for (let frame = 1; ; frame++) {
      if (this.paused) await new Promise<void>((resume) => (this.resumed = resume));
      let done: () => void = () => undefined;
      this.idle = new Promise((resolve) => (done = resolve));
      try {
        state = await this.model.sample(chains, { start: state.samples, steps, seed: frame });
        this.steps += steps;
        showPicture(this.canvas, imagesPicture(state.means, this.shape));
        this.counter.textContent = String(this.steps);
      } finally {
        done();
      }
      await new Promise((next) => requestAnimationFrame(next));
    }
  }

  /** Stop after the steps under way; resolves when they have ended. */
  pause(): Promise<void> {
    this.paused = true;
    return this.idle;
  }

  resume(): void {
    this.paused = false;
    this.resumed();
  }
}

/** Fantasy particles, live: Gibbs chains of the model from noise, redrawn after every few steps. */
import { imagesPicture, type ImageShape } from '../src/io/pictures.js';
import type { Samples } from '../src/models/model.js';
import type { RBM } from '../src/models/rbm.js';
import { showPicture } from './canvas.js';

export interface FantasyOptions {
  readonly chains: number;
  /** Gibbs steps v -> h -> v between two pictures. */
  readonly stepsPerFrame: number;
}

/**
 * `chains` block Gibbs chains run by `RBM.sample` (in the browser, on the same graphs as in Node), their means
 * E[v | h] drawn on `canvas` and the steps so far in `counter`. `pause` waits for the running steps to end.
 */
export class FantasyChains {
  private paused = false;
  private resumed: () => void = () => undefined;
  private idle: Promise<void> = Promise.resolve();
  private steps = 0;

  constructor(
    private readonly rbm: RBM,
    private readonly shape: ImageShape,
    private readonly canvas: HTMLCanvasElement,
    private readonly counter: HTMLElement,
    private readonly options: FantasyOptions,
  ) {}

  /** Start the chains from uniform noise and keep them running. */
  async run(): Promise<void> {
    let state: Samples = await this.rbm.sample(this.options.chains, { steps: 1, seed: 0 });
    for (let frame = 1; ; frame++) {
      if (this.paused) await new Promise<void>((resume) => (this.resumed = resume));
      let done: () => void = () => undefined;
      this.idle = new Promise((resolve) => (done = resolve));
      state = await this.rbm.gibbs(state.samples, { steps: this.options.stepsPerFrame, seed: frame });
      this.steps += this.options.stepsPerFrame;
      showPicture(this.canvas, imagesPicture(state.means, this.shape));
      this.counter.textContent = String(this.steps);
      done();
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

/** The model's answer to the pad: E[v_missing | v_observed] by `fillIn`, redrawn whenever the pad changes. */
import { imagesPicture, type ImageShape } from '../src/io/pictures.js';
import type { RBM } from '../src/models/rbm.js';
import { fillIn } from '../src/models/rbm-fill-in.js';
import { matrix } from '../src/tensor/matrix.js';
import { showPicture } from './canvas.js';
import type { DrawPad } from './draw-pad.js';

/** Clamped Gibbs steps per answer. */
const FILL_IN_STEPS = 50;

/**
 * Runs `fillIn` on the pad's units, one run at a time: changes made during a run start one more run after it.
 * `status` says how many answers were drawn, as `data-runs` too.
 */
export class FillInView {
  private running = false;
  private stale = false;
  private runs = 0;

  constructor(
    private readonly rbm: RBM,
    private readonly shape: ImageShape,
    private readonly canvas: HTMLCanvasElement,
    private readonly status: HTMLElement,
  ) {}

  /** Answer the pad as it is now (after the run under way, if any). */
  update(pad: DrawPad): void {
    if (this.running) {
      this.stale = true;
      return;
    }
    void this.answer(pad);
  }

  private async answer(pad: DrawPad): Promise<void> {
    this.running = true;
    this.status.textContent = 'sampling...';
    const n = this.rbm.nVisible;
    const { means } = await fillIn(this.rbm, matrix(pad.visible.slice(), 1, n), matrix(pad.observed.slice(), 1, n), {
      steps: FILL_IN_STEPS,
      seed: this.runs,
    });
    showPicture(this.canvas, imagesPicture(means, this.shape, 1));
    this.runs += 1;
    this.status.textContent = `${this.runs} answers of ${FILL_IN_STEPS} steps`;
    this.status.dataset.runs = String(this.runs);
    this.running = false;
    if (this.stale) {
      this.stale = false;
      void this.answer(pad);
    }
  }
}

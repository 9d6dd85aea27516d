/**
 * A pad over the visible units of an image-shaped model: the mouse draws ink (observed, value 1) or erases
 * (the unit is no longer observed: the model fills it in). Holds v [nVisible] and the observed mask
 * [nVisible] (1 observed, 0 missing), the inputs of `fillIn`.
 */
import type { ImageShape } from '../src/io/pictures.js';

export type PadTool = 'draw' | 'erase';

/** Observed units are gray levels of their value; missing ones are drawn in this colour. */
const MISSING_RGB = [64, 95, 159] as const;

export class DrawPad {
  readonly visible: Float32Array;
  readonly observed: Float32Array;
  tool: PadTool = 'draw';

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly shape: ImageShape,
    private readonly onChange: () => void,
  ) {
    const [height, width] = shape;
    this.visible = new Float32Array(height * width);
    this.observed = new Float32Array(height * width);
    canvas.width = width;
    canvas.height = height;
    let down = false;
    canvas.addEventListener('pointerdown', (e) => {
      down = true;
      canvas.setPointerCapture(e.pointerId);
      this.stroke(e);
    });
    canvas.addEventListener('pointermove', (e) => down && this.stroke(e));
    canvas.addEventListener('pointerup', () => (down = false));
    this.render();
  }

  /** Nothing observed: the model fills in everything. */
  clear(): void {
    this.visible.fill(0);
    this.observed.fill(0);
    this.changed();
  }

  /** Observe every unit at the values of `image` [nVisible]. */
  load(image: Float32Array): void {
    this.visible.set(image);
    this.observed.fill(1);
    this.changed();
  }

  /** Apply the tool around the unit under the pointer: a pen of 2 x 2 units (ink), an eraser of 3 x 3. */
  private stroke(e: PointerEvent): void {
    const [height, width] = this.shape;
    const box = this.canvas.getBoundingClientRect();
    const x = Math.floor(((e.clientX - box.left) / box.width) * width);
    const y = Math.floor(((e.clientY - box.top) / box.height) * height);
    const reach = this.tool === 'draw' ? [0, 1] : [-1, 0, 1];
    for (const dy of reach) {
      for (const dx of reach) {
        if (x + dx < 0 || x + dx >= width || y + dy < 0 || y + dy >= height) continue;
        const i = (y + dy) * width + x + dx;
        this.visible[i] = this.tool === 'draw' ? 1 : 0;
        this.observed[i] = this.tool === 'draw' ? 1 : 0;
      }
    }
    this.changed();
  }

  private changed(): void {
    this.render();
    this.onChange();
  }

  private render(): void {
    const [height, width] = this.shape;
    const image = new ImageData(width, height);
    for (let i = 0; i < this.visible.length; i++) {
      const g = Math.round(Math.min(1, Math.max(0, this.visible[i])) * 255);
      image.data.set(this.observed[i] === 1 ? [g, g, g, 255] : [...MISSING_RGB, 255], 4 * i);
    }
    this.canvas.getContext('2d')!.putImageData(image, 0, 0);
  }
}

/** The library's pictures (src/io/pictures.ts) on canvases. */
import type { ImageShape } from '../src/io/pictures.js';
import type { RgbaImage } from '../src/io/tile-grid.js';

/** Draw `picture` on `canvas`, one canvas pixel per picture pixel (CSS scales it up). */
export function showPicture(canvas: HTMLCanvasElement, picture: RgbaImage): void {
  canvas.width = picture.width;
  canvas.height = picture.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(picture.rgba), picture.width, picture.height), 0, 0);
}

/** How to draw an example of `nVisible` units: a square when nVisible is one, else a single row. */
export function imageShapeOf(nVisible: number): ImageShape {
  const side = Math.round(Math.sqrt(nVisible));
  return side * side === nVisible ? [side, side] : [1, nVisible];
}

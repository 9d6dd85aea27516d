/** Tile grids (`tile-grid.ts`) as PNG files: encoding and atomic writing. */
import { PNG } from 'pngjs';
import { writeFileAtomic } from './atomic-write.js';
import type { RgbaImage } from './tile-grid.js';

/** The PNG file (8-bit RGBA) of `img`. */
export function encodePng(img: RgbaImage): Uint8Array {
  if (img.rgba.length !== img.width * img.height * 4) {
    throw new RangeError(`encodePng: ${img.rgba.length} bytes is not ${img.width} x ${img.height} RGBA pixels`);
  }
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.rgba.buffer, img.rgba.byteOffset, img.rgba.byteLength);
  return PNG.sync.write(png);
}

/** Encodes `img` as PNG and writes it to `path` atomically. */
export async function writePng(path: string, img: RgbaImage): Promise<void> {
  await writeFileAtomic(path, encodePng(img));
}

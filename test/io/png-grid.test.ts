import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng, writePng } from '../../src/io/png-grid.js';
import { NAN_RGB, PADDING_RGB, tileGrid, type RgbaImage } from '../../src/io/tile-grid.js';
import { matrix } from '../../src/tensor/matrix.js';

/** Decodes PNG bytes with pngjs (independently of our RGBA buffer) and reads pixels as [r, g, b, a]. */
function decode(bytes: Uint8Array) {
  const png = PNG.sync.read(Buffer.from(bytes));
  const pixel = (x: number, y: number) => [...png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 4)];
  const gray = (x: number, y: number) => {
    const [r, g, b, a] = pixel(x, y);
    expect([g, b, a]).toEqual([r, r, 255]);
    return r;
  };
  return { width: png.width, height: png.height, pixel, gray };
}

const PAD = [...PADDING_RGB, 255];

/** n images of h x w from a flat list of values. */
function images(values: number[], h: number, w: number) {
  return matrix(new Float32Array(values), values.length / (h * w), h * w);
}

describe('tileGrid + encodePng', () => {
  it('lays 3 images of 2x2 in a 2x2 grid with 1-pixel lines and an empty cell', () => {
    const img = tileGrid(images([0, 1, 0.5, 2, /**/ -1, 0.25, 0.75, 1, /**/ 0.2, 0.4, 0.6, 0.8], 2, 2), [2, 2]);
    const png = decode(encodePng(img));
    expect([png.width, png.height]).toEqual([5, 5]);
    // Tile 0 at (0,0): 'none' clamps to [0,1]; 0.5 -> 127.5 rounds to 128.
    expect([png.gray(0, 0), png.gray(1, 0), png.gray(0, 1), png.gray(1, 1)]).toEqual([0, 255, 128, 255]);
    // Tile 1 at (3,0); tile 2 at (0,3).
    expect([png.gray(3, 0), png.gray(4, 0), png.gray(3, 1), png.gray(4, 1)]).toEqual([0, 64, 191, 255]);
    expect([png.gray(0, 3), png.gray(1, 3), png.gray(0, 4), png.gray(1, 4)]).toEqual([51, 102, 153, 204]);
    // The separating column x=2 and row y=2, and the empty fourth cell, are the padding colour.
    for (let i = 0; i < 5; i++) {
      expect(png.pixel(2, i)).toEqual(PAD);
      expect(png.pixel(i, 2)).toEqual(PAD);
    }
    for (const [x, y] of [[3, 3], [4, 3], [3, 4], [4, 4]]) expect(png.pixel(x, y)).toEqual(PAD);
  });

  it('padding is distinguishable from every gray level', () => {
    expect(new Set(PADDING_RGB).size).toBeGreaterThan(1);
    expect(new Set(NAN_RGB).size).toBeGreaterThan(1);
  });

  it("'per-tile' maps each tile's min..max to 0..255", () => {
    const img = tileGrid(images([-1, 0, 1, 3, /**/ 10, 20, 30, 50], 2, 2), [2, 2], { normalize: 'per-tile' });
    const png = decode(encodePng(img));
    // (x - min) / (max - min) * 255: 0, 63.75, 127.5, 255 and 0, 63.75, 127.5, 255.
    expect([png.gray(0, 0), png.gray(1, 0), png.gray(0, 1), png.gray(1, 1)]).toEqual([0, 64, 128, 255]);
    expect([png.gray(3, 0), png.gray(4, 0), png.gray(3, 1), png.gray(4, 1)]).toEqual([0, 64, 128, 255]);
  });

  it("'per-tile' symmetric puts 0 at mid gray and -max|x|..max|x| at the ends", () => {
    const img = tileGrid(images([-2, 0, 1, 2, /**/ 0, 0, 0.5, 1], 2, 2), [2, 2], {
      normalize: 'per-tile',
      symmetric: true,
    });
    const png = decode(encodePng(img));
    // Tile 0: m = 2, (x + 2) / 4 * 255: 0, 127.5, 191.25, 255. Tile 1: m = 1: 127.5, 127.5, 191.25, 255.
    expect([png.gray(0, 0), png.gray(1, 0), png.gray(0, 1), png.gray(1, 1)]).toEqual([0, 128, 191, 255]);
    expect([png.gray(3, 0), png.gray(4, 0), png.gray(3, 1), png.gray(4, 1)]).toEqual([128, 128, 191, 255]);
  });

  it("'global' uses one range over all tiles", () => {
    const img = tileGrid(images([0, 1, 2, 3, /**/ 4, 5, 6, 8], 2, 2), [2, 2], { normalize: 'global', columns: 1 });
    const png = decode(encodePng(img));
    expect([png.width, png.height]).toEqual([2, 5]);
    // x / 8 * 255: 0, 31.875, 63.75, 95.625 | 127.5, 159.375, 191.25, 255.
    expect([png.gray(0, 0), png.gray(1, 0), png.gray(0, 1), png.gray(1, 1)]).toEqual([0, 32, 64, 96]);
    expect([png.gray(0, 3), png.gray(1, 3), png.gray(0, 4), png.gray(1, 4)]).toEqual([128, 159, 191, 255]);
    const sym = decode(encodePng(tileGrid(images([-4, 2], 1, 1), [1, 1], { normalize: 'global', symmetric: true })));
    // m = 4: (x + 4) / 8 * 255: 0 and 191.25.
    expect([sym.gray(0, 0), sym.gray(2, 0)]).toEqual([0, 191]);
  });

  it('draws a constant tile mid gray and NaN in its own colour, ignoring NaN and infinities in the range', () => {
    const img = tileGrid(images([5, 5, NaN, Infinity, 0, 1], 1, 3), [1, 3], { normalize: 'per-tile', columns: 2 });
    const png = decode(encodePng(img));
    expect([png.gray(0, 0), png.gray(1, 0)]).toEqual([128, 128]);
    expect(png.pixel(2, 0)).toEqual([...NAN_RGB, 255]);
    expect([png.gray(4, 0), png.gray(5, 0), png.gray(6, 0)]).toEqual([255, 0, 255]);
  });

  it("'per-tile' takes each tile's maximum wherever it lies in the tile", () => {
    const img = tileGrid(images([0, 4, 2, 1], 2, 2), [2, 2], { normalize: 'per-tile' });
    const png = decode(encodePng(img));
    // x / 4 * 255: 0, 255, 127.5, 63.75.
    expect([png.gray(0, 0), png.gray(1, 0), png.gray(0, 1), png.gray(1, 1)]).toEqual([0, 255, 128, 64]);
  });

  it("'per-tile' symmetric draws a constant tile by its sign, and a tile without finite values mid gray", () => {
    const tiles = images([2, 2, /**/ -3, -3, /**/ 0, 0, /**/ Infinity, -Infinity], 1, 2);
    const png = decode(encodePng(tileGrid(tiles, [1, 2], { normalize: 'per-tile', symmetric: true, columns: 4 })));
    // -|c|..|c| puts c at white (c > 0) or black (c < 0); 0..0 and no range at all give mid gray.
    const row = Array.from({ length: 4 }, (_, k) => [png.gray(3 * k, 0), png.gray(3 * k + 1, 0)]);
    expect(row).toEqual([[255, 255], [0, 0], [128, 128], [128, 128]]);
  });

  it('upscales by nearest neighbour and supports no padding', () => {
    const img = tileGrid(images([0, 1, 1, 0], 1, 2), [1, 2], { scale: 3, padding: 0 });
    const png = decode(encodePng(img));
    expect([png.width, png.height]).toEqual([12, 3]);
    for (let y = 0; y < 3; y++) {
      const row = Array.from({ length: 12 }, (_, x) => png.gray(x, y));
      expect(row).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0]);
    }
  });

  it('has the documented size for a 10x10 grid of 28x28 digits', () => {
    const img = tileGrid(matrix(new Float32Array(100 * 784), 100, 784), [28, 28], { padding: 2, scale: 2 });
    expect([img.width, img.height]).toEqual([10 * 56 + 9 * 2, 10 * 56 + 9 * 2]);
    expect(img.rgba.length).toBe(img.width * img.height * 4);
  });

  it('refuses shapes and options that do not fit', () => {
    const m = images([0, 0, 0, 0, 0, 0], 2, 3);
    expect(() => tileGrid(m, [2, 2])).toThrow(/6 values each, not 2 x 2 = 4/);
    expect(() => tileGrid(m, [0, 3])).toThrow(/^tileGrid: image height must be an integer >= 1, got 0$/);
    expect(() => tileGrid(m, [2, 1.5])).toThrow(/^tileGrid: image width must be an integer >= 1, got 1.5$/);
    expect(() => tileGrid(m, [2, 3], { columns: 0 })).toThrow(/columns/);
    expect(() => tileGrid(m, [2, 3], { scale: 1.5 })).toThrow(/scale/);
    expect(() => tileGrid(m, [2, 3], { padding: -1 })).toThrow(/padding/);
    expect(() => tileGrid(matrix(new Float32Array(0), 0, 6), [2, 3])).toThrow(/number of images/);
    const bad: RgbaImage = { width: 2, height: 2, rgba: new Uint8Array(15) };
    expect(() => encodePng(bad)).toThrow(/15 bytes/);
  });
});

describe('writePng', () => {
  it('writes a PNG file that decodes to the drawn pixels', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'boltzmann-png-'));
    try {
      const path = join(dir, 'filters.png');
      const img = tileGrid(images([0, 1, 1, 0.5], 2, 1), [2, 1]);
      await writePng(path, img);
      const png = decode(await readFile(path));
      expect([png.width, png.height]).toEqual([3, 2]);
      expect([png.gray(0, 0), png.gray(0, 1), png.gray(2, 0), png.gray(2, 1)]).toEqual([0, 255, 255, 128]);
      expect(png.pixel(1, 0)).toEqual(PAD);
      expect(await readdir(dir)).toEqual(['filters.png']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

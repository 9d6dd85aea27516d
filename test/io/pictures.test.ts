import { describe, expect, it } from 'vitest';
import { interleavedPicture, weightsPicture } from '../../src/io/pictures.js';
import { matrix } from '../../src/tensor/matrix.js';

describe('interleavedPicture', () => {
  it('puts version k of the images of grid row j in picture row m j + k', () => {
    // Three versions (0, 1, 0.5) of three 1 x 1 images, two per row: two grid rows of three picture rows each.
    const versions = [0, 1, 0.5].map((x) => matrix(Float32Array.from([x, x, x]), 3, 1));
    const picture = interleavedPicture(versions, [1, 1], 2);
    const tile = 100; // 1-pixel images are scaled up to 200 pixels across two columns
    expect([picture.width, picture.height]).toEqual([2 * tile + 1, 6 * tile + 5]);
    const gray = (row: number, column: number): number => picture.rgba[4 * ((row * (tile + 1) + 50) * picture.width + column * (tile + 1) + 50)];
    expect([0, 1, 2, 3, 4, 5].map((row) => gray(row, 0))).toEqual([0, 255, 128, 0, 255, 128]);
    // The second grid row has one image: its other cells are black (zeros), in every version.
    expect([gray(3, 1), gray(4, 1), gray(5, 1)]).toEqual([0, 0, 0]);
  });

  it('places images of several pixels whole, version by version', () => {
    // Two versions of three 1 x 2 images, two per row: grid rows a0 a1 | b0 b1 | a2 (empty) | b2 (empty).
    const a = matrix(Float32Array.from([0, 1, /**/ 1, 0, /**/ 0.5, 1]), 3, 2);
    const b = matrix(Float32Array.from([1, 1, /**/ 0, 0.5, /**/ 1, 0]), 3, 2);
    const picture = interleavedPicture([a, b], [1, 2], 2);
    const scale = 50; // 200 pixels across two columns of 2 pixels
    expect([picture.width, picture.height]).toEqual([2 * 2 * scale + 1, 4 * scale + 3]);
    const gray = (row: number, column: number, pixel: number): number =>
      picture.rgba[4 * ((row * (scale + 1) + 25) * picture.width + column * (2 * scale + 1) + pixel * scale + 25)];
    const tiles = [0, 1, 2, 3].map((row) => [0, 1].map((column) => [gray(row, column, 0), gray(row, column, 1)]));
    expect(tiles).toEqual([
      [[0, 255], [255, 0]],
      [[255, 255], [0, 128]],
      [[128, 255], [0, 0]],
      [[255, 0], [0, 0]],
    ]);
  });
});

describe('weightsPicture', () => {
  it('draws column mu of W [nVisible, nUnits] as tile mu, each scaled symmetrically around 0, the first `count` only', () => {
    // W [2, 3]: columns (1, -1), (-2, 2), (4, 0); two tiles of 1 x 2 pixels.
    const weights = matrix(Float32Array.from([1, -2, 4, -1, 2, 0]), 2, 3);
    const picture = weightsPicture(weights, [1, 2], 2);
    const scale = 50; // 200 pixels across 2 columns of 2 pixels
    expect([picture.width, picture.height]).toEqual([2 * 2 * scale + 1, scale]);
    const gray = (tile: number, i: number): number => picture.rgba[4 * (25 * picture.width + tile * (2 * scale + 1) + i * scale + 25)];
    expect([gray(0, 0), gray(0, 1), gray(1, 0), gray(1, 1)]).toEqual([255, 0, 0, 255]);
  });

  it('draws a weight of 0 mid gray, even in a tile whose weights are all of one sign', () => {
    // W [2, 2]: columns (2, 0) and (-1, 0.5). Tile 0: -2..2, so 2 is white and 0 is 127.5; tile 1: -1..1.
    const weights = matrix(Float32Array.from([2, -1, 0, 0.5]), 2, 2);
    const picture = weightsPicture(weights, [1, 2]);
    const scale = 50;
    const gray = (tile: number, i: number): number => picture.rgba[4 * (25 * picture.width + tile * (2 * scale + 1) + i * scale + 25)];
    expect([gray(0, 0), gray(0, 1), gray(1, 0), gray(1, 1)]).toEqual([255, 128, 0, 191]);
  });
});

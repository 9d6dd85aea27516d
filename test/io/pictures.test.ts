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
});

/** File formats and safe writing: safetensors model files, atomic writes, PNG grids of images. */
export { writeFileAtomic } from './atomic-write.js';
export { encodePng, tileGrid, writePng } from './png-grid.js';
export type { Normalize, RgbaImage, TileGridOptions } from './png-grid.js';
export { decodeSafetensors, encodeSafetensors } from './safetensors.js';
export type { NamedTensor, SafetensorsContents, SafetensorsDtype } from './safetensors.js';

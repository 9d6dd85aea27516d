/** File formats and safe writing: safetensors model files, atomic writes, PNG grids of images. */
export { writeFileAtomic } from './atomic-write.js';
export { encodePng, writePng } from './png-grid.js';
export { tileGrid, type Normalize, type RgbaImage, type TileGridOptions } from './tile-grid.js';
export { decodeSafetensors, encodeSafetensors } from './safetensors.js';
export type { NamedTensor, SafetensorsContents, SafetensorsDtype } from './safetensors.js';

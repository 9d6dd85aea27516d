export type { Dataset } from './dataset.js';
export { barsAndStripes, barsAndStripesEntropy } from './bars-and-stripes.js';
export { binarize, parseBinarization, type Binarization } from './binarize.js';
export { loadCsv, type CsvOptions } from './csv.js';
export { loadIdx, loadIdxLabels } from './idx.js';
export { loadBundledDigits, type DigitsSplit } from './mnist.js';
export { encodeNpy, loadNpy } from './npy.js';
export { loadDataSpec } from './spec.js';
export { validateForUnits, type VisibleUnitType } from './validate.js';

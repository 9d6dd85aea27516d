export { ACTIVATIONS, activate, dense, softmaxCrossEntropy, type Activation } from './layers.js';
export { Mlp, layerInputs, layerNames, mlpForward, type DenseLayer, type FromRbmsOptions, type LayerValues, type MlpCreateOptions } from './mlp.js';
export { decodeMlp, encodeMlp, loadMlp, saveMlp } from './mlp-file.js';
export { CLASSIFIER_MEAN_FIELD_SWEEPS, meanFieldInput, mlpFromDbm } from './dbm-classifier.js';

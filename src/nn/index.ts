export { ACTIVATIONS, activate, dense, softmaxCrossEntropy, type Activation } from './layers.js';
export { Mlp, layerInputs, layerNames, mlpForward, type DenseLayer, type FromRbmsOptions, type LayerValues, type MlpCreateOptions } from './mlp.js';
export {
  buildClassifierStep,
  classifierStepNames,
  defaultClassifierOptions,
  trainClassifier,
  type ClassifierCallbacks,
  type ClassifierEpoch,
  type ClassifierOptions,
} from './train-classifier.js';
export { decodeMlp, encodeMlp, loadMlp, saveMlp } from './mlp-file.js';
export { CLASSIFIER_MEAN_FIELD_SWEEPS, meanFieldInput, mlpFromDbm } from './dbm-classifier.js';

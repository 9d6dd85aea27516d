/**
 * boltzmann: Boltzmann machines on ONNX Runtime. The library's public surface: the engine, the RBM and its
 * training, estimators, data loaders and files. Start with `createNodeEngine`, `RBM.create` and `fit`.
 */
export { Engine, Program, type EngineOptions, type TensorMap } from './runtime/engine.js';
export { createNodeEngine, type NodeEngineOptions } from './runtime/node.js';
export { Graph, type Value } from './graph/graph.js';

export { RBM, type CreateOptions, type RbmConfig, type RbmParameters } from './models/rbm.js';
export type { GenerativeModel, ModelKind, SampleOptions, Samples } from './models/model.js';
export { fillIn, type Evidence, type FillIn, type FillInOptions } from './models/rbm-fill-in.js';
export { DBN, layerParameterName, type DbnCreateOptions } from './models/dbn.js';
export { fitDbn, type DbnFitCallbacks, type LayerEpochRecord } from './training/fit-dbn.js';
export { dbnLogLikelihood, dbnLogLikelihoodBound, type DbnBound, type DbnBoundOptions, type DbnLikelihood, type DbnLikelihoodOptions } from './estimators/dbn-bound.js';
export { DBM, dbmNames, type DbmCreateOptions, type DbmParameters } from './models/dbm.js';
export { defaultDbmFitOptions, fitDbm, type DbmEpochRecord, type DbmFitOptions } from './training/fit-dbm.js';
export { fitTiedRbm, pretrainDbm, pretrainingCopies, type Copies } from './training/dbm-pretrain.js';
export { centredBiases, plainBiases } from './training/dbm-centering.js';
export { unitType, bernoulli, spin, softmax, gaussian, relu, type UnitName, type UnitType } from './units/index.js';
export { DivergenceError } from './training/divergence.js';
export { type BatchProgress } from './training/epochs.js';
export { fit, type EpochRecord, type FitCallbacks } from './training/fit.js';
export { defaultFitOptions, kAt, type FitOptions, type LearningRateSchedule, type RbmOptimizerName, type SamplerName } from './training/options.js';
export { chainMixing, type Mixing } from './training/mixing.js';
export { temperatureLadder } from './samplers/tempering.js';
export { pseudoLogLikelihood } from './estimators/pseudo-likelihood.js';
export { exactLogLikelihood, exactLogPartition, MAX_EXACT_UNITS, type ExactLogLikelihood } from './estimators/exact-log-partition.js';
export { annealedImportanceSampling, type AisOptions, type AisResult } from './estimators/ais.js';
export { reverseAnnealedImportanceSampling, type ReverseAisOptions, type ReverseAisResult } from './estimators/reverse-ais.js';
export { baseRateBiases, standardSchedule } from './estimators/annealing.js';
export { reconstructionError } from './estimators/reconstruction-error.js';

export * from './data/index.js';
export { matrix, zeros, sliceRows, gatherRows, type Matrix } from './tensor/matrix.js';
export { RandomStream } from './random/stream.js';

export * from './io/index.js';
export { loadModel, loadRbm, loadRbmStack, saveModel } from './io/model-file.js';
export { decodeModel, encodeModel, type AnyModel, type ModelFile } from './io/model-codec.js';
export { MODEL_FORMAT, type ModelMetadata } from './io/model-tensors.js';
export { filtersPicture, imagesPicture, reconstructionsPicture, type ImageShape } from './io/pictures.js';

export { UserError } from './errors.js';

/** The graph ops (add, gemm, sigmoid, reduceSum, softmax, ...): the vocabulary of graphs built by hand. */
export * as ops from './graph/ops/index.js';
export { gradients, stopGradient, vjpRules, type GradientOptions, type VjpContext, type VjpRule } from './autodiff/index.js';
export {
  addMinimizer,
  addOptimizer,
  adamStep,
  clipByGlobalNorm,
  defaultOptimizerOptions,
  sgdMomentumStep,
  type OptimizerName,
  type OptimizerOptions,
  type ParameterUpdate,
  type StateTensor,
} from './training/optimizers.js';
export { PingPongState, type StateBuffer } from './training/graph-state.js';
export { batchRowsInput, gatheredMinibatch, MinibatchRows } from './training/minibatch.js';
export { contrastiveSurrogate } from './training/surrogate.js';
export * from './nn/index.js';
export {
  buildClassifierStep,
  classifierStepNames,
  defaultClassifierOptions,
  trainClassifier,
  type ClassifierCallbacks,
  type ClassifierEpoch,
  type ClassifierOptions,
} from './training/fit-classifier.js';

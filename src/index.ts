/**
 * boltzmann: Boltzmann machines and deep generative models on ONNX Runtime. The library's public surface,
 * curated: start with `createNodeEngine`, `RBM.create` and `fit`; every model answers the verbs of
 * `GenerativeModel` (transform, reconstruct, sample, describe) and is saved and loaded by `saveModel` and
 * `loadModel`. Plumbing (step graphs, state buffers, codecs of one kind) stays in its modules.
 */

// The engine: graphs compiled and run by onnxruntime.
export { Engine, Program, type EngineOptions, type TensorMap } from './runtime/engine.js';
export { createNodeEngine, type NodeEngineOptions } from './runtime/node.js';

// Models: one vocabulary; the machine of layers underneath.
export { hasClasses, type ClassConditional, type GenerativeModel, type ModelDescription, type ModelKind, type Reconstruction, type SampleOptions, type Samples } from './models/model.js';
export { RBM, type CreateOptions, type GibbsOptions, type RbmConfig, type RbmParameters } from './models/rbm.js';
export { DBN, type DbnCreateOptions } from './models/dbn.js';
export { DBM, type DbmCreateOptions, type DbmParameters } from './models/dbm.js';
export { ClassRBM, type ClassRbmCreateOptions, type LabelParameters } from './models/class-rbm.js';
export { GatedRBM, type GatedRbmConfig, type GatedRbmCreateOptions, type GatedRbmParameters } from './models/gated-rbm.js';
export { fillIn, type Evidence, type FillIn, type FillInOptions } from './models/rbm-fill-in.js';
export { unitType, UNIT_NAMES, bernoulli, spin, softmax, gaussian, relu, binomial, type UnitName, type UnitType } from './units/index.js';

// Training: every trainer runs the one epoch loop.
export { fit, type EpochRecord, type FitCallbacks } from './training/fit.js';
export { defaultFitOptions, defaultLearningRate, type FitOptions, type LearningRateSchedule, type RbmOptimizerName } from './training/options.js';
export type { SamplerName } from './samplers/negative-phase.js';
export { fitDbn, type DbnFitCallbacks, type LayerEpochRecord } from './training/fit-dbn.js';
export { defaultDbmFitOptions, fitDbm, type DbmEpochRecord, type DbmFitOptions } from './training/fit-dbm.js';
export { pretrainDbm } from './training/dbm-pretrain.js';
export {
  classification,
  CLASS_RBM_OBJECTIVES,
  defaultClassRbmFitOptions,
  fitClassRbm,
  UNLABELLED,
  type ClassRbmEpochRecord,
  type ClassRbmFitOptions,
  type ClassRbmObjective,
  type LabelledRows,
} from './training/fit-class-rbm.js';
export { defaultGatedRbmFitOptions, fitGatedRbm, type GatedRbmEpochRecord, type GatedRbmFitOptions } from './training/fit-gated-rbm.js';
export { defaultClassifierOptions, trainClassifier, type ClassifierCallbacks, type ClassifierEpoch, type ClassifierOptions } from './training/fit-classifier.js';
export { DivergenceError } from './training/divergence.js';
export type { BatchProgress } from './training/epochs.js';

// Estimators: log-likelihoods with their methods and error bars.
export { canEnumerate, exactLogLikelihood, exactLogPartition, MAX_EXACT_UNITS, type ExactLogLikelihood } from './estimators/exact-log-partition.js';
export { annealedImportanceSampling, type AisOptions, type AisResult } from './estimators/ais.js';
export { reverseAnnealedImportanceSampling, type ReverseAisOptions, type ReverseAisResult } from './estimators/reverse-ais.js';
export { baseRateBiases, standardSchedule } from './estimators/annealing.js';
export { logPartitionFloor } from './estimators/log-partition-floor.js';
export { score, boundMethodName, type LogZMethod, type Score, type ScoreOptions, type ScoredModel } from './estimators/score.js';
export { rbmLogLikelihood, defaultRbmLogZMethod, type AnnealingDirection, type LogLikelihoodEstimate, type RbmLikelihood, type RbmLikelihoodOptions, type RbmLogZMethod } from './estimators/rbm-likelihood.js';
export { dbmLogLikelihood, defaultDbmLogZMethod, DBM_MEAN_FIELD_SWEEPS, type DbmLikelihood, type DbmLikelihoodOptions } from './estimators/dbm-bound.js';
export { dbnLogLikelihood, dbnLogLikelihoodBound, defaultDbnLogZMethod, type DbnBound, type DbnBoundOptions, type DbnLikelihood, type DbnLikelihoodOptions } from './estimators/dbn-bound.js';
export { classRbmLogLikelihood, type ClassRbmLikelihood } from './estimators/class-rbm-likelihood.js';
export { gatedRbmLogLikelihood, type GatedRbmLikelihood } from './estimators/gated-rbm-likelihood.js';
export { pseudoLogLikelihood } from './estimators/pseudo-likelihood.js';
export { reconstructionError } from './estimators/reconstruction-error.js';

// Data, files and pictures.
export * from './data/index.js';
export { matrix, zeros, sliceRows, gatherRows, sliceColumns, joinColumns, type Matrix } from './tensor/matrix.js';
export { RandomStream } from './random/stream.js';
export { loadModel, loadModelOf, loadRbm, loadRbmStack, saveModel } from './io/model-file.js';
export { decodeModel, encodeModel, type AnyModel, type ModelFile } from './io/model-codec.js';
export { MODEL_FORMAT, type ModelMetadata } from './io/model-tensors.js';
export { decodeSafetensors, encodeSafetensors, type NamedTensor, type SafetensorsContents, type SafetensorsDtype } from './io/safetensors.js';
export { filtersPicture, imagesPicture, reconstructionsPicture, type ImageShape } from './io/pictures.js';
export { encodePng, writePng } from './io/png-grid.js';
export { tileGrid, type Normalize, type RgbaImage, type TileGridOptions } from './io/tile-grid.js';

// Networks on the autodiff: classifiers from RBM stacks, and graphs of your own with their gradients.
export { Mlp, type DenseLayer, type FromRbmsOptions, type MlpCreateOptions } from './nn/mlp.js';
export { ACTIVATIONS, type Activation } from './nn/layers.js';
export { decodeMlp, encodeMlp, loadMlp, saveMlp } from './nn/mlp-file.js';
export { CLASSIFIER_MEAN_FIELD_SWEEPS, meanFieldInput, mlpFromDbm } from './nn/dbm-classifier.js';
export { Graph, type Value } from './graph/graph.js';
/** The graph ops (add, gemm, sigmoid, reduceSum, softmax, ...): the vocabulary of graphs built by hand. */
export * as ops from './graph/ops/index.js';
export { gradients, stopGradient, vjpRules, type GradientOptions, type VjpContext, type VjpRule } from './autodiff/index.js';
export { addMinimizer, addOptimizer, defaultOptimizerOptions, type OptimizerName, type OptimizerOptions, type ParameterUpdate, type StateTensor } from './training/optimizers.js';
export { softmaxCrossEntropy } from './nn/layers.js';

export { UserError } from './errors.js';

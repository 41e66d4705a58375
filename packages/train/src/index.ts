export { type AdamOptions, type AdamState, adamState, adamUpdate, disposeAdam } from './adam.js';
export { buildModel, PRETRAIN_DROPOUT, PRETRAIN_L2, pretrainModel } from './build-model.js';
export {
  CHECKPOINT_VERSION,
  type Checkpoint,
  parseCheckpoint,
  type StoredTensor,
  serializeCheckpoint,
} from './checkpoint.js';
export {
  type CheckpointStore,
  type IdbFactoryLike,
  type IndexedDbStoreOptions,
  indexedDbCheckpointStore,
  loadCheckpoint,
  memoryCheckpointStore,
  saveCheckpoint,
} from './checkpoint-store.js';
export {
  type ConfigError,
  DATASET_IDS,
  type DatasetId,
  DEFAULT_CONFIG,
  type MagnitudePruning,
  METHODS,
  type Method,
  MODEL_IDS,
  type ModelId,
  PRETRAIN_REGULARIZERS,
  type PretrainRegularizer,
  paperProtocol,
  sbpProtocol,
  type TrainConfig,
  validateConfig,
} from './config.js';
export { prepareRunData, type RunData } from './data.js';
export { type EpochEnd, type EpochSums, epochMetrics } from './epoch-end.js';
export { type Evaluation, evaluate } from './evaluate.js';
export type { TrainEvent } from './events.js';
export type { EpochMetrics } from './metrics.js';
export { type Objective, sgvlb } from './objective.js';
export { type LiveRun, type Phase, type PhaseResult, type PhaseRun, runPhase, stepSeed } from './phase.js';
export { type RestoredNetwork, restoreNetwork } from './restore-network.js';
export { type KlSchedule, klWeight, type LrSchedule, learningRate } from './schedules.js';
export { type LabelledTensors, runDataFromTensors } from './tensor-data.js';
export { type TrainOptions, type TrainResult, train } from './train.js';
export { type TrainError, type TrainProblem, trainError } from './train-error.js';
export { type StepContext, type StepInput, type StepResult, trainStep } from './train-step.js';

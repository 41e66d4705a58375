export { type BatchNormOptions, type BatchNormParams, batchNorm } from './batch-norm.js';
export { convOutputSize } from './conv-output-size.js';
export { dropout } from './dropout.js';
export { flatten } from './flatten.js';
export type {
  FreezeOptions,
  FrozenConv,
  FrozenDense,
  FrozenFlatten,
  FrozenMaxPool,
  FrozenOpOf,
  FrozenScale,
  FrozenSelect,
  FrozenUnitwiseOf,
} from './frozen.js';
export { type KlSchedule, klWeight } from './kl-schedule.js';
export {
  type KlOptions,
  type WeightKl,
  type WeightKlTerm,
  type WeightPosterior,
  weightKl,
} from './kl-term.js';
export type {
  ApplyOptions,
  ConfigValue,
  FrozenOp,
  FrozenUnitwise,
  InitOptions,
  Layer,
  LayerConfig,
  LayerTensor,
  Mode,
  Params,
  Shape,
  SparseWeight,
  TensorRole,
} from './layer.js';
export { type MaxPoolOptions, maxPool } from './max-pool.js';
export {
  assertFiniteParams,
  NonFiniteParameterError,
  type NonFiniteTensor,
  nonFiniteTensors,
  nonFiniteTensorsAsync,
} from './non-finite.js';
export { disposeParams, namedVariables, trainableVariables } from './params-utils.js';
export { plainConv2d } from './plain-conv2d.js';
export { type PlainParams, plainDense } from './plain-dense.js';
export { relu } from './relu.js';
export { selectFeatures } from './select-features.js';
export { type Sequential, sequential } from './sequential.js';
export { type Conv2dLayerOptions, conv2d } from './sparse-conv2d.js';
export { type DenseOptions, dense } from './sparse-dense.js';
export type { SparseOptions, SparseParams } from './sparse-params.js';
export { type UnitNoiseLayerParams, type UnitNoiseOptions, unitNoise } from './unit-noise.js';

export type { ActivationName } from './activation.js';
export type { SparseVDLayerArgs } from './common.js';
export { fromLayersModel, type NetworkValue } from './from-layers-model.js';
export { KlWarmup, type KlWarmupOptions } from './kl-warmup.js';
export { NonFiniteGuard, NonFiniteLossError } from './non-finite-guard.js';
export { SparseVDConv2D, type SparseVDConv2DArgs } from './sparse-vd-conv2d.js';
export { SparseVDDense, type SparseVDDenseArgs } from './sparse-vd-dense.js';
export { type SparsifyOptions, sparsify } from './sparsify.js';
export { type ToLayersModelOptions, toLayersModel } from './to-layers-model.js';

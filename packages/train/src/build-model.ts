import { lenet5Caffe, lenet300100, type ModelOptions, type ReferenceModel, vggLike } from '@sparsevd/models';
import type { TrainConfig } from './config.js';

/**
 * The reference network a configuration trains: SparseVD, SBP (ordinary layers with unit noise), SBP on top of
 * SparseVD, or the dense baseline; `variant` `dense` asks for the pretraining net (no unit noise).
 */
export const buildModel = (
  config: TrainConfig,
  variant?: 'sparsevd' | 'dense',
  dropoutRate = 0,
): ReferenceModel => {
  const method = config.method ?? 'sparsevd';
  const sbp = variant === undefined && !config.dense && method !== 'sparsevd';
  const options: ModelOptions = {
    variant: variant ?? (config.dense || method === 'sbp' ? 'dense' : 'sparsevd'),
    ...(sbp ? { unitNoise: true } : {}),
    threshold: config.threshold,
    trainClip: config.trainClip,
    dropoutRate,
  };
  switch (config.model) {
    case 'lenet300':
      return lenet300100(options);
    case 'lenet5':
      return lenet5Caffe(options);
    case 'vgg':
      return vggLike({ ...options, k: config.vggWidth });
  }
};

/** L2 coefficient of the dense pretraining phase (binary dropout + L2, the paper's start for VGG-like). */
export const PRETRAIN_L2 = 5e-4;
/** Binary dropout rate of the dense pretraining phase. */
export const PRETRAIN_DROPOUT = 0.5;

/** The dense network of a run's pretraining phase: the preset model's dense twin, with dropout unless plain. */
export const pretrainModel = (config: TrainConfig): ReferenceModel =>
  buildModel(
    config,
    'dense',
    (config.pretrainRegularizer ?? 'dropout+l2') === 'dropout+l2' ? PRETRAIN_DROPOUT : 0,
  );

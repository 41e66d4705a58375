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

import { lenet5Caffe, lenet300100, type ModelOptions, type ReferenceModel, vggLike } from '@sparsevd/models';
import type { TrainConfig } from './config.js';

/** The reference network a configuration trains (SparseVD, or the dense baseline / pretraining net). */
export const buildModel = (
  config: TrainConfig,
  variant: 'sparsevd' | 'dense' = config.dense ? 'dense' : 'sparsevd',
  dropoutRate = 0,
): ReferenceModel => {
  const options: ModelOptions = {
    variant,
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

import {
  type BatchOptions,
  channelStats,
  type Dataset,
  type DatasetError,
  loadCifar10,
  loadFashionMnist,
  loadMnist,
  randomLabels,
  type Splits,
  take,
} from '@sparsevd/datasets';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { TrainConfig } from './config.js';

/** The data of a run and how batches are made from it. */
export interface RunData {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Layout and normalisation of every batch (training and evaluation alike). */
  readonly batching: Pick<BatchOptions, 'layout' | 'normalize'>;
}

/**
 * Loads the configured dataset and prepares it for the configured model: subsets, random labels, the
 * layout the network expects (flat for LeNet-300-100, NHWC for the conv nets) and normalisation (pixels to
 * [0, 1] for MNIST and Fashion-MNIST, as the paper; per-channel standardisation with the training set's
 * statistics for CIFAR-10).
 */
export const loadRunData = (config: TrainConfig): TE.TaskEither<DatasetError, RunData> => {
  const load = (): TE.TaskEither<DatasetError, Splits> => {
    switch (config.dataset) {
      case 'mnist':
        return loadMnist(config.dataDir === undefined ? {} : { dir: config.dataDir });
      case 'fashion-mnist':
        return loadFashionMnist(config.dataDir === undefined ? {} : { dir: config.dataDir });
      case 'cifar10':
        return loadCifar10({ dir: config.dataDir ?? '' });
    }
  };
  return pipe(
    load(),
    TE.map(({ train, test }) => {
      const trainPart = config.trainSubset === undefined ? train : take(train, config.trainSubset);
      const testPart = config.testSubset === undefined ? test : take(test, config.testSubset);
      const labelled = config.randomLabels ? randomLabels(trainPart, config.seed) : trainPart;
      const stats = channelStats(labelled);
      return {
        train: labelled,
        test: testPart,
        batching: {
          layout: config.model === 'lenet300' ? 'flat' : 'nhwc',
          normalize: config.dataset === 'cifar10' ? { mean: stats.mean, std: stats.std } : 'unit',
        },
      };
    }),
  );
};

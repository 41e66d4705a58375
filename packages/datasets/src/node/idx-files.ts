import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Dataset } from '../dataset.js';
import type { DatasetError } from '../dataset-error.js';
import { parseIdxPair } from '../idx-dataset.js';
import { readMaybeGzip } from './read-file.js';

/** Where one split of an IDX dataset lives on disk. */
export interface IdxPair {
  /** Dataset name for messages, e.g. `"mnist/train"`. */
  readonly name: string;
  /** Images file (raw or gzip): dimensions `[count, height, width]` or `[count, height, width, channels]`. */
  readonly images: string;
  /** Labels file (raw or gzip): dimensions `[count]`. */
  readonly labels: string;
  /** Number of classes; every label must be below it. */
  readonly classes: number;
}

/**
 * Loads one split of an IDX dataset from an images file and a labels file (raw or gzip) and checks it as
 * {@link parseIdxPair} does, errors naming the files.
 */
export const loadIdxPair = (pair: IdxPair): TE.TaskEither<DatasetError, Dataset> =>
  pipe(
    TE.Do,
    TE.apS('images', readMaybeGzip(pair.images)),
    TE.apS('labels', readMaybeGzip(pair.labels)),
    TE.chainEitherK(({ images, labels }) =>
      parseIdxPair({
        name: pair.name,
        images,
        labels,
        classes: pair.classes,
        sources: { images: pair.images, labels: pair.labels },
      }),
    ),
  );

import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Dataset } from './dataset.js';
import { type DatasetError, datasetError } from './dataset-error.js';
import { parseIdx } from './idx.js';
import { checkLabels } from './internal/check-labels.js';
import { readMaybeGzip } from './read-file.js';

/** Where one split of an IDX dataset lives. */
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

const readIdx = (path: string) =>
  pipe(
    readMaybeGzip(path),
    TE.chainEitherK((bytes) => parseIdx(bytes, path)),
  );

/**
 * Loads one split of an IDX dataset (MNIST, Fashion-MNIST, or any set in that format) from an images file
 * and a labels file, checking both files, that the image file really holds images, that the counts agree
 * and that every label is in range.
 */
export const loadIdxPair = (pair: IdxPair): TE.TaskEither<DatasetError, Dataset> =>
  pipe(
    TE.Do,
    TE.apS('images', readIdx(pair.images)),
    TE.apS('labels', readIdx(pair.labels)),
    TE.chainEitherK(({ images, labels }): E.Either<DatasetError, Dataset> => {
      if (images.dims.length < 3) {
        return E.left(
          datasetError(
            'BadDimensions',
            pair.images,
            `expected images [count, height, width(, channels)], got [${images.dims.join(', ')}]`,
          ),
        );
      }
      if (labels.dims.length !== 1) {
        return E.left(
          datasetError(
            'BadDimensions',
            pair.labels,
            `expected labels [count], got [${labels.dims.join(', ')}]`,
          ),
        );
      }
      const [count, ...shape] = images.dims as [number, ...number[]];
      if (labels.dims[0] !== count) {
        return E.left(
          datasetError(
            'CountMismatch',
            pair.labels,
            `${labels.dims[0]} labels for ${count} images in ${pair.images}`,
          ),
        );
      }
      return pipe(
        checkLabels(labels.data, pair.classes, pair.labels),
        E.map((checked) => ({
          name: pair.name,
          images: images.data,
          labels: checked,
          shape: shape.length === 2 ? [...shape, 1] : shape,
          classes: pair.classes,
        })),
      );
    }),
  );

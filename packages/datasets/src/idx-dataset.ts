import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Dataset } from './dataset.js';
import { type DatasetError, datasetError } from './dataset-error.js';
import { parseIdx } from './idx.js';
import { checkLabels } from './internal/check-labels.js';

/** One split of an IDX dataset as bytes (already decompressed), with where each file came from. */
export interface IdxBytes {
  /** Dataset name for messages and the result, e.g. `"mnist/train"`. */
  readonly name: string;
  /** The images file's bytes: dimensions `[count, height, width]` or `[count, height, width, channels]`. */
  readonly images: Uint8Array;
  /** The labels file's bytes: dimensions `[count]`. */
  readonly labels: Uint8Array;
  /** Number of classes; every label must be below it. */
  readonly classes: number;
  /** The file or URL of each, named in errors (default: `"<name>/images"`, `"<name>/labels"`). */
  readonly sources?: { readonly images: string; readonly labels: string };
}

/**
 * Parses one split of an IDX dataset (MNIST, Fashion-MNIST, or any set in that format) from the bytes of its
 * images file and labels file, checking both, that the image file really holds images, that the counts agree
 * and that every label is in range. Runs anywhere (no file system): the Node loaders and the browser's
 * `fetch` loader both end here.
 */
export const parseIdxPair = (pair: IdxBytes): E.Either<DatasetError, Dataset> => {
  const imagesSource = pair.sources?.images ?? `${pair.name}/images`;
  const labelsSource = pair.sources?.labels ?? `${pair.name}/labels`;
  return pipe(
    E.Do,
    E.apS('images', parseIdx(pair.images, imagesSource)),
    E.apS('labels', parseIdx(pair.labels, labelsSource)),
    E.chain(({ images, labels }): E.Either<DatasetError, Dataset> => {
      if (images.dims.length < 3) {
        return E.left(
          datasetError(
            'BadDimensions',
            imagesSource,
            `expected images [count, height, width(, channels)], got [${images.dims.join(', ')}]`,
          ),
        );
      }
      if (labels.dims.length !== 1) {
        return E.left(
          datasetError(
            'BadDimensions',
            labelsSource,
            `expected labels [count], got [${labels.dims.join(', ')}]`,
          ),
        );
      }
      const [count, ...shape] = images.dims as [number, ...number[]];
      if (labels.dims[0] !== count) {
        return E.left(
          datasetError(
            'CountMismatch',
            labelsSource,
            `${labels.dims[0]} labels for ${count} images in ${imagesSource}`,
          ),
        );
      }
      return pipe(
        checkLabels(labels.data, pair.classes, labelsSource),
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
};

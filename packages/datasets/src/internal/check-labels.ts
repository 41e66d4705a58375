import * as E from 'fp-ts/lib/Either.js';
import { type DatasetError, datasetError } from '../dataset-error.js';

/** Every label must be a class index below `classes`. */
export const checkLabels = (
  labels: Uint8Array,
  classes: number,
  path: string,
): E.Either<DatasetError, Uint8Array> => {
  const bad = labels.findIndex((l) => l >= classes);
  return bad < 0
    ? E.right(labels)
    : E.left(
        datasetError(
          'LabelOutOfRange',
          path,
          `label ${labels[bad]} of example ${bad} is out of range 0–${classes - 1}`,
        ),
      );
};

import { stat } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { type DatasetError, datasetError } from '../../dataset-error.js';

/** A `Left` saying what to install or pass when the directory does not exist. */
export const requireDirectory =
  (dir: string, howToGetIt: string): TE.TaskEither<DatasetError, string> =>
  async () => {
    try {
      const info = await stat(dir);
      return info.isDirectory()
        ? E.right(dir)
        : E.left(datasetError('DirectoryMissing', dir, `not a directory; ${howToGetIt}`));
    } catch {
      return E.left(datasetError('DirectoryMissing', dir, `directory not found; ${howToGetIt}`));
    }
  };

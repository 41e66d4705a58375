import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { type DatasetError, datasetError } from '../dataset-error.js';

/**
 * The same task, except that anything thrown inside it (a bug, an exhausted heap, a file system surprise)
 * resolves to a `ReadFailed` error naming `path` instead of rejecting: a TaskEither never rejects.
 */
export const neverRejects =
  <A>(path: string, task: TE.TaskEither<DatasetError, A>): TE.TaskEither<DatasetError, A> =>
  () =>
    task().catch((error: unknown) =>
      E.left(
        datasetError(
          'ReadFailed',
          path,
          `failed while loading: ${error instanceof Error ? error.message : String(error)}`,
        ),
      ),
    );

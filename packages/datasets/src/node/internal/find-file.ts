import { access } from 'node:fs/promises';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { type DatasetError, datasetError } from '../../dataset-error.js';

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** `dir/base`, or `dir/base.gz` when only that exists; a `Left` naming both when neither does. */
export const findFile =
  (dir: string, base: string): TE.TaskEither<DatasetError, string> =>
  async () => {
    const raw = join(dir, base);
    if (await exists(raw)) return E.right(raw);
    if (await exists(`${raw}.gz`)) return E.right(`${raw}.gz`);
    return E.left(datasetError('FileMissing', raw, `file not found (nor ${base}.gz)`));
  };

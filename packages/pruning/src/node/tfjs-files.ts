import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { TfjsModel } from '../tfjs-model-types.js';
import type { SparseFileError } from './sparse-file.js';

/**
 * Writes a stock tfjs export ({@link TfjsModel}, layers or graph model) as `dir/model.json` and its weight file, the layout
 * `tf.loadLayersModel('file://dir/model.json')` (or `loadGraphModel`; tfjs-node) or an HTTP server serving `dir` reads. `dir` is
 * created; one that already holds anything is refused (nothing is replaced). Resolves with the bytes written;
 * never rejects.
 */
export const writeTfjsModel =
  (dir: string, model: TfjsModel<'layers-model' | 'graph-model'>): TE.TaskEither<SparseFileError, number> =>
  async () => {
    const fail = (detail: string) =>
      E.left<SparseFileError>({ _tag: 'SparseFileError', path: dir, message: `${dir}: ${detail}` });
    const weightsPath = model.modelJson.weightsManifest[0]?.paths[0];
    if (weightsPath === undefined || weightsPath.includes('/'))
      return fail('the model names no weight file beside model.json');
    try {
      await mkdir(dir, { recursive: true });
      const present = await readdir(dir);
      if (present.length > 0)
        return fail(
          `already holds ${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}; choose an empty or new directory`,
        );
      const json = new TextEncoder().encode(`${JSON.stringify(model.modelJson)}\n`);
      // The weights first, model.json last (renamed into place): a crash leaves no model.json pointing at nothing.
      await writeFile(join(dir, weightsPath), model.weightData);
      await writeFile(join(dir, 'model.json.tmp'), json);
      await rename(join(dir, 'model.json.tmp'), join(dir, 'model.json'));
      return E.right(json.length + model.weightData.length);
    } catch (error) {
      await rm(join(dir, 'model.json.tmp'), { force: true }).catch(() => undefined);
      return fail(`cannot write: ${(error as Error).message}`);
    }
  };

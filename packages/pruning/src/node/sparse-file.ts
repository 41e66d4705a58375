import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { type ParseSparseOptions, parseSparse, serializeSparse } from '../sparse-format.js';
import type { SparseFormatError } from '../sparse-format-error.js';
import type { SparseNetwork } from '../sparse-model-types.js';

/** A file that could not be read or written. */
export interface SparseFileError {
  readonly _tag: 'SparseFileError';
  readonly path: string;
  readonly message: string;
}

/**
 * Writes a sparse network to `path` atomically: to a temporary file beside it, then renamed over it, so a
 * crash never leaves a half-written model under the final name. A network holding NaN or ±∞ is a `Left`
 * (nothing is written); the promise never rejects.
 */
export const writeSparseFile =
  (path: string, network: SparseNetwork): TE.TaskEither<SparseFileError, number> =>
  async () => {
    let bytes: Uint8Array;
    try {
      bytes = serializeSparse(network);
    } catch (error) {
      return E.left({
        _tag: 'SparseFileError',
        path,
        message: `${path}: not written: ${(error as Error).message}`,
      });
    }
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, path);
      return E.right(bytes.length);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      return E.left({
        _tag: 'SparseFileError',
        path,
        message: `${path}: cannot write: ${(error as Error).message}`,
      });
    }
  };

/**
 * Reads and validates a sparse network file (see `parseSparse` for the checks and for `options`, the
 * element-wise functions of layers defined outside this project).
 */
export const readSparseFile =
  (
    path: string,
    options: ParseSparseOptions = {},
  ): TE.TaskEither<SparseFileError | SparseFormatError, SparseNetwork> =>
  async () => {
    try {
      return parseSparse(new Uint8Array(await readFile(path)), path, options);
    } catch (error) {
      return E.left({
        _tag: 'SparseFileError',
        path,
        message: `${path}: cannot read: ${(error as Error).message}`,
      });
    }
  };

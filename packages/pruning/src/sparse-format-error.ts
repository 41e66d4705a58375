import * as E from 'fp-ts/lib/Either.js';

/** What can be wrong with a sparse model file. */
export interface SparseFormatError {
  readonly _tag: 'SparseFormatError';
  readonly problem:
    | 'Truncated'
    | 'BadMagic'
    | 'UnsupportedVersion'
    | 'BadHeader'
    | 'ChecksumMismatch'
    | 'BadArray';
  /** The file (or `"<bytes>"`). */
  readonly path: string;
  readonly message: string;
}

/** A `Left` with a {@link SparseFormatError}; the message starts with the path. */
export const sparseFormatFail = (
  problem: SparseFormatError['problem'],
  path: string,
  detail: string,
): E.Either<SparseFormatError, never> =>
  E.left({ _tag: 'SparseFormatError', problem, path, message: `${path}: ${detail}` });

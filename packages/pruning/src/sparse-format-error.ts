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

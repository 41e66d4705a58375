/** What can be wrong with a dataset file or directory. */
export type DatasetProblem =
  | 'DirectoryMissing'
  | 'FileMissing'
  | 'ReadFailed'
  | 'Empty'
  | 'TruncatedHeader'
  | 'TruncatedBody'
  | 'TrailingBytes'
  | 'BadMagic'
  | 'BadDtype'
  | 'BadDimensions'
  | 'GzipCorrupt'
  | 'CountMismatch'
  | 'LabelOutOfRange'
  | 'RecordSize'
  | 'BadOption';

/**
 * A dataset that cannot be used, with the file (or directory, or option) and the problem named. Loading
 * never crashes on a bad file and never returns a silently shorter dataset.
 */
export interface DatasetError {
  readonly _tag: 'DatasetError';
  readonly problem: DatasetProblem;
  /** The file, directory or option at fault. */
  readonly path: string;
  /** One complete line for a person, including what to do where there is something to do. */
  readonly message: string;
}

/** Builds a {@link DatasetError}; the message starts with the path. */
export const datasetError = (problem: DatasetProblem, path: string, detail: string): DatasetError => ({
  _tag: 'DatasetError',
  problem,
  path,
  message: `${path}: ${detail}`,
});

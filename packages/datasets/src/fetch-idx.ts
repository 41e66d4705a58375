import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Splits } from './dataset.js';
import { type DatasetError, datasetError } from './dataset-error.js';
import { gunzipMaybe } from './gunzip.js';
import { parseIdxPair } from './idx-dataset.js';
import { neverRejects } from './internal/never-rejects.js';

/** The four files of a dataset in MNIST's layout, by split and part (raw names; `.gz` is also accepted). */
export const IDX_SPLIT_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** The subset of the Fetch API that {@link fetchIdxSplits} uses (inject one to read from elsewhere). */
export type FetchLike = (url: string) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  readonly arrayBuffer: () => Promise<ArrayBuffer>;
}>;

/** Options of {@link fetchIdxSplits}. */
export interface FetchIdxOptions {
  /** Number of classes (default 10). */
  readonly classes?: number;
  /** The fetch to use (default: the platform's `fetch`). */
  readonly fetch?: FetchLike;
  /**
   * Fetch exactly `<file><suffix>` (`'.gz'` for gzipped files, `''` for raw ones) instead of trying the raw name
   * and then `.gz`: no request that is known to fail (a page logs each 404 as a console error).
   */
  readonly suffix?: '' | '.gz';
}

const join = (base: string, file: string) => `${base.replace(/\/+$/, '')}/${file}`;

/** The bytes at `url`, or at `url.gz` when `url` is not found (unless `exact`); decompressed when gzip. */
const fetchBytes =
  (url: string, fetcher: FetchLike, exact: boolean): TE.TaskEither<DatasetError, Uint8Array> =>
  async () => {
    const get = async (at: string) => {
      const response = await fetcher(at);
      return response.ok ? new Uint8Array(await response.arrayBuffer()) : response.status;
    };
    let got: Uint8Array | number;
    let from = url;
    try {
      got = await get(url);
      if (got === 404 && !exact) {
        from = `${url}.gz`;
        got = await get(from);
      }
    } catch (error) {
      return E.left(datasetError('ReadFailed', url, `cannot fetch: ${(error as Error).message}`));
    }
    if (typeof got === 'number') {
      return E.left(
        got === 404
          ? datasetError(
              'FileMissing',
              url,
              exact ? 'not found (HTTP 404)' : 'not found (HTTP 404, nor at .gz)',
            )
          : datasetError('ReadFailed', from, `cannot fetch: HTTP ${got}`),
      );
    }
    return gunzipMaybe(got, from)();
  };

/**
 * Fetches a dataset stored as the four MNIST-layout IDX files (raw or `.gz`) under the URL `baseUrl` — in a
 * page, a worker, or Node ≥ 18 — and parses it as the file loaders of `@sparsevd/datasets/node` do: the
 * same checks, the same `Dataset` values. A missing file, an HTTP error or a bad file is a `Left` naming the
 * URL.
 *
 * @param name - the dataset's name (`"mnist"` gives splits named `"mnist/train"` and `"mnist/test"`).
 */
export const fetchIdxSplits = (
  name: string,
  baseUrl: string,
  options: FetchIdxOptions = {},
): TE.TaskEither<DatasetError, Splits> => {
  const fetcher: FetchLike | undefined =
    options.fetch ?? (typeof fetch === 'function' ? (url) => fetch(url) : undefined);
  if (fetcher === undefined)
    return TE.left(datasetError('BadOption', 'fetch', 'this platform has no fetch; pass options.fetch'));
  const classes = options.classes ?? 10;
  const split = (which: 'train' | 'test') => {
    const files = IDX_SPLIT_FILES[which];
    const suffix = options.suffix ?? '';
    const exact = options.suffix !== undefined;
    const images = join(baseUrl, files.images + suffix);
    const labels = join(baseUrl, files.labels + suffix);
    return pipe(
      TE.Do,
      TE.apS('images', fetchBytes(images, fetcher, exact)),
      TE.apS('labels', fetchBytes(labels, fetcher, exact)),
      TE.chainEitherK((bytes) =>
        parseIdxPair({ name: `${name}/${which}`, ...bytes, classes, sources: { images, labels } }),
      ),
    );
  };
  return neverRejects(baseUrl, pipe(split('train'), TE.bindTo('train'), TE.apS('test', split('test'))));
};

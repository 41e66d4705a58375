import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { type DatasetError, datasetError } from '../dataset-error.js';
import { isGzip } from '../gunzip.js';

const gunzipAsync = (bytes: Uint8Array): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    gunzip(bytes, (error, result) => (error ? reject(error) : resolve(result)));
  });

/**
 * Reads a file, decompressing it when it is gzip (by its magic bytes 1f 8b, whatever its name; `node:zlib`).
 * A missing file, an unreadable one, or corrupt gzip data is a `Left` naming the file.
 */
export const readMaybeGzip =
  (path: string): TE.TaskEither<DatasetError, Uint8Array> =>
  async () => {
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch (error) {
      const code = (error as { code?: string }).code;
      return E.left(
        code === 'ENOENT'
          ? datasetError('FileMissing', path, 'file not found')
          : datasetError('ReadFailed', path, `cannot read: ${(error as Error).message}`),
      );
    }
    if (isGzip(raw)) {
      try {
        const inflated = await gunzipAsync(raw);
        return E.right(new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength));
      } catch (error) {
        return E.left(datasetError('GzipCorrupt', path, `gzip data is corrupt: ${(error as Error).message}`));
      }
    }
    return E.right(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
  };

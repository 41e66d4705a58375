import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { type DatasetError, datasetError } from './dataset-error.js';

/** True when the bytes start with gzip's magic number (1f 8b). */
export const isGzip = (bytes: Uint8Array): boolean =>
  bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * Decompresses gzip bytes with the platform's `DecompressionStream` (every current browser, Node ≥ 18, Deno),
 * and passes any other bytes through unchanged: a file is gzip by its magic bytes, whatever its name. Corrupt
 * or truncated gzip data is a `GzipCorrupt` error naming `source`.
 *
 * @param source - the file or URL the bytes came from, named in errors.
 */
export const gunzipMaybe =
  (bytes: Uint8Array, source: string): TE.TaskEither<DatasetError, Uint8Array> =>
  async () => {
    if (!isGzip(bytes)) return E.right(bytes);
    try {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
        .stream()
        .pipeThrough(new DecompressionStream('gzip'));
      return E.right(new Uint8Array(await new Response(stream).arrayBuffer()));
    } catch (error) {
      return E.left(datasetError('GzipCorrupt', source, `gzip data is corrupt: ${(error as Error).message}`));
    }
  };

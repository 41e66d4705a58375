import * as E from 'fp-ts/lib/Either.js';
import { type DatasetError, datasetError } from './dataset-error.js';

/** An IDX array (the MNIST file format): its dimensions and its unsigned bytes. */
export interface IdxArray {
  readonly dims: ReadonlyArray<number>;
  readonly data: Uint8Array;
}

const DTYPES: ReadonlyMap<number, string> = new Map([
  [0x08, 'unsigned byte'],
  [0x09, 'signed byte'],
  [0x0b, 'short'],
  [0x0c, 'int'],
  [0x0d, 'float'],
  [0x0e, 'double'],
]);

/**
 * Parses an IDX file's bytes (LeCun's MNIST format: two zero bytes, a dtype byte, the number of
 * dimensions, one big-endian uint32 per dimension, then the data). Only unsigned-byte data is accepted, as
 * every dataset here uses it. Checks the magic, the dtype, the dimension count and that the length matches
 * the dimensions exactly.
 *
 * @param bytes - the (already decompressed) file contents.
 * @param path - the file, named in errors.
 */
export const parseIdx = (bytes: Uint8Array, path: string): E.Either<DatasetError, IdxArray> => {
  if (bytes.length === 0) return E.left(datasetError('Empty', path, 'file is empty'));
  if (bytes.length < 4)
    return E.left(datasetError('TruncatedHeader', path, `IDX header truncated: ${bytes.length} bytes`));
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    return E.left(
      datasetError(
        'BadMagic',
        path,
        `not an IDX file: magic starts ${hex(bytes[0])} ${hex(bytes[1])}, expected 00 00`,
      ),
    );
  }
  const dtype = bytes[2] as number;
  if (dtype !== 0x08) {
    const known = DTYPES.get(dtype);
    return E.left(
      datasetError(
        'BadDtype',
        path,
        `IDX dtype ${hex(dtype)} (${known ?? 'unknown'}) is not supported; expected 08 (unsigned byte)`,
      ),
    );
  }
  const ndims = bytes[3] as number;
  if (ndims < 1 || ndims > 4)
    return E.left(datasetError('BadDimensions', path, `IDX file has ${ndims} dimensions; expected 1 to 4`));
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    return E.left(
      datasetError('TruncatedHeader', path, `IDX header truncated: ${bytes.length} of ${headerLength} bytes`),
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const body = bytes.length - headerLength;
  if (body < expected) {
    return E.left(
      datasetError(
        'TruncatedBody',
        path,
        `IDX data truncated: ${body} of ${expected} bytes for dimensions [${dims.join(', ')}]`,
      ),
    );
  }
  if (body > expected) {
    return E.left(
      datasetError(
        'TrailingBytes',
        path,
        `IDX file has ${body - expected} bytes beyond dimensions [${dims.join(', ')}]`,
      ),
    );
  }
  return E.right({ dims, data: bytes.subarray(headerLength) });
};

const hex = (b: number | undefined): string => (b ?? 0).toString(16).padStart(2, '0');

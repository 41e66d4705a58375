import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Dataset, Splits } from './dataset.js';
import { type DatasetError, datasetError } from './dataset-error.js';
import { checkLabels } from './internal/check-labels.js';
import { requireDirectory } from './internal/directory.js';
import { neverRejects } from './internal/never-rejects.js';
import { readMaybeGzip } from './read-file.js';

const SIDE = 32;
const PIXELS = SIDE * SIDE;
/** Bytes of one record of the CIFAR-10 binary version: a label byte and 3 × 1024 channel-major pixels. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * PIXELS;

/** Class names of CIFAR-10, by label. */
export const CIFAR10_CLASSES: ReadonlyArray<string> = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/**
 * Parses records of the CIFAR-10 binary version (each: 1 label byte, then the red, green and blue 32×32
 * planes) into a dataset in NHWC byte order.
 */
export const parseCifar10 = (
  bytes: Uint8Array,
  path: string,
  name: string,
): E.Either<DatasetError, Dataset> => {
  if (bytes.length === 0) return E.left(datasetError('Empty', path, 'file is empty'));
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    return E.left(
      datasetError(
        'RecordSize',
        path,
        `${bytes.length} bytes is not a whole number of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records (1 label + 3072 pixels)`,
      ),
    );
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const labels = new Uint8Array(count);
  const images = new Uint8Array(count * 3 * PIXELS);
  for (let r = 0; r < count; r += 1) {
    const record = r * CIFAR10_RECORD_BYTES;
    labels[r] = bytes[record] as number;
    const out = r * 3 * PIXELS;
    for (let c = 0; c < 3; c += 1) {
      const plane = record + 1 + c * PIXELS;
      for (let p = 0; p < PIXELS; p += 1) images[out + p * 3 + c] = bytes[plane + p] as number;
    }
  }
  return pipe(
    checkLabels(labels, 10, path),
    E.map((checked) => ({ name, images, labels: checked, shape: [SIDE, SIDE, 3], classes: 10 })),
  );
};

const concat = (name: string, parts: ReadonlyArray<Dataset>): Dataset => {
  const labels = new Uint8Array(parts.reduce((n, p) => n + p.labels.length, 0));
  const images = new Uint8Array(labels.length * 3 * PIXELS);
  let at = 0;
  for (const part of parts) {
    labels.set(part.labels, at);
    images.set(part.images as Uint8Array, at * 3 * PIXELS);
    at += part.labels.length;
  }
  return { name, images, labels, shape: [SIDE, SIDE, 3], classes: 10 };
};

/**
 * CIFAR-10 (Krizhevsky 2009), binary version, from a directory holding `data_batch_1.bin` …
 * `data_batch_5.bin` (training, 50 000 images) and `test_batch.bin` (10 000), as in the
 * `cifar-10-binary.tar.gz` archive; 32×32×3 images in NHWC byte order, 10 classes.
 */
export const loadCifar10 = (options: { readonly dir: string }): TE.TaskEither<DatasetError, Splits> => {
  const file = (f: string) => join(options.dir, f);
  const read = (f: string, name: string) =>
    pipe(
      readMaybeGzip(file(f)),
      TE.chainEitherK((bytes) => parseCifar10(bytes, file(f), name)),
    );
  const trainFiles = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
  return neverRejects(
    options.dir,
    pipe(
      requireDirectory(
        options.dir,
        'download and unpack the CIFAR-10 binary version (cifar-10-binary.tar.gz) and pass its directory',
      ),
      TE.chain(() => TE.sequenceSeqArray(trainFiles.map((f) => read(f, 'cifar10/train')))),
      TE.map((parts) => concat('cifar10/train', parts)),
      TE.bindTo('train'),
      TE.apS('test', read('test_batch.bin', 'cifar10/test')),
    ),
  );
};

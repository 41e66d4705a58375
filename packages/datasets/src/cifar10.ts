import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Dataset } from './dataset.js';
import { type DatasetError, datasetError } from './dataset-error.js';
import { checkLabels } from './internal/check-labels.js';

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

/**
 * Parses several files of CIFAR-10 records (the five training batches, say) into one dataset, in order;
 * the first bad file is the error.
 */
export const parseCifar10Files = (
  files: ReadonlyArray<{ readonly bytes: Uint8Array; readonly source: string }>,
  name: string,
): E.Either<DatasetError, Dataset> => {
  const parts: Dataset[] = [];
  for (const file of files) {
    const parsed = parseCifar10(file.bytes, file.source, name);
    if (E.isLeft(parsed)) return parsed;
    parts.push(parsed.right);
  }
  const labels = new Uint8Array(parts.reduce((n, p) => n + p.labels.length, 0));
  const images = new Uint8Array(labels.length * 3 * PIXELS);
  let at = 0;
  for (const part of parts) {
    labels.set(part.labels, at);
    images.set(part.images as Uint8Array, at * 3 * PIXELS);
    at += part.labels.length;
  }
  return E.right({ name, images, labels, shape: [SIDE, SIDE, 3], classes: 10 });
};

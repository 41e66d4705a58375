import { join } from 'node:path';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { parseCifar10Files } from '../cifar10.js';
import type { Splits } from '../dataset.js';
import type { DatasetError } from '../dataset-error.js';
import { neverRejects } from '../internal/never-rejects.js';
import { requireDirectory } from './internal/directory.js';
import { readMaybeGzip } from './read-file.js';

/**
 * CIFAR-10 (Krizhevsky 2009), binary version, from a directory holding `data_batch_1.bin` …
 * `data_batch_5.bin` (training, 50 000 images) and `test_batch.bin` (10 000), as in the
 * `cifar-10-binary.tar.gz` archive; 32×32×3 images in NHWC byte order, 10 classes.
 */
export const loadCifar10 = (options: { readonly dir: string }): TE.TaskEither<DatasetError, Splits> => {
  const read = (files: ReadonlyArray<string>, name: string) =>
    pipe(
      TE.sequenceSeqArray(
        files.map((f) =>
          pipe(
            readMaybeGzip(join(options.dir, f)),
            TE.map((bytes) => ({ bytes, source: join(options.dir, f) })),
          ),
        ),
      ),
      TE.chainEitherK((read) => parseCifar10Files(read, name)),
    );
  const trainFiles = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
  return neverRejects(
    options.dir,
    pipe(
      requireDirectory(
        options.dir,
        'download and unpack the CIFAR-10 binary version (cifar-10-binary.tar.gz) and pass its directory',
      ),
      TE.chain(() => read(trainFiles, 'cifar10/train')),
      TE.bindTo('train'),
      TE.apS('test', read(['test_batch.bin'], 'cifar10/test')),
    ),
  );
};

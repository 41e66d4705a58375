import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { Splits } from '../dataset.js';
import type { DatasetError } from '../dataset-error.js';
import { FASHION_MNIST_DEFAULT_DIR } from '../fashion-mnist.js';
import { loadIdxSplits } from './mnist.js';

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): MNIST's format and sizes (60 000 + 10 000 images of
 * 28×28×1, 10 classes) with clothing instead of digits, from a directory of the four IDX files, gzipped as
 * distributed. Default directory: `/usr/share/datasets/fashion-mnist` (Debian: `apt-get install
 * dataset-fashion-mnist`).
 */
export const loadFashionMnist = (
  options: { readonly dir?: string } = {},
): TE.TaskEither<DatasetError, Splits> =>
  loadIdxSplits(
    'fashion-mnist',
    options.dir ?? FASHION_MNIST_DEFAULT_DIR,
    options.dir === undefined
      ? 'install it with: sudo apt-get install dataset-fashion-mnist (Debian), or pass the directory of the Fashion-MNIST IDX files'
      : 'pass the directory that holds the Fashion-MNIST IDX files',
  );

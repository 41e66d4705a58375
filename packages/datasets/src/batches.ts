import * as tf from '@tensorflow/tfjs-core';
import { channelStats } from './channel-stats.js';
import { type Dataset, exampleSize, size } from './dataset.js';
import { mixSeed, permutation } from './internal/rng.js';

/** How pixel values become network inputs. */
export type Normalization =
  /** bytes / 255, into [0, 1] (the paper's choice for MNIST); float datasets unchanged. */
  | 'unit'
  /** per-channel (x − mean) / std, with the dataset's own statistics ({@link channelStats}). */
  | 'standardize'
  /** per-channel (x − mean) / std with given statistics, on the [0, 1] scale (e.g. the training set's). */
  | { readonly mean: ReadonlyArray<number>; readonly std: ReadonlyArray<number> };

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Examples per batch (≥ 1). */
  readonly batchSize: number;
  /** Shuffle the order (default true), reproducibly from (`seed`, `epoch`). */
  readonly shuffle?: boolean;
  readonly seed?: number;
  /** Epoch number: each epoch has its own order, the same for the same (seed, epoch). Default 0. */
  readonly epoch?: number;
  /** Default `'unit'`. */
  readonly normalize?: Normalization;
  /** `'flat'` → x `[batch, features]` (default); `'nhwc'` → x `[batch, ...shape]`. */
  readonly layout?: 'flat' | 'nhwc';
  /** `'onehot'` → y `[batch, classes]` float32 (default); `'indices'` → y `[batch]` int32. */
  readonly labels?: 'onehot' | 'indices';
  /** Drop the last batch when it is partial (default false: keep it). */
  readonly dropLast?: boolean;
}

/** One batch: tensors the consumer owns and disposes. */
export interface Batch {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  /** Number of examples in this batch. */
  readonly size: number;
  /** Dataset indices of the examples, in batch order. */
  readonly indices: Uint32Array;
}

/** Number of batches {@link batches} yields for these options. */
export const batchCount = (
  dataset: Dataset,
  options: Pick<BatchOptions, 'batchSize' | 'dropLast'>,
): number =>
  options.dropLast === true
    ? Math.floor(size(dataset) / options.batchSize)
    : Math.ceil(size(dataset) / options.batchSize);

const normalizer = (
  dataset: Dataset,
  normalize: Normalization,
): ((value: number, channel: number) => number) => {
  const scale = dataset.images instanceof Uint8Array ? 1 / 255 : 1;
  if (normalize === 'unit') return (v) => v * scale;
  const stats = normalize === 'standardize' ? channelStats(dataset) : normalize;
  const channels = dataset.shape[dataset.shape.length - 1] as number;
  if (stats.mean.length !== channels || stats.std.length !== channels) {
    throw new RangeError(
      `batches: normalize needs ${channels} means and stds (one per channel), got ${stats.mean.length} and ${stats.std.length}`,
    );
  }
  if (stats.std.some((s) => !(s > 0)))
    throw new RangeError('batches: normalize std must be > 0 for every channel');
  const mean = Float64Array.from(stats.mean);
  const inv = Float64Array.from(stats.std, (s) => 1 / s);
  return (v, c) => (v * scale - (mean[c] as number)) * (inv[c] as number);
};

/**
 * A reproducible iterator over a dataset in batches of tensors. The order is a seeded permutation of
 * (seed, epoch), so every epoch is shuffled differently and the same (seed, epoch) gives the same batches
 * on every run. Pixels stay bytes in the dataset; each batch is normalised as it is made. The iterator
 * makes no tensors beyond the batches it yields, which the consumer disposes.
 *
 * @throws RangeError for a batch size below 1 or normalisation statistics of the wrong length.
 */
export const batches = (dataset: Dataset, options: BatchOptions): IterableIterator<Batch> => {
  const {
    batchSize,
    shuffle = true,
    seed = 0,
    epoch = 0,
    normalize = 'unit',
    layout = 'flat',
    labels = 'onehot',
    dropLast = false,
  } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new RangeError(`batches: epoch must be a non-negative integer, got ${epoch}`);
  const n = size(dataset);
  const per = exampleSize(dataset);
  const channels = dataset.shape[dataset.shape.length - 1] as number;
  const scale = normalizer(dataset, normalize);
  const order = shuffle ? permutation(n, mixSeed(seed, epoch)) : Uint32Array.from({ length: n }, (_, i) => i);
  const count = batchCount(dataset, { batchSize, dropLast });
  const xShape = layout === 'flat' ? [per] : [...dataset.shape];

  // Bytes map through a table of their normalised float32 values (the same values as `scale`, computed once).
  const images = dataset.images;
  const table =
    images instanceof Uint8Array
      ? Float32Array.from({ length: 256 * channels }, (_, k) => scale(Math.floor(k / channels), k % channels))
      : undefined;
  const gather = (xs: Float32Array, to: number, from: number): void => {
    if (table !== undefined && channels === 1) {
      for (let j = 0; j < per; j += 1) xs[to + j] = table[images[from + j] as number] as number;
    } else if (table !== undefined) {
      for (let j = 0; j < per; j += 1)
        xs[to + j] = table[(images[from + j] as number) * channels + (j % channels)] as number;
    } else {
      for (let j = 0; j < per; j += 1) xs[to + j] = scale(images[from + j] as number, j % channels);
    }
  };

  function* generate(): IterableIterator<Batch> {
    for (let b = 0; b < count; b += 1) {
      const indices = order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize));
      const m = indices.length;
      const xs = new Float32Array(m * per);
      const ys = labels === 'indices' ? new Int32Array(m) : new Float32Array(m * dataset.classes);
      for (let i = 0; i < m; i += 1) {
        const k = indices[i] as number;
        gather(xs, i * per, k * per);
        const label = dataset.labels[k] as number;
        if (labels === 'indices') ys[i] = label;
        // One-hot as tf.oneHot makes it: a label outside [0, classes) gives a row of zeros.
        else if (label < dataset.classes) ys[i * dataset.classes + label] = 1;
      }
      const x = tf.tensor(xs, [m, ...xShape], 'float32');
      const y =
        labels === 'indices' ? tf.tensor1d(ys, 'int32') : tf.tensor2d(ys, [m, dataset.classes], 'float32');
      yield { x, y, size: m, indices };
    }
  }
  return generate();
};

export { type Batch, type BatchOptions, batchCount, batches, type Normalization } from './batches.js';
export { channelStats } from './channel-stats.js';
export { CIFAR10_CLASSES, CIFAR10_RECORD_BYTES, parseCifar10, parseCifar10Files } from './cifar10.js';
export { type Dataset, exampleSize, type Splits, size } from './dataset.js';
export { type DatasetError, type DatasetProblem, datasetError } from './dataset-error.js';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR } from './fashion-mnist.js';
export {
  type FetchIdxOptions,
  type FetchLike,
  fetchIdxSplits,
  IDX_SPLIT_FILES,
} from './fetch-idx.js';
export { gunzipMaybe, isGzip } from './gunzip.js';
export { type IdxArray, parseIdx } from './idx.js';
export { type IdxBytes, parseIdxPair } from './idx-dataset.js';
export { type SplitOptions, split } from './split.js';
export { subset, take } from './subset.js';
export {
  type RegressionSet,
  randomLabels,
  type ToyClassificationOptions,
  toyClassification,
  toyRegression,
} from './synthetic.js';

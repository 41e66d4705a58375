export { type Batch, type BatchOptions, batchCount, batches, type Normalization } from './batches.js';
export { channelStats } from './channel-stats.js';
export { CIFAR10_CLASSES, CIFAR10_RECORD_BYTES, loadCifar10, parseCifar10 } from './cifar10.js';
export { type Dataset, exampleSize, type Splits, size } from './dataset.js';
export { type DatasetError, type DatasetProblem, datasetError } from './dataset-error.js';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, loadFashionMnist } from './fashion-mnist.js';
export { type IdxArray, parseIdx } from './idx.js';
export { type IdxPair, loadIdxPair } from './idx-dataset.js';
export { loadIdxSplits, loadMnist, type MnistOptions, mnistDataDir } from './mnist.js';
export { readMaybeGzip } from './read-file.js';
export { type SplitOptions, split } from './split.js';
export { subset, take } from './subset.js';
export {
  type RegressionSet,
  randomLabels,
  type ToyClassificationOptions,
  toyClassification,
  toyRegression,
} from './synthetic.js';

export { loadCifar10 } from './cifar10.js';
export { loadFashionMnist } from './fashion-mnist.js';
export { type IdxPair, loadIdxPair } from './idx-files.js';
export { loadIdxSplits, loadMnist, type MnistOptions, mnistDataDir } from './mnist.js';
export { readMaybeGzip } from './read-file.js';

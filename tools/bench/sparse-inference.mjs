#!/usr/bin/env node
// Batch-100 inference of a pruned LeNet-300-100 on MNIST test images, three ways, in one run:
//   dense-masked — the SparseVD network in eval mode (θ masked where log α ≥ 3, dense matmuls);
//   compacted    — @sparsevd/pruning's compact(): an ordinary, smaller dense network (same backend);
//   CSR          — @sparsevd/pruning's sparseModel(): dense × CSR products in plain JavaScript.
// The mask is constructed like a trained SparseVD LeNet-300-100 (the paper's Table 1: 98.9 – 97.2 – 62.0 %
// removed; most removed weights belong to border pixels and to dead hidden units), with the weights of the
// network's seeded initialisation. Reports medians over repetitions and ratios to dense-masked.
// Usage: node tools/bench/sparse-inference.mjs [backend] [repeats]    (default: auto-chosen backend, 200)
import { selectBackend } from '@sparsevd/backend';
import { batches, take } from '@sparsevd/datasets';
import { loadMnist } from '@sparsevd/datasets/node';
import { lenet300100 } from '@sparsevd/models';
import { compact, sparseModel, sparsityReport, toSparse } from '@sparsevd/pruning';
import * as tf from '@tensorflow/tfjs-core';

const backendArg = process.argv[2];
const repeats = Number(process.argv[3] ?? 200);
const chosen = await selectBackend(backendArg ? { backend: backendArg } : {})();
if (chosen._tag === 'Left') throw new Error(chosen.left.message);

let seed = 12345;
const uniform = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const { network, inputShape } = lenet300100();
const params = network.init(1, { inputShape });
const setPattern = (layer, keep) => {
  const p = params[layer];
  const pattern = Array.from({ length: p.theta.size }, (_, i) => (keep(i) ? -6 : 5));
  p.logSigma2.assign(
    tf.tidy(() => tf.add(tf.log(tf.add(tf.square(p.theta), 1e-8)), tf.tensor(pattern, p.theta.shape))),
  );
};
// fc1: pixels within 6 of the border feed nothing, 240 of 300 hidden units get no input; the rest keep
// weights at random so that ≈ 98.9 % of fc1 is removed.
const liveUnit = (u) => u % 5 === 0;
const centre = (pixel) => {
  const [r, c] = [Math.floor(pixel / 28), pixel % 28];
  return r >= 6 && r < 22 && c >= 6 && c < 22;
};
setPattern(
  'fc1',
  (i) => centre(Math.floor(i / 300)) && liveUnit(i % 300) && uniform() < (0.011 * 784 * 300) / (256 * 60),
);
setPattern(
  'fc2',
  (i) => liveUnit(Math.floor(i / 100)) && i % 100 < 40 && uniform() < (0.028 * 300 * 100) / (60 * 40),
);
setPattern('fc3', (i) => Math.floor(i / 10) < 40 && uniform() < (0.38 * 100) / 40);

const loaded = await loadMnist()();
if (loaded._tag === 'Left') throw new Error(loaded.left.message);
const [batch] = batches(take(loaded.right.test, 100), { batchSize: 100, shuffle: false });
const x = batch.x;
const xData = x.dataSync();

const compacted = compact(network, params, inputShape);
const exported = toSparse(network, params, inputShape);
const csr = sparseModel(exported);

const time = (fn) => {
  for (let i = 0; i < 10; i += 1) fn();
  const samples = [];
  for (let i = 0; i < repeats; i += 1) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
};
// Outputs are read back (dataSync) outside tf.tidy, so every variant ends with its logits in a typed array.
const runTf = (net, p) => () => {
  const y = net.apply(p, x, 'eval');
  y.dataSync();
  y.dispose();
};
const maskedMs = time(runTf(network, params));
const compactMs = time(runTf(compacted.network, compacted.params));
const csrMs = time(() => csr.predict(xData, 100));

const report = sparsityReport(network, params);
const check = (() => {
  const a = tf.tidy(() => network.apply(params, x, 'eval').dataSync());
  const b = tf.tidy(() => compacted.network.apply(compacted.params, x, 'eval').dataSync());
  const c = csr.predict(xData, 100);
  let m = 0;
  for (let i = 0; i < a.length; i += 1) m = Math.max(m, Math.abs(a[i] - b[i]), Math.abs(a[i] - c[i]));
  return m;
})();
const line = (name, ms) => `| ${name} | ${ms.toFixed(3)} | ${(maskedMs / ms).toFixed(1)}× |`;
process.stdout.write(
  `${[
    `backend: ${chosen.right.backend}; median of ${repeats} runs, batch 100`,
    `pruned: ${report.layers.map((l) => `${l.name} ${l.removedPercent.toFixed(1)} %`).join(', ')}; compression ${report.compression.toFixed(1)}×`,
    `compacted units: inputs used ${compacted.inputs.before} → ${compacted.inputs.after}, ${compacted.units.map((u) => `${u.name} ${u.before} → ${u.after}`).join(', ')}`,
    `CSR size: ${exported.sparseBytes} bytes vs ${exported.denseBytes} dense float32 (${exported.byteCompression.toFixed(1)}×)`,
    `max |difference| between the three outputs: ${check.toExponential(2)}`,
    '',
    '| variant | ms per batch | speed-up vs dense-masked |',
    '|---|---|---|',
    line('dense-masked (eval mode)', maskedMs),
    line('compacted dense', compactMs),
    line('CSR (JavaScript)', csrMs),
  ].join('\n')}\n`,
);

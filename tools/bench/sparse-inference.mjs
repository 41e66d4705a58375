#!/usr/bin/env node
// Inference of a pruned LeNet-300-100 on MNIST test images, batch 1 and batch 100, four ways, on each backend
// named (default: native, wasm, cpu), in one run:
//   dense-masked — the SparseVD network in eval mode (θ masked where log α ≥ 3, dense matmuls);
//   compacted    — @sparsevd/pruning's compact(): an ordinary, smaller dense network (same backend);
//   stock tfjs   — @sparsevd/pruning's toTfjsModel(), loaded by plain tfjs-layers (what ships to a tfjs app);
//   tfjs graph   — @sparsevd/pruning's toTfjsGraphModel(), loaded by plain tfjs-converter (the input selection a
//                  gather, so the first kernel has only the kept inputs' rows);
//   CSR          — @sparsevd/pruning's sparseModel(): dense × CSR products in plain JavaScript.
// The mask is constructed like a trained SparseVD LeNet-300-100 (the paper's Table 1: 98.9 – 97.2 – 62.0 %
// removed; most removed weights belong to border pixels and to dead hidden units), with the weights of the
// network's seeded initialisation. Reports medians over repetitions and ratios to dense-masked (same backend,
// same batch).
// With --checkpoint FILE the network is a trained run's instead (any preset: LeNet-300-100 or LeNet-5-Caffe,
// read from its checkpoint.ckpt), on MNIST test images in the layout it was trained on.
// Usage: node tools/bench/sparse-inference.mjs [backend...] [--repeats N] [--checkpoint FILE]
//   (default: native wasm cpu, 200)
import { cpus } from 'node:os';
import { selectBackend } from '@sparsevd/backend';
import { batches, take } from '@sparsevd/datasets';
import { loadMnist } from '@sparsevd/datasets/node';
import { lenet300100 } from '@sparsevd/models';
import {
  compact,
  sparseModel,
  sparsityReport,
  toSparse,
  toTfjsGraphModel,
  toTfjsModel,
} from '@sparsevd/pruning';
import { restoreNetwork } from '@sparsevd/train';
import { readCheckpoint } from '@sparsevd/train/node';
import * as tfc from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const argv = process.argv.slice(2);
const at = argv.indexOf('--repeats');
const repeats = at >= 0 ? Number(argv[at + 1]) : 200;
const ckptAt = argv.indexOf('--checkpoint');
const checkpointPath = ckptAt >= 0 ? argv[ckptAt + 1] : undefined;
const backends = argv.filter(
  (a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1) && (ckptAt < 0 || i !== ckptAt + 1),
);
const first = await selectBackend({ backend: 'cpu' })();
if (first._tag === 'Left') throw new Error(first.left.message);

let seed = 12345;
const uniform = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const trained = await (async () => {
  if (checkpointPath === undefined) return undefined;
  const read = await readCheckpoint(checkpointPath)();
  if (read._tag === 'Left') throw new Error(read.left.message);
  const restored = restoreNetwork(read.right);
  if (restored._tag === 'Left') throw new Error(restored.left.message);
  return restored.right;
})();
const { network, inputShape } = trained ?? lenet300100();
const params = trained?.params ?? network.init(1, { inputShape });
const layout = inputShape.length === 1 ? 'flat' : 'nhwc';
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
if (trained === undefined) {
  setPattern(
    'fc1',
    (i) => centre(Math.floor(i / 300)) && liveUnit(i % 300) && uniform() < (0.011 * 784 * 300) / (256 * 60),
  );
  setPattern(
    'fc2',
    (i) => liveUnit(Math.floor(i / 100)) && i % 100 < 40 && uniform() < (0.028 * 300 * 100) / (60 * 40),
  );
  setPattern('fc3', (i) => Math.floor(i / 10) < 40 && uniform() < (0.38 * 100) / 40);
}

const loaded = await loadMnist()();
if (loaded._tag === 'Left') throw new Error(loaded.left.message);
const report = sparsityReport(network, params);
const exported = toSparse(network, params, inputShape);
const csr = sparseModel(exported);
const stock = toTfjsModel(network, params, inputShape);
const graph = toTfjsGraphModel(network, params, inputShape);
const bytesOf = (m) => m.weightData.length + JSON.stringify(m.modelJson).length + 1;

const time = (fn, n) => {
  for (let i = 0; i < 10; i += 1) fn();
  const samples = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
};
const rows = [];
let compactedUnits = '';
for (const backend of backends.length > 0 ? backends : ['native', 'wasm', 'cpu']) {
  const chosen = await selectBackend({ backend })();
  if (chosen._tag === 'Left') {
    rows.push(`| ${backend} | – | not available: ${chosen.left.message.split('\n')[0]} | | | | |`);
    continue;
  }
  // Parameters and models on this backend (a variable created on another backend is moved lazily; start clean).
  const compacted = compact(network, params, inputShape);
  compactedUnits = `inputs used ${compacted.inputs.before} → ${compacted.inputs.after}, ${compacted.units.map((u) => `${u.name} ${u.before} → ${u.after}`).join(', ')}`;
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: stock.modelJson.modelTopology,
      weightSpecs: stock.modelJson.weightsManifest[0].weights,
      weightData: stock.weightData.slice().buffer,
    }),
  );
  const graphModel = await tfc.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: graph.modelJson.modelTopology,
      format: 'graph-model',
      weightSpecs: graph.modelJson.weightsManifest[0].weights,
      weightData: graph.weightData.slice().buffer,
    }),
  );
  for (const size of [1, 100]) {
    const [batch] = batches(take(loaded.right.test, size), { batchSize: size, shuffle: false, layout });
    const x = batch.x;
    const xData = x.dataSync();
    // Outputs are read back (dataSync) outside tf.tidy, so every variant ends with its logits in a typed array.
    const runTf = (apply) => () => {
      const y = apply();
      y.dataSync();
      y.dispose();
    };
    const n = backend === 'cpu' && size === 100 ? Math.min(repeats, 30) : repeats;
    const masked = time(
      runTf(() => network.apply(params, x, 'eval')),
      n,
    );
    const small = time(
      runTf(() => compacted.network.apply(compacted.params, x, 'eval')),
      n,
    );
    const tfjs = time(
      // predict splits into batches of 32 unless told otherwise: one batch, as the other variants run.
      runTf(() => model.predict(x, { batchSize: size })),
      n,
    );
    const graphed = time(
      runTf(() => graphModel.predict(x)),
      n,
    );
    const sparse = time(() => csr.predict(xData, size), n);
    const r = (ms) => `${ms.toFixed(3)} ms (${(masked / ms).toFixed(1)}×)`;
    rows.push(
      `| ${chosen.right.backend} | ${size} | ${masked.toFixed(3)} ms | ${r(small)} | ${r(tfjs)} | ${r(graphed)} | ${r(sparse)} |`,
    );
    tf.dispose([batch.x, batch.y]);
  }
  model.dispose();
  graphModel.dispose();
  for (const p of Object.values(compacted.params)) for (const v of Object.values(p)) v.dispose?.();
}
process.stdout.write(
  `${[
    `CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} logical cores; median of ${repeats} runs (30 for cpu at batch 100)`,
    `pruned: ${report.layers.map((l) => `${l.name} ${l.removedPercent.toFixed(1)} %`).join(', ')}; compression ${report.compression.toFixed(1)}×`,
    `compacted units: ${compactedUnits}`,
    `CSR size: ${exported.sparseBytes} bytes vs ${exported.denseBytes} dense float32 (${exported.byteCompression.toFixed(1)}×); stock tfjs weights ${stock.weightData.length} bytes`,
    `stock tfjs files (model.json + weights, float32): layers model ${bytesOf(stock)} bytes, graph model ${bytesOf(graph)} bytes`,
    '',
    '| backend | batch | dense-masked | compacted (sparsevd) | stock tfjs layers model | stock tfjs graph model | CSR (JavaScript) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n')}\n`,
);

#!/usr/bin/env node
// The tfjs-layers plug-in against a plain network on a small MNIST problem: tf.sequential 784-300-100-10,
// the first 5 000 training images, 10 epochs of model.fit (Adam 1e-3, batch 100), the full 10 000 test images.
// Runs: the plain network (Dense layers); SparseVD layers with no KL warm-up (the KL weighs 1 from the first
// step); SparseVD with the KlWarmup callback (the paper's warm-up scaled to the 10 epochs); and the same with
// trainClip. Prints test accuracy and % of weights removed (log α ≥ 3) per run, and writes them to
// bench-out/plugin-warmup.json. Usage: node tools/experiments/plugin-warmup.mjs [--backend native] [--seed 1]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { selectBackend } from '@sparsevd/backend';
import { take } from '@sparsevd/datasets';
import { loadMnist } from '@sparsevd/datasets/node';
import { fromLayersModel, KlWarmup, SparseVDDense } from '@sparsevd/layers/tfjs-layers';
import { sparsityReport } from '@sparsevd/pruning';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const seed = Number(option('seed', '1'));
const chosen = await selectBackend({ backend: option('backend', 'native'), env: {} })();
if (chosen._tag === 'Left') throw new Error(chosen.left.message);
const loaded = await loadMnist()();
if (loaded._tag === 'Left') throw new Error(loaded.left.message);
const N = 5000;
const train = take(loaded.right.train, N);
const test = loaded.right.test;
const tensors = (d) =>
  tf.tidy(() => [
    tf.div(tf.tensor2d(Float32Array.from(d.images), [d.labels.length, 784]), 255),
    tf.oneHot(tf.tensor1d(Int32Array.from(d.labels), 'int32'), 10),
  ]);
const [xTrain, yTrain] = tensors(train);
const [xTest, yTest] = tensors(test);

const sparse = (units, extra, i) =>
  new SparseVDDense({ units, trainingSize: N, seed: seed * 10 + i, ...extra });
const models = {
  plain: () =>
    tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 300, inputShape: [784], activation: 'relu' }),
        tfl.layers.dense({ units: 100, activation: 'relu' }),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
  sparse: (extra = {}) =>
    tfl.sequential({
      layers: [
        sparse(300, { inputShape: [784], activation: 'relu', ...extra }, 1),
        sparse(100, { activation: 'relu', ...extra }, 2),
        sparse(10, { activation: 'softmax', ...extra }, 3),
      ],
    }),
};

const run = async (name, model, callbacks) => {
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const start = performance.now();
  await model.fit(xTrain, yTrain, { epochs: 10, batchSize: 100, callbacks, verbose: 0 });
  const seconds = (performance.now() - start) / 1000;
  const [, acc] = model.evaluate(xTest, yTest, { batchSize: 1000 });
  const accuracy = (await acc.data())[0];
  let removed = 0;
  if (name !== 'plain') {
    const { network, params } = fromLayersModel(model);
    const report = sparsityReport(network, params);
    removed = 100 * (1 - report.keptWeights / report.totalWeights);
    tf.dispose(Object.values(params).flatMap((p) => Object.values(p)));
  }
  const row = { run: name, testAccuracy: accuracy, removedPercent: removed, seconds };
  process.stdout.write(
    `${name.padEnd(28)} test accuracy ${(100 * accuracy).toFixed(2)} %, removed ${removed.toFixed(1)} %, ${seconds.toFixed(1)} s\n`,
  );
  return row;
};

process.stdout.write(
  `plug-in vs plain, ${N} MNIST training images, 10 epochs, Adam 1e-3, batch 100; ${cpus()[0]?.model ?? 'CPU'}, backend ${tf.getBackend()}, seed ${seed}\n`,
);
const rows = [
  await run('plain', models.plain(), []),
  await run('sparsevd, no warm-up', models.sparse(), []),
  await run('sparsevd + KlWarmup', models.sparse(), [new KlWarmup()]),
  await run('sparsevd + KlWarmup + trainClip', models.sparse({ trainClip: true }), [new KlWarmup()]),
  await run('sparsevd + warm-up 0→10', models.sparse(), [
    new KlWarmup({ schedule: { kind: 'linear', start: 0, end: 10 } }),
  ]),
  await run('sparsevd + warm-up 2→8 + trainClip', models.sparse({ trainClip: true }), [
    new KlWarmup({ schedule: { kind: 'linear', start: 2, end: 8 } }),
  ]),
  // A KL weight held below 1 (a tempered posterior): not the SGVLB any more, shown for the trade-off.
  await run('sparsevd, KL weight 0.1', models.sparse(), [
    new KlWarmup({ schedule: { kind: 'constant', value: 0.1 } }),
  ]),
  await run('sparsevd, KL weight 0.02', models.sparse(), [
    new KlWarmup({ schedule: { kind: 'constant', value: 0.02 } }),
  ]),
];
mkdirSync('bench-out', { recursive: true });
writeFileSync(
  'bench-out/plugin-warmup.json',
  `${JSON.stringify({ cpu: cpus()[0]?.model, backend: tf.getBackend(), seed, rows }, null, 2)}\n`,
);

#!/usr/bin/env node
// What structure buys at inference: LeNet-5-Caffe with SBP unit noise on top of SparseVD, the units kept set to a
// given structure, on each backend named (default: native, wasm), batch 1 and batch 100, in one run:
//   dense eval  — the trained network as it is evaluated (every unit, removed ones multiplied by 0: the masks
//                 and E θ are computed from the variational parameters on each call);
//   plain       — the ordinary LeNet-5-Caffe (dense conv and dense layers, nothing removed): the architecture;
//   compacted   — @sparsevd/pruning's compact(): the ordinary network without the removed units.
// Structures (conv1 filters – conv2 filters – fc1 inputs – fc2 inputs): the SBP paper's 3-18-284-283, Bayesian
// Compression's 5-10-76-16 (the target structure) and L0-sep's 9-18-65-25. The units are set, not
// trained (a benchmark of speed, not of accuracy). `--run DIR` adds a trained LeNet-5-Caffe run's network as it
// ended (from DIR/checkpoint.ckpt, e.g. .repro/lenet5-mnist-sbp-sparsevd-dense-init-s1): its units and its
// per-weight sparsity inside them. `--structure c1-c2-f1-f2` adds a structure of one's own, set the same way (a
// finished run's units when its checkpoint is gone: the speed depends on the units, not on the trained values).
// Medians over repetitions; ratio = dense eval / compacted, same backend and batch.
// Usage: node tools/bench/structured-inference.mjs [backend...] [--repeats N] [--run DIR]... [--structure S]...
//        (default: native wasm, 100, the three published structures only)
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@sparsevd/backend';
import { cpuLine } from '@sparsevd/cli';
import { lenet5Caffe } from '@sparsevd/models';
import { compact, structureReport } from '@sparsevd/pruning';
import { restoreNetwork } from '@sparsevd/train';
import { readCheckpoint } from '@sparsevd/train/node';
import * as tf from '@tensorflow/tfjs-core';

const { values: flags, positionals: backends } = parseArgs({
  options: {
    repeats: { type: 'string', default: '100' },
    run: { type: 'string', multiple: true, default: [] },
    structure: { type: 'string', multiple: true, default: [] },
  },
  allowPositionals: true,
});
const repeats = Number(flags.repeats);
if (!(Number.isInteger(repeats) && repeats > 0)) {
  process.stderr.write(`--repeats: expected a positive integer, got ${flags.repeats}\n`);
  process.exit(2);
}
const chosen = backends.length > 0 ? backends : ['native', 'wasm'];
// A run named by --run must have a checkpoint before anything is timed.
for (const dir of flags.run) {
  if (!existsSync(join(dir, 'checkpoint.ckpt'))) {
    process.stderr.write(`--run ${dir}: no checkpoint.ckpt there; is it a sparsevd run directory?\n`);
    process.exit(2);
  }
}

/** A trained run's network and parameters, from its checkpoint; exits with the reason when it cannot. */
const trainedRun = async (dir) => {
  const path = join(dir, 'checkpoint.ckpt');
  const read = await readCheckpoint(path)();
  if (read._tag === 'Left') {
    process.stderr.write(`--run ${dir}: ${read.left.message}\n`);
    process.exit(2);
  }
  if (read.right.config.model !== 'lenet5') {
    process.stderr.write(
      `--run ${dir}: a ${read.right.config.model} run; this benchmark times LeNet-5-Caffe\n`,
    );
    process.exit(2);
  }
  const restored = restoreNetwork(read.right);
  if (restored._tag === 'Left') {
    process.stderr.write(`--run ${dir}: ${restored.left.message}\n`);
    process.exit(2);
  }
  return restored.right;
};

/** `c1-c2-f1-f2` as four unit counts within LeNet-5-Caffe's 20-50-800-500 (fc1 inputs come from kept conv2 filters). */
const parseStructure = (text) => {
  const parts = text.split('-').map(Number);
  const [c1, c2, f1, f2] = parts;
  const ok =
    parts.length === 4 &&
    parts.every((n) => Number.isInteger(n) && n >= 1) &&
    c1 <= 20 &&
    c2 <= 50 &&
    f1 <= 16 * c2 &&
    f2 <= 500;
  if (!ok) {
    process.stderr.write(
      `--structure ${text}: expected c1-c2-f1-f2, positive integers with c1 ≤ 20, c2 ≤ 50, f1 ≤ 16·c2, f2 ≤ 500\n`,
    );
    process.exit(2);
  }
  return parts;
};
const given = flags.structure.map((text) => ['given', parseStructure(text)]);

const STRUCTURES = [
  ['SBP (Neklyudov 2017)', [3, 18, 284, 283]],
  ['Bayesian Compression (Louizos 2017)', [5, 10, 76, 16]],
  ['L0-sep (Louizos 2018)', [9, 18, 65, 25]],
  ...given,
  ...flags.run.map((dir) => [`trained ${basename(dir)}`, dir]),
];

let state = 7;
const uniform = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Keeps the units `keep(u)` of a unit-noise layer (SNR ≫ 1) and removes the rest (SNR < 1). */
const keepUnits = (p, keep) => {
  const units = p.mu.shape[0];
  p.mu.assign(tf.tensor1d(Array.from({ length: units }, (_, u) => (keep(u) ? -0.01 : -3))));
  p.logSigma.assign(tf.tensor1d(Array.from({ length: units }, (_, u) => (keep(u) ? -5 : 2))));
};
/** SparseVD: keeps about `share` of a layer's weights (log α −6), prunes the rest (log α 5). */
const keepWeights = (p, share) => {
  const pattern = Array.from({ length: p.theta.size }, () => (uniform() < share ? -6 : 5));
  p.logSigma2.assign(
    tf.tidy(() => tf.add(tf.log(tf.add(tf.square(p.theta), 1e-8)), tf.tensor(pattern, p.theta.shape))),
  );
};

/** LeNet-5-Caffe with unit noise, initialised, then the units kept set to `c1-c2-f1-f2` (not trained). */
const setStructure = ([c1, c2, f1, f2]) => {
  const { network, inputShape } = lenet5Caffe({ unitNoise: true });
  const params = network.init(1, { inputShape });
  keepUnits(params.conv1_units, (u) => u < c1);
  keepUnits(params.conv2_units, (u) => u < c2);
  // fc1's inputs are the flattened 4×4×50 map (index = position·50 + filter): keep f1 of those whose filter is kept.
  keepUnits(params.fc1_inputs, (i) => i % 50 < c2 && Math.floor(i / 50) * c2 + (i % 50) < f1);
  keepUnits(params.fc1_units, (u) => u < f2);
  // Every weight of a kept unit is kept: the units alone make the structure (per-weight sparsity inside the
  // kept units changes neither network's dense products).
  for (const layer of ['conv1', 'conv2', 'fc1', 'fc2']) keepWeights(params[layer], 1);
  return { network, inputShape, params };
};

const time = (fn, n) => {
  for (let i = 0; i < 5; i++) fn();
  const samples = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(n / 2)];
};

const cpu = cpuLine();
process.stdout.write(
  `LeNet-5-Caffe, SBP + SparseVD, units set; median of ${repeats} after 5 warm-up; ${cpu}\n\n`,
);
process.stdout.write(
  '| structure | backend | batch | dense eval ms | plain ms | compacted ms | vs dense eval | vs plain | FLOPs ratio |\n|---|---|---|---|---|---|---|---|---|\n',
);

for (const backend of chosen) {
  const started = await selectBackend({ backend, env: {} })();
  if (started._tag === 'Left') {
    process.stdout.write(
      `| – | ${backend} | – | not available: ${started.left.message.split('\n')[0]} | | | |\n`,
    );
    continue;
  }
  for (const [label, structure] of STRUCTURES) {
    const { network, inputShape, params } =
      typeof structure === 'string' ? await trainedRun(structure) : setStructure(structure);
    const report = structureReport(network, params, inputShape);
    const compacted = compact(network, params, inputShape);
    const plain = lenet5Caffe({ variant: 'dense' });
    const plainParams = plain.network.init(1, { inputShape });
    for (const batch of [1, 100]) {
      const x = tf.randomUniform([batch, ...inputShape], 0, 1, 'float32', 3);
      const run = (net, p) => () => {
        const y = tf.tidy(() => net.apply(p, x, 'eval'));
        y.dataSync();
        y.dispose();
      };
      const dense = time(run(network, params), repeats);
      const full = time(run(plain.network, plainParams), repeats);
      const small = time(run(compacted.network, compacted.params), repeats);
      process.stdout.write(
        `| ${label}: ${report.units} | ${backend} | ${batch} | ${dense.toFixed(3)} | ${full.toFixed(3)} | ${small.toFixed(3)} | ${(dense / small).toFixed(2)}× | ${(full / small).toFixed(2)}× | ${(report.flops.before / report.flops.after).toFixed(1)}× |\n`,
      );
      x.dispose();
    }
    tf.dispose(Object.values(compacted.params).flatMap((p) => Object.values(p)));
    tf.dispose(Object.values(plainParams).flatMap((p) => Object.values(p)));
    tf.dispose(Object.values(params).flatMap((p) => Object.values(p)));
  }
}

#!/usr/bin/env node
// Variance of ∂L/∂θ under the multiplicative parameterization divided by that under the additive one, for
// the same posterior N(θ, α·θ²), on a 20 → 5 dense layer (batch 64, softmax cross-entropy), 200 noise
// draws, with weight sampling and with the local reparameterization trick, on each backend given.
// Usage: node tools/bench/gradient-variance.mjs [--json FILE] [backend...]   (default: cpu wasm)
//   --json FILE: also write the table (with the CPU) as JSON; docs/results.md quotes
//   docs/results/gradient-variance.json.
import { writeFileSync } from 'node:fs';
import { selectBackend } from '@sparsevd/backend';
import { cpuLine } from '@sparsevd/cli';
import { gradientVariance, lrtDense, sampleWeights } from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonOut = jsonAt === -1 ? undefined : args[jsonAt + 1];
if (jsonAt !== -1 && jsonOut === undefined) throw new Error('--json: needs a file name');
const named = args.filter((_, i) => jsonAt === -1 || (i !== jsonAt && i !== jsonAt + 1));
const backends = named.length > 0 ? named : ['cpu', 'wasm'];
const logAlphas = [-2, 0, 2, 4, 6];

const ratio = (logAlphaValue, estimator) =>
  tf.tidy(() => {
    const x = tf.randomNormal([64, 20], 0, 1, 'float32', 1);
    const labels = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 64 }, (_, i) => i % 5),
        'int32',
      ),
      5,
    );
    const theta = tf.randomNormal([20, 5], 0, 0.3, 'float32', 2);
    const logAlpha = tf.fill([20, 5], logAlphaValue);
    const logSigma2 = tf.add(logAlpha, tf.log(tf.square(theta)));
    const forward = (p, seed) =>
      estimator === 'lrt' ? lrtDense(x, p, { seed }) : tf.matMul(x, sampleWeights(p, { seed }));
    const loss = (p, seed) => tf.losses.softmaxCrossEntropy(labels, forward(p, seed));
    const options = { draws: 200, seed: 10 };
    const mult = gradientVariance(
      (p, s) => loss({ kind: 'multiplicative', ...p }, s),
      { theta, logAlpha },
      options,
    );
    const add = gradientVariance(
      (p, s) => loss({ kind: 'additive', ...p }, s),
      { theta, logSigma2 },
      options,
    );
    const vm = tf.mean(mult.variance.theta).dataSync()[0];
    const va = tf.mean(add.variance.theta).dataSync()[0];
    return { vm, va, ratio: vm / va };
  });

process.stdout.write(`| backend | estimator | ${logAlphas.map((la) => `log α = ${la}`).join(' | ')} |\n`);
process.stdout.write(`|---|---|${logAlphas.map(() => '---').join('|')}|\n`);
const rows = [];
for (const backend of backends) {
  const chosen = await selectBackend({ backend, env: {} })();
  if (chosen._tag === 'Left') throw new Error(chosen.left.message);
  for (const estimator of ['weights', 'lrt']) {
    const ratios = logAlphas.map((la) => ratio(la, estimator).ratio);
    const name = estimator === 'lrt' ? 'local reparameterization' : 'weight sampling';
    rows.push({ backend, estimator: name, ratios });
    process.stdout.write(`| ${backend} | ${name} | ${ratios.map((r) => `${r.toFixed(1)}×`).join(' | ')} |\n`);
  }
}
if (jsonOut !== undefined) {
  const cpu = cpuLine();
  const setup =
    'a 20 → 5 dense layer, batch 64, softmax cross-entropy, 200 noise draws, mean over the θ entries';
  writeFileSync(jsonOut, `${JSON.stringify({ setup, cpu, logAlphas, rows }, null, 2)}\n`);
}

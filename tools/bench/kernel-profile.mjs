#!/usr/bin/env node
// Where a SparseVD training pass spends its kernel time: tf.profile of forward + backward passes (batch 100)
// of LeNet-300-100 (train-clip), LeNet-5-Caffe, or either with Structured Bayesian Pruning's unit noise
// (`lenet300-sbp`, `lenet5-sbp`, as `--method sbp+sparsevd` trains them) on a backend, summed by kernel name per pass. Profiling adds
// its own overhead to every kernel; use it to rank kernels, and tools/bench/train-step.mjs for step times.
// Usage: node tools/bench/kernel-profile.mjs [lenet300|lenet5|lenet300-sbp|lenet5-sbp] [backend] [passes]
//        (default: lenet300 native 20)
import '@sparsevd/backend/register-gradients';
import { selectBackend } from '@sparsevd/backend';
import { trainableVariables } from '@sparsevd/layers';
import { lenet5Caffe, lenet300100 } from '@sparsevd/models';
import * as tf from '@tensorflow/tfjs-core';

const [model = 'lenet300', backend = 'native', passesArg = '20'] = process.argv.slice(2);
const passes = Number(passesArg);
const chosen = await selectBackend({ backend, env: {} })();
if (chosen._tag === 'Left') throw new Error(chosen.left.message);
const MODELS = {
  lenet300: () => lenet300100({ trainClip: true }),
  lenet5: () => lenet5Caffe({}),
  'lenet300-sbp': () => lenet300100({ trainClip: true, unitNoise: true }),
  'lenet5-sbp': () => lenet5Caffe({ unitNoise: true }),
};
if (!(model in MODELS)) {
  process.stderr.write(`unknown model ${model}; expected one of ${Object.keys(MODELS).join(', ')}\n`);
  process.exit(2);
}
const { network, inputShape } = MODELS[model]();
const params = network.init(1, { inputShape });
const vars = trainableVariables(params);
const x = tf.randomUniform([100, ...inputShape]);
const y = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: 100 }, (_, i) => i % 10),
    'int32',
  ),
  10,
);
const pass = (seed) => {
  const { value, grads } = tf.variableGrads(
    () =>
      tf.add(
        tf.mul(tf.losses.softmaxCrossEntropy(y, network.apply(params, x, 'train', { seed })), 60000),
        network.kl(params),
      ),
    vars,
  );
  tf.dispose([value, ...Object.values(grads)]);
};
pass(1);
pass(2);
const info = await tf.profile(() => {
  for (let i = 0; i < passes; i += 1) pass(i + 3);
});
const time = {};
const count = {};
for (const k of info.kernels) {
  time[k.name] = (time[k.name] ?? 0) + (k.kernelTimeMs ?? 0);
  count[k.name] = (count[k.name] ?? 0) + 1;
}
const total = Object.values(time).reduce((a, b) => a + b, 0);
process.stdout.write(
  `${model} on ${tf.getBackend()}: ${(total / passes).toFixed(2)} ms of kernels per pass, ${info.kernels.length / passes} kernels\n`,
);
for (const [name, ms] of Object.entries(time).sort((a, b) => b[1] - a[1])) {
  process.stdout.write(
    `${(ms / passes).toFixed(3).padStart(8)} ms  ${String(count[name] / passes).padStart(3)}×  ${name}\n`,
  );
}

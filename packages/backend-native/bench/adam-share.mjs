// How much of a LeNet-300-100 SparseVD training step is the Adam update: median ms of the forward + backward
// pass alone and with the trainer's Adam update, on native or another backend.
// Usage (from the repository root): node wip/backend-native/bench/adam-share.mjs native|wasm
import * as tf from '@tensorflow/tfjs-core';
import '@sparsevd/backend/register-gradients';
import { selectBackend } from '@sparsevd/backend';
import { trainableVariables } from '@sparsevd/layers';
import { lenet300100 } from '@sparsevd/models';
import { adamState, adamUpdate } from '@sparsevd/train';
import { registerBackend } from '../dist/index.js';

const backend = process.argv[2];
if (backend === 'native') {
  registerBackend();
  await tf.setBackend('native');
} else await selectBackend({ backend })();
const { network, inputShape } = lenet300100({ trainClip: true });
const params = network.init(1, { inputShape });
const vars = trainableVariables(params);
const adam = adamState(vars);
const x = tf.randomUniform([100, 784]);
const y = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: 100 }, (_, i) => i % 10),
    'int32',
  ),
  10,
);
const step = (withAdam) => {
  const { value, grads } = tf.variableGrads(
    () =>
      tf.add(
        tf.mul(tf.losses.softmaxCrossEntropy(y, network.apply(params, x, 'train', { seed: 1 })), 60000),
        network.kl(params),
      ),
    vars,
  );
  value.dataSync();
  if (withAdam)
    adamUpdate(
      adam,
      vars,
      vars.map((v) => grads[v.name]),
      1e-4,
    );
  tf.dispose([value, ...Object.values(grads)]);
  if (withAdam) vars[0].dataSync();
};
const median = (f) => {
  for (let i = 0; i < 3; i += 1) f();
  const t = [];
  for (let i = 0; i < 100; i += 1) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[50].toFixed(2);
};
console.log(
  backend,
  'grads only',
  median(() => step(false)),
  'ms; with Adam',
  median(() => step(true)),
  'ms',
);

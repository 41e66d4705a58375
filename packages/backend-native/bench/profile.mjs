// tf.profile of one LeNet-300-100 forward + backward pass on native: kernel time by kernel name.
import * as tf from '@tensorflow/tfjs-core';
import '@sparsevd/backend/register-gradients';
import { trainableVariables } from '@sparsevd/layers';
import { lenet300100 } from '@sparsevd/models';
import { registerBackend } from '../dist/index.js';

registerBackend();
await tf.setBackend('native');
const { network, inputShape } = lenet300100({ trainClip: true });
const params = network.init(1, { inputShape });
const vars = trainableVariables(params);
const x = tf.randomUniform([100, 784]);
const y = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: 100 }, (_, i) => i % 10),
    'int32',
  ),
  10,
);
const step = () => {
  const { value, grads } = tf.variableGrads(
    () =>
      tf.add(
        tf.mul(tf.losses.softmaxCrossEntropy(y, network.apply(params, x, 'train', { seed: 1 })), 60000),
        network.kl(params),
      ),
    vars,
  );
  tf.dispose([value, ...Object.values(grads)]);
};
step();
step();
const reps = 20;
const info = await tf.profile(() => {
  for (let i = 0; i < reps; i += 1) step();
});
const agg = {};
const cnt = {};
for (const k of info.kernels) {
  agg[k.name] = (agg[k.name] ?? 0) + (k.kernelTimeMs ?? 0);
  cnt[k.name] = (cnt[k.name] ?? 0) + 1;
}
const total = Object.values(agg).reduce((a, b) => a + b, 0);
console.log('kernel ms per step', (total / reps).toFixed(2), 'kernels per step', info.kernels.length / reps);
console.log(
  Object.entries(agg)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 60)
    .map(([k, v]) => `${k} ${(v / reps).toFixed(3)} (${cnt[k] / reps})`)
    .join('\n'),
);

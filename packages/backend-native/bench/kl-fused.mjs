// Σ KL of a LeNet-300-100 fc1-sized weight tensor (784 × 300) and its gradients: the composed tfjs ops that
// @sparsevd/kl and @sparsevd/estimators run (log α, clip, the approximation, sum, and their gradients) against
// the addon's single fused pass (`klSum`). Checks that both agree, then times them.
// Usage (from the repository root): node wip/backend-native/bench/kl-fused.mjs native|wasm|cpu
import * as tf from '@tensorflow/tfjs-core';
import '@sparsevd/backend/register-gradients';
import { selectBackend } from '@sparsevd/backend';
import { logAlpha } from '@sparsevd/estimators';
import { klSum } from '@sparsevd/kl';
import { loadAddon } from '../dist/addon.js';
import { registerBackend } from '../dist/index.js';

const backend = process.argv[2] ?? 'native';
if (backend === 'native') {
  registerBackend();
  await tf.setBackend('native');
} else await selectBackend({ backend })();
const loaded = loadAddon();
if (!('addon' in loaded)) throw new Error(loaded.reason);
const { addon } = loaded;
const theta = tf.variable(tf.randomNormal([784, 300], 0, 0.05, 'float32', 1));
const logSigma2 = tf.variable(
  tf.add(tf.log(tf.square(theta)), tf.randomUniform([784, 300], -8, 8, 'float32', 2)),
);
const composed = () => {
  const { value, grads } = tf.variableGrads(() => klSum([logAlpha(theta, logSigma2)]), [theta, logSigma2]);
  const out = [value.dataSync()[0], grads[theta.name].dataSync(), grads[logSigma2.name].dataSync()];
  tf.dispose([value, ...Object.values(grads)]);
  return out;
};
const th = theta.dataSync();
const ls = logSigma2.dataSync();
const fused = () => {
  const gt = new Float32Array(th.length);
  const gs = new Float32Array(th.length);
  return [addon.klSum(th, ls, gt, gs, 1), gt, gs];
};
const [v1, gt1, gs1] = composed();
const [v2, gt2, gs2] = fused();
let worst = 0;
for (let i = 0; i < gt1.length; i += 1)
  worst = Math.max(worst, Math.abs(gt1[i] - gt2[i]) / (1 + Math.abs(gt1[i])), Math.abs(gs1[i] - gs2[i]));
const time = (f) => {
  for (let i = 0; i < 3; i += 1) f();
  const t = [];
  for (let i = 0; i < 20; i += 1) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[10];
};
console.log(
  `${backend}: Σ KL composed ${v1.toFixed(1)} vs fused ${v2.toFixed(1)} (relative ${(Math.abs(v1 - v2) / Math.abs(v2)).toExponential(1)}), ` +
    `worst gradient difference ${worst.toExponential(1)}; composed ${time(composed).toFixed(2)} ms, fused ${time(fused).toFixed(2)} ms`,
);

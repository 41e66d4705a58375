import { logAlpha } from '@sparsevd/estimators';
import { kingmaKl, klSum, molchanovKl } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, dense, disposeParams, flatten, relu, sequential, type WeightKlTerm } from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';

const scalar = (t: tf.Scalar): number => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

describe.each(BACKENDS)('choosing the KL term on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  // A formula of the test's own (no edit in kl or layers): 0.5·Σ θ² + Σ exp(log σ²) per weight tensor.
  const quadratic: WeightKlTerm = ({ theta, logSigma2 }) =>
    tf.tidy(() => tf.add(tf.mul(0.5, tf.sum(tf.square(theta))), tf.sum(tf.exp(logSigma2))) as tf.Scalar);
  const byHand = (theta: tf.Tensor, logSigma2: tf.Tensor): number => {
    const t = theta.dataSync();
    const s = logSigma2.dataSync();
    let total = 0;
    for (let i = 0; i < t.length; i += 1) total += 0.5 * (t[i] as number) ** 2 + Math.exp(s[i] as number);
    return total;
  };

  it("a run's KL term changes the network's KL exactly as its formula says", () => {
    const network = sequential([
      conv2d({ filters: 2, kernelSize: 3, name: 'c' }),
      relu(),
      flatten(),
      dense({ units: 3, name: 'd' }),
    ]);
    const params = network.init(3, { inputShape: [5, 5, 1] });
    const [c, d] = network.sparseWeights(params);
    if (c === undefined || d === undefined) throw new Error('two SparseVD layers expected');
    const expected = byHand(c.theta, c.logSigma2) + byHand(d.theta, d.logSigma2);
    expect(scalar(network.kl(params, { kl: quadratic }))).toBeCloseTo(expected, 2);
    // The default is the paper's approximation; kingmaKl is Kingma's, log α clipped to ≤ 0.
    const las = [logAlpha(c.theta, c.logSigma2), logAlpha(d.theta, d.logSigma2)];
    expect(scalar(network.kl(params))).toBeCloseTo(scalar(klSum(las, molchanovKl)), 2);
    expect(scalar(network.kl(params, { kl: kingmaKl }))).toBeCloseTo(scalar(klSum(las, kingmaKl)), 2);
    tf.dispose(las);
    disposeParams(params);
  });

  it("a layer's own KL overrides the run's, and the gradient follows the formula", () => {
    const network = sequential([
      dense({ units: 4, name: 'a', kl: quadratic }),
      relu(),
      dense({ units: 2, name: 'b' }),
    ]);
    const params = network.init(5, { inputShape: [3] });
    const [a, b] = network.sparseWeights(params);
    if (a === undefined || b === undefined) throw new Error('two SparseVD layers expected');
    const laB = logAlpha(b.theta, b.logSigma2);
    const expected = byHand(a.theta, a.logSigma2) + scalar(klSum([laB], kingmaKl));
    expect(scalar(network.kl(params, { kl: kingmaKl }))).toBeCloseTo(expected, 2);
    // ∂/∂θ of 0.5·Σ θ² is θ.
    const { grads } = tf.variableGrads(() => network.kl(params, { kl: kingmaKl }), [a.theta]);
    const g = grads[a.theta.name] as tf.Tensor;
    Array.from(g.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(a.theta.dataSync()[i] as number, 5);
    });
    tf.dispose([laB, g]);
    disposeParams(params);
  });
});

import { lrtConv2d, lrtDense } from '@sparsevd/estimators';
import { negKlMolchanov } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, dense, disposeParams, type SparseParams } from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/** A dense layer's params with a known pattern of log α: every third weight has log α well above 3. */
const denseParams = (seed: number) => {
  const layer = dense({ units: 4, name: 'fc' });
  const params = layer.init(seed, { inputShape: [6] });
  // log σ² = log θ² + 5 on every third weight (log α = 5: pruned), log θ² − 6 elsewhere (log α = −6: kept).
  params.logSigma2.assign(
    tf.tidy(() => {
      const logTheta2 = tf.log(tf.square(params.theta));
      const pattern = tf.tensor2d(
        Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 5 : -6)),
        [6, 4],
      );
      return tf.add(logTheta2, pattern);
    }),
  );
  return { layer, params };
};

describe.each(BACKENDS)('SparseVD dense layer on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('train mode is exactly the local reparameterization estimator with the same noise', () => {
    const { layer, params } = denseParams(1);
    tf.tidy(() => {
      const x = tf.randomNormal([5, 6], 0, 1, 'float32', 2);
      const eps = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
      const expected = lrtDense(
        x,
        { kind: 'additive', theta: params.theta, logSigma2: params.logSigma2, bias: params.bias },
        eps,
      );
      expect(values(layer.apply(params, x, 'train', eps))).toEqual(values(expected));
      // A seed gives the same sample as the noise tensor drawn from that seed.
      expect(values(layer.apply(params, x, 'train', { seed: 9 }))).toEqual(
        values(layer.apply(params, x, 'train', tf.randomNormal([5, 4], 0, 1, 'float32', 9))),
      );
    });
    disposeParams(params);
  });

  it('eval mode uses exactly θ masked where log α ≥ 3, mean mode θ unmasked; the mask never changes θ', () => {
    const { layer, params } = denseParams(4);
    const thetaBefore = values(params.theta);
    tf.tidy(() => {
      const xValues = Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
      const x = tf.tensor2d(xValues, [2, 6]);
      params.bias.assign(tf.tensor1d([0.1, -0.2, 0.3, 0]));
      const bias = values(params.bias);
      const expected = (masked: boolean) =>
        [0, 1].flatMap((b) =>
          [0, 1, 2, 3].map((j) => {
            let s = bias[j] as number;
            for (let i = 0; i < 6; i += 1) {
              const k = i * 4 + j;
              if (!masked || k % 3 !== 0) s += (xValues[b * 6 + i] as number) * (thetaBefore[k] as number);
            }
            return s;
          }),
        );
      values(layer.apply(params, x, 'eval')).forEach((v, i) => {
        expect(v).toBeCloseTo(expected(true)[i] as number, 5);
      });
      values(layer.apply(params, x, 'mean')).forEach((v, i) => {
        expect(v).toBeCloseTo(expected(false)[i] as number, 5);
      });
    });
    expect(values(params.theta)).toEqual(thetaBefore);
    disposeParams(params);
  });

  it('trainClip: the training forward pass uses the masked θ too (zero noise gives the eval output)', () => {
    const { params } = denseParams(5);
    const clipped = dense({ units: 4, trainClip: true });
    const plain = dense({ units: 4 });
    tf.tidy(() => {
      const x = tf.randomNormal([3, 6], 0, 1, 'float32', 6);
      const zero = tf.zeros([3, 4]);
      expect(values(clipped.apply(params, x, 'train', zero))).toEqual(
        values(clipped.apply(params, x, 'eval')),
      );
      expect(values(plain.apply(params, x, 'train', zero))).not.toEqual(
        values(plain.apply(params, x, 'eval')),
      );
    });
    disposeParams(params);
  });

  it('gradients reach θ, log σ² and the bias; KL equals Σ negKlMolchanov over the layer’s log α', () => {
    const layer = dense({ units: 3 });
    const params = layer.init(7, { inputShape: [5] });
    const x = tf.randomNormal([4, 5], 0, 1, 'float32', 8);
    const { grads, value } = tf.variableGrads(
      () => tf.add(tf.sum(tf.square(layer.apply(params, x, 'train', { seed: 1 }))), layer.kl(params)),
      [params.theta, params.logSigma2, params.bias],
    );
    for (const v of [params.theta, params.logSigma2, params.bias]) {
      const g = grads[v.name] as tf.Tensor;
      expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
      expect(tf.all(tf.isFinite(g)).dataSync()[0]).toBe(1);
    }
    const kl = layer.kl(params);
    const la = layer.logAlpha(params) as tf.Tensor;
    const reference = tf.neg(tf.sum(negKlMolchanov(la)));
    expect(kl.dataSync()[0]).toBeCloseTo(reference.dataSync()[0] as number, 3);
    tf.dispose([x, value, kl, la, reference, ...Object.values(grads)]);
    disposeParams(params);
  });

  it('leaks no tensors in any mode', () => {
    const layer = dense({ units: 3 });
    const params = layer.init(9, { inputShape: [5] });
    const x = tf.randomNormal([4, 5]);
    const before = tf.memory().numTensors;
    const outs = [
      layer.apply(params, x, 'train', { seed: 1 }),
      layer.apply(params, x, 'eval'),
      layer.apply(params, x, 'mean'),
      layer.kl(params),
      layer.logAlpha(params) as tf.Tensor,
    ];
    expect(tf.memory().numTensors).toBe(before + outs.length);
    tf.dispose([...outs, x]);
    disposeParams(params);
  });

  it('names the layer and both shapes for wrong input, and rejects impossible options', () => {
    const layer = dense({ units: 3, name: 'fc1' });
    const params = layer.init(1, { inputShape: [5] });
    const x = tf.zeros([2, 4]);
    expect(() => layer.apply(params, x, 'eval')).toThrow(
      "dense 'fc1': expected input of shape [batch, 5], got [2, 4]",
    );
    expect(() => layer.apply(params, tf.zeros([2, 5]), 'train')).toThrow(
      "dense 'fc1': train mode needs noise",
    );
    expect(() => dense({ units: 0 })).toThrow('dense: units must be a positive integer, got 0');
    expect(() => dense({ units: 3, threshold: Number.NaN })).toThrow('dense: threshold must be finite');
    expect(() => layer.init(1, { inputShape: [5], logSigma2Init: Number.POSITIVE_INFINITY })).toThrow(
      /logSigma2Init must be finite/,
    );
    expect(() => layer.init(1, { inputShape: [5], weights: { kernel: tf.zeros([4, 3]) } })).toThrow(
      "dense 'fc1': weights.kernel has shape [4, 3], expected [5, 3]",
    );
    tf.dispose(x);
    disposeParams(params);
  });

  it('starts from given weights with the given log σ²', () => {
    const layer = dense({ units: 2 });
    const kernel = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const bias = tf.tensor1d([0.5, -0.5]);
    const params: SparseParams = layer.init(1, {
      inputShape: [3],
      weights: { kernel, bias },
      logSigma2Init: -15,
    });
    expect(values(params.theta)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(values(params.bias)).toEqual([0.5, -0.5]);
    expect(values(params.logSigma2)).toEqual(Array(6).fill(-15));
    tf.dispose([kernel, bias]);
    disposeParams(params);
  });
});

describe.each(BACKENDS)('SparseVD conv2d layer on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('train mode is the conv estimator; eval masks; shapes and weight counts follow the geometry', () => {
    const layer = conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', name: 'c1' });
    expect(layer.outputShape([7, 7, 2])).toEqual([4, 4, 3]);
    expect(layer.weightCount([7, 7, 2])).toBe(3 * 3 * 2 * 3);
    const params = layer.init(1, { inputShape: [7, 7, 2] });
    tf.tidy(() => {
      const x = tf.randomNormal([2, 7, 7, 2], 0, 1, 'float32', 2);
      const eps = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 3);
      const p = {
        kind: 'additive' as const,
        theta: params.theta,
        logSigma2: params.logSigma2,
        bias: params.bias,
      };
      expect(values(layer.apply(params, x, 'train', eps))).toEqual(
        values(lrtConv2d(x, p, eps, { strides: 2, padding: 'same' })),
      );
      // Prune filter 0 entirely: its eval output is the bias alone.
      params.logSigma2.assign(
        tf.add(
          tf.log(tf.square(params.theta)),
          tf.reshape(tf.tile(tf.tensor1d([6, -6, -6]), [3 * 3 * 2]), [3, 3, 2, 3]),
        ),
      );
      params.bias.assign(tf.tensor1d([0.25, 0, 0]));
      const out = layer.apply(params, x, 'eval');
      const channel0 = values(tf.slice(out, [0, 0, 0, 0], [2, 4, 4, 1]));
      for (const v of channel0) expect(v).toBeCloseTo(0.25, 6);
      expect(() => layer.apply(params, tf.zeros([2, 7, 7, 3]), 'eval')).toThrow(
        "conv2d 'c1': expected input of shape [batch, height, width, 2], got [2, 7, 7, 3]",
      );
    });
    disposeParams(params);
  });

  it('gradients reach θ, log σ² and the bias (cpu; tfjs wasm has no Conv2DBackpropFilter)', () => {
    const layer = conv2d({ filters: 2, kernelSize: 3 });
    const params = layer.init(3, { inputShape: [5, 5, 1] });
    const x = tf.randomNormal([2, 5, 5, 1], 0, 1, 'float32', 4);
    const f = () =>
      tf.add(tf.sum(tf.square(layer.apply(params, x, 'train', { seed: 2 }))), layer.kl(params)) as tf.Scalar;
    if (backend === 'wasm') {
      expect(() => tf.variableGrads(f, [params.theta])).toThrow(/Conv2DBackpropFilter/);
    } else {
      const { grads, value } = tf.variableGrads(f, [params.theta, params.logSigma2, params.bias]);
      for (const g of Object.values(grads)) expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([value, ...Object.values(grads)]);
    }
    x.dispose();
    disposeParams(params);
  });
});

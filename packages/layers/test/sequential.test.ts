import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchNorm,
  dense,
  disposeParams,
  dropout,
  flatten,
  maxPool,
  namedVariables,
  plainDense,
  relu,
  sequential,
  trainableVariables,
} from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe.each(BACKENDS)('sequential networks on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  const net = () => sequential([dense({ units: 8, name: 'fc1' }), relu(), dense({ units: 3, name: 'fc2' })]);

  it('lists its parameter tensors with their roles, named as namedVariables names them (the layer protocol)', () => {
    const network = sequential([
      dense({ units: 4, name: 'fc1' }),
      relu(),
      batchNorm({ name: 'bn' }),
      plainDense({ units: 2, name: 'out' }),
    ]);
    const params = network.init(2, { inputShape: [3] });
    const tensors = network.tensors?.(params, '') ?? [];
    expect(tensors.map((t) => [t.name, t.role, t.unitAxis])).toEqual([
      ['fc1/theta', 'theta', 1],
      ['fc1/logSigma2', 'logSigma2', 1],
      ['fc1/bias', 'bias', 0],
      ['bn/gamma', 'scale', 0],
      ['bn/beta', 'shift', 0],
      ['bn/movingMean', 'statistic', 0],
      ['bn/movingVariance', 'statistic', 0],
      ['out/kernel', 'weights', 1],
      ['out/bias', 'bias', 0],
    ]);
    const named = namedVariables(params);
    for (const t of tensors) expect(named[t.name]).toBe(t.variable);
    disposeParams(params);
  });

  it('propagates shapes, counts weights (biases excluded), names its SparseVD weights', () => {
    const network = net();
    expect(network.names).toEqual(['fc1', 'relu_1', 'fc2']);
    expect(network.outputShape([5])).toEqual([3]);
    expect(network.weightCount([5])).toBe(5 * 8 + 8 * 3);
    const params = network.init(1, { inputShape: [5] });
    expect(Object.keys(namedVariables(params))).toEqual([
      'fc1/theta',
      'fc1/logSigma2',
      'fc1/bias',
      'fc2/theta',
      'fc2/logSigma2',
      'fc2/bias',
    ]);
    expect(network.sparseWeights(params).map((w) => [w.name, w.theta.shape])).toEqual([
      ['fc1', [5, 8]],
      ['fc2', [8, 3]],
    ]);
    expect(trainableVariables(params)).toHaveLength(6);
    disposeParams(params);
  });

  it('KL is the sum of the layers’ KL; train mode is reproducible from a seed; nothing leaks', () => {
    const network = net();
    const params = network.init(2, { inputShape: [5] });
    const x = tf.randomNormal([4, 5], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const [l1, l2] = network.layers as [ReturnType<typeof dense>, unknown, ReturnType<typeof dense>];
    const total = network.kl(params);
    const parts = [l1.kl(params.fc1 as never), (network.layers[2] as typeof l1).kl(params.fc2 as never)];
    expect(total.dataSync()[0]).toBeCloseTo(
      (parts[0]?.dataSync()[0] as number) + (parts[1]?.dataSync()[0] as number),
      2,
    );
    const a = network.apply(params, x, 'train', { seed: 5 });
    const b = network.apply(params, x, 'train', { seed: 5 });
    const c = network.apply(params, x, 'train', { seed: 6 });
    expect(values(a)).toEqual(values(b));
    expect(values(a)).not.toEqual(values(c));
    expect(tf.memory().numTensors).toBe(before + 6);
    tf.dispose([total, ...parts, a, b, c, x]);
    void l2;
    disposeParams(params);
  });

  it('rejects a noise tensor, duplicate names, and reports the failing layer', () => {
    const network = net();
    const params = network.init(1, { inputShape: [5] });
    expect(() => network.apply(params, tf.zeros([2, 5]), 'train', tf.zeros([2, 3]))).toThrow(
      /pass noise as \{ seed \}/,
    );
    expect(() => network.apply(params, tf.zeros([2, 6]), 'eval')).toThrow(
      "dense 'fc1': expected input of shape [batch, 5], got [2, 6]",
    );
    expect(() => sequential([relu({ name: 'a' }), relu({ name: 'a' })])).toThrow(
      'sequential: two layers are named "a"',
    );
    disposeParams(params);
  });

  it('initialises from weights keyed "layer/param"', () => {
    const network = sequential([plainDense({ units: 2, name: 'out' })]);
    const kernel = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const params = network.init(1, { inputShape: [2], weights: { 'out/kernel': kernel } });
    expect(values(namedVariables(params)['out/kernel'] as tf.Variable)).toEqual([1, 2, 3, 4]);
    kernel.dispose();
    disposeParams(params);
  });

  it('max-pool, flatten, dropout and batch-norm behave per mode', () => {
    const network = sequential([
      maxPool({ poolSize: 2 }),
      flatten(),
      dropout({ rate: 0.5 }),
      batchNorm({ momentum: 0.5 }),
    ]);
    expect(network.outputShape([4, 4, 2])).toEqual([8]);
    const params = network.init(1, { inputShape: [4, 4, 2] });
    const bn = params['batch-norm_3'] as Record<string, tf.Variable>;
    tf.tidy(() => {
      const x = tf.randomNormal([64, 4, 4, 2], 2, 1, 'float32', 1);
      const evalOut = network.apply(params, x, 'eval');
      // eval: moving statistics start at mean 0, variance 1: batch-norm ≈ identity (ε = 1e-3), no dropout.
      const pooled = tf.reshape(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), [64, 8]);
      values(evalOut).forEach((v, i) => {
        expect(v).toBeCloseTo((values(pooled)[i] as number) / Math.sqrt(1 + 1e-3), 4);
      });
      const trainOut = network.apply(params, x, 'train', { seed: 3 });
      // train: batch statistics normalise each feature to mean 0, variance ≈ 1.
      const { mean } = tf.moments(trainOut, 0);
      for (const m of values(mean)) expect(Math.abs(m)).toBeLessThan(1e-4);
      // The moving mean moved halfway (momentum 0.5) towards the batch mean of the dropped-out features.
      for (const m of values(bn.movingMean as tf.Variable)) expect(m).toBeGreaterThan(0.5);
    });
    expect(() => dropout({ rate: 1 })).toThrow('dropout: rate must be in [0, 1), got 1');
    disposeParams(params);
  });
});

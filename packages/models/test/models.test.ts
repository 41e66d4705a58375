import { disposeParams, trainableVariables } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lenet5Caffe, lenet300100, vggLike } from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';

describe('reference networks: architecture', () => {
  it('have the paper’s weight counts: LeNet-300-100 266 200, LeNet-5-Caffe 430 500 (both variants)', () => {
    for (const variant of ['sparsevd', 'dense'] as const) {
      const a = lenet300100({ variant });
      expect(a.network.weightCount(a.inputShape)).toBe(266_200);
      const b = lenet5Caffe({ variant });
      expect(b.network.weightCount(b.inputShape)).toBe(430_500);
    }
    // LeNet-5-Caffe's flatten boundary: 50 channels of 4×4 = 800 inputs to the first dense layer.
    const lenet5 = lenet5Caffe();
    expect(lenet5.network.layers.map((l) => l.kind)).toEqual([
      'sparsevd-conv2d',
      'relu',
      'maxpool',
      'sparsevd-conv2d',
      'relu',
      'maxpool',
      'flatten',
      'sparsevd-dense',
      'relu',
      'sparsevd-dense',
    ]);
    expect(lenet300100({ variant: 'dense' }).network.layers.map((l) => l.kind)).toEqual([
      'dense',
      'relu',
      'dense',
      'relu',
      'dense',
    ]);
  });

  it('VGG-like has 13 conv layers of widths 64k…512k and the dense 512k layer', () => {
    const vgg = vggLike({ k: 0.25 });
    const convs = vgg.network.layers.filter((l) => l.kind === 'sparsevd-conv2d');
    expect(convs).toHaveLength(13);
    expect(vgg.network.outputShape([32, 32, 3])).toEqual([10]);
    // Σ over blocks of 3·3·in·out (k = 1): the usual 14.7 M conv weights of VGG-16, + 512·512 + 512·10.
    const full = vggLike({ k: 1 });
    expect(full.network.weightCount([32, 32, 3])).toBe(14_710_464 + 512 * 512 + 512 * 10);
    expect(() => vggLike({ k: 0 })).toThrow('vggLike: k must be a positive number, got 0');
  });
});

describe.each(BACKENDS)('reference networks on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('map a batch to 10 logits in every mode', () => {
    for (const model of [
      lenet300100(),
      lenet300100({ variant: 'dense', dropoutRate: 0.2 }),
      lenet5Caffe(),
      vggLike({ k: 0.125 }),
    ]) {
      const params = model.network.init(1, { inputShape: model.inputShape });
      tf.tidy(() => {
        const x = tf.randomUniform([2, ...model.inputShape], 0, 1, 'float32', 2);
        for (const mode of ['train', 'eval', 'mean'] as const) {
          const y = model.network.apply(params, x, mode, { seed: 3 });
          expect(y.shape).toEqual([2, 10]);
          expect(tf.all(tf.isFinite(y)).dataSync()[0]).toBe(1);
        }
      });
      disposeParams(params);
    }
  });

  it('a short SparseVD training run of LeNet-300-100 on random data decreases the loss', () => {
    const { network, inputShape } = lenet300100();
    const params = network.init(7, { inputShape });
    const x = tf.randomUniform([100, 784], 0, 1, 'float32', 8);
    const labels = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 100 }, (_, i) => (i * 7) % 10),
        'int32',
      ),
      10,
    );
    const n = 100;
    const optimizer = tf.train.adam(3e-3);
    const loss = (seed: number) =>
      tf.tidy(() => {
        // SGVLB per example: mean cross-entropy + KL / N.
        const ce = tf.losses.softmaxCrossEntropy(labels, network.apply(params, x, 'train', { seed }));
        return tf.add(ce, tf.div(network.kl(params), n)) as tf.Scalar;
      });
    const first = loss(0).dataSync()[0] as number;
    for (let step = 0; step < 12; step += 1) {
      const value = optimizer.minimize(() => loss(step), true, trainableVariables(params));
      value?.dispose();
    }
    const last = loss(99).dataSync()[0] as number;
    expect(last).toBeLessThan(first * 0.8);
    tf.dispose([x, labels]);
    optimizer.dispose();
    disposeParams(params);
  });
});

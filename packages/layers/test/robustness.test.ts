import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { dense, NonFiniteParameterError, relu, sequential } from '../src/index.js';
import {
  NonFiniteGuard,
  NonFiniteLossError,
  SparseVDConv2D,
  SparseVDDense,
  sparsify,
} from '../src/tfjs-layers/index.js';
import { BACKENDS, useBackend } from './backends.js';

/** A small regression model and data; `poison` puts NaN into one input value. */
const setup = (poison: boolean) => {
  const n = 64;
  const x = tf.tidy(() => {
    const clean = tf.randomNormal([n, 4], 0, 1, 'float32', 1);
    return poison
      ? tf.where(tf.equal(tf.reshape(tf.range(0, n * 4), [n, 4]), 70), tf.scalar(Number.NaN), clean)
      : clean;
  });
  const y = tf.tidy(() => tf.sum(x, 1, true));
  const layer = new SparseVDDense({ units: 1, inputShape: [4], trainingSize: n, seed: 3 });
  const model = tfl.sequential({
    layers: [layer],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  return { x, y, model, layer };
};

describe.each(BACKENDS)('the tfjs-layers plug-in refuses to train on NaN (%s)', (backend) => {
  it('NonFiniteGuard makes fit reject at the first non-finite loss, naming the epoch and batch', async () => {
    await useBackend(backend);
    const { x, y, model } = setup(true);
    const seen: number[] = [];
    const fit = model.fit(x, y, {
      epochs: 5,
      batchSize: 16,
      shuffle: false,
      verbose: 0,
      callbacks: [
        new NonFiniteGuard(),
        new tfl.CustomCallback({ onEpochEnd: async (epoch: number) => void seen.push(epoch) }),
      ],
    });
    const error = await fit.then(
      () => undefined,
      (e: unknown) => e,
    );
    // Input 70 sits in row 17, in the second batch of 16: the loss of that batch is NaN (or, on a backend
    // that reports it finite, the weights are NaN at the end of the first epoch).
    expect(error).toBeInstanceOf(RangeError);
    if (error instanceof NonFiniteLossError) {
      expect([error.epoch, error.batch]).toEqual([0, 1]);
      expect(error.message).toMatch(/^fit stopped: the loss is NaN at batch 2 of epoch 1/);
    } else {
      expect(error).toBeInstanceOf(NonFiniteParameterError);
      expect((error as Error).message).toMatch(
        /^fit stopped after epoch 1: layer "sparse_vd_dense_\w+", tensor "(theta|log_sigma2|bias)"/,
      );
    }
    expect(seen).toEqual([0]); // stopped within the first epoch, not run to the end
    expect((model as unknown as { isTraining: boolean }).isTraining).toBe(false);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('clean data trains through the guard unchanged', async () => {
    await useBackend(backend);
    const { x, y, model } = setup(false);
    const history = await model.fit(x, y, {
      epochs: 2,
      batchSize: 16,
      verbose: 0,
      callbacks: [new NonFiniteGuard()],
    });
    expect(history.history.loss).toHaveLength(2);
    expect((history.history.loss as number[]).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('weights that diverged while the loss stayed finite are caught at the end of the epoch', async () => {
    await useBackend(backend);
    const { x, y, model, layer } = setup(false);
    // A callback before the guard corrupts the bias after the last batch: the loss logs stay finite.
    const corrupt = new tfl.CustomCallback({
      onBatchEnd: async (batch: number) => {
        if (batch === 3) {
          const [theta, logSigma2] = layer.getWeights() as [tf.Tensor, tf.Tensor];
          const bias = tf.tensor1d([Number.POSITIVE_INFINITY]);
          layer.setWeights([theta, logSigma2, bias]);
          bias.dispose();
        }
      },
    });
    const error = await model
      .fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, callbacks: [corrupt, new NonFiniteGuard()] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(NonFiniteParameterError);
    expect((error as NonFiniteParameterError).tensor).toBe('bias');
    expect((error as Error).message).toMatch(
      /^fit stopped after epoch 1: layer "sparse_vd_dense_\w+", tensor "bias" holds 1 non-finite/,
    );
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('bad arguments get errors that name them', () => {
  it('sparsify without options, or with impossible ones', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    const call = sparsify as (m: unknown, o?: unknown) => Promise<unknown>;
    await expect(call(model)).rejects.toThrow(
      'sparsify: options.trainingSize (N, the number of training examples; it scales the KL term) must be a positive integer, got undefined',
    );
    await expect(call(model, {})).rejects.toThrow(/options\.trainingSize .* got undefined/);
    await expect(call(model, { trainingSize: 10, threshold: Number.NaN })).rejects.toThrow(
      'sparsify: options.threshold must be a finite number, got NaN',
    );
    await expect(call({}, { trainingSize: 10 })).rejects.toThrow(
      /first argument must be a tfjs-layers model/,
    );
    model.dispose();
  });

  it('an unknown mode is refused by every layer and by sequential', async () => {
    await useBackend('cpu');
    const net = sequential([dense({ units: 3, name: 'fc' }), relu()]);
    const params = net.init(1, { inputShape: [4] });
    const x = tf.ones([2, 4]);
    const apply = net.apply as (p: unknown, x: tf.Tensor, mode: string) => tf.Tensor;
    expect(() => apply(params, x, 'predict')).toThrow(/mode must be one of train, eval, mean, got "predict"/);
    const layer = net.layers[0] as { apply: (p: unknown, x: tf.Tensor, mode: string) => tf.Tensor };
    expect(() => layer.apply(params.fc, x, 'test')).toThrow(
      /dense 'fc': mode must be one of train, eval, mean, got "test"/,
    );
    const plain = net.layers[1] as { apply: (p: unknown, x: tf.Tensor, mode: string) => tf.Tensor };
    expect(() => plain.apply({}, x, 'Eval')).toThrow(/mode must be one of train, eval, mean, got "Eval"/);
    x.dispose();
  });

  it("the conv layer's shape error shows the batch dimension by name", () => {
    const conv = new SparseVDConv2D({ filters: 2, kernelSize: 3, trainingSize: 10 });
    expect(() => conv.build([null, 784])).toThrow(
      /SparseVDConv2D '\w+': expects NHWC inputs \[batch, h, w, c\], got \[batch, 784\]$/,
    );
  });
});

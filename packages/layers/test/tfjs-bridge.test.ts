import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams } from '../src/index.js';
import {
  fromLayersModel,
  KlWarmup,
  SBPUnitNoise,
  SparseVDConv2D,
  SparseVDDense,
  toLayersModel,
} from '../src/tfjs-layers/index.js';
import { BACKENDS, useBackend } from './backends.js';

const values = (t: tf.Tensor | tf.Tensor[]): number[] => Array.from((t as tf.Tensor).dataSync());
const close = (a: number[], b: number[], tol = 1e-5) => {
  expect(b).toHaveLength(a.length);
  a.forEach((v, i) => {
    expect(Math.abs(v - (b[i] as number))).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v)));
  });
};

/** A LeNet-like tfjs-layers model with SparseVD and plain layers, its log σ² spread so some weights prune. */
const convModel = () => {
  const model = tfl.sequential({
    layers: [
      new SparseVDConv2D({
        filters: 3,
        kernelSize: 3,
        inputShape: [8, 8, 1],
        trainingSize: 500,
        activation: 'relu',
        seed: 1,
        name: 'c1',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tfl.layers.flatten({ name: 'f' }),
      new SparseVDDense({
        units: 6,
        trainingSize: 500,
        activation: 'relu',
        trainClip: true,
        seed: 2,
        name: 'd1',
      }),
      tfl.layers.dropout({ rate: 0.3, name: 'drop' }),
      tfl.layers.dense({ units: 4, name: 'out' }),
    ],
  });
  for (const name of ['c1', 'd1']) {
    const layer = model.getLayer(name);
    const [theta, , bias] = layer.getWeights() as [tf.Tensor, tf.Tensor, tf.Tensor];
    const logSigma2 = tf.randomUniform(theta.shape, -12, 2, 'float32', 3);
    layer.setWeights([theta, logSigma2, bias]);
    logSigma2.dispose();
  }
  return model;
};

describe.each(BACKENDS)('the tfjs-layers bridge on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('fromLayersModel: the network value predicts what the model predicts, and toLayersModel goes back', () => {
    const model = convModel();
    const { network, params, inputShape } = fromLayersModel(model);
    expect(inputShape).toEqual([8, 8, 1]);
    expect(network.layers.map((l) => l.kind)).toEqual([
      'sparsevd-conv2d',
      'relu',
      'maxpool',
      'flatten',
      'sparsevd-dense',
      'relu',
      'dropout',
      'dense',
    ]);
    expect(network.layers[4]?.config).toMatchObject({ threshold: 3, trainClip: true });
    const x = tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 4);
    const expected = values(model.predict(x) as tf.Tensor);
    close(expected, values(network.apply(params, x, 'eval')));
    // Pruning reads the value: the same log α as the layers.
    const [c1, d1] = network.sparseWeights(params);
    expect(c1?.name).toBe('c1');
    expect(d1?.name).toBe('d1');
    const back = toLayersModel(network, params, inputShape, { trainingSize: 500 });
    close(expected, values(back.predict(x) as tf.Tensor));
    expect(back.getLayer('d1').getConfig()).toMatchObject({
      trainClip: true,
      threshold: 3,
      activation: 'relu',
    });
    disposeParams(params);
  });

  it('SBPUnitNoise: unit noise in a tfjs-layers model — its KL in the losses, fit with KlWarmup, both bridges', async () => {
    const model = tfl.sequential({
      layers: [
        new SparseVDDense({ units: 8, inputShape: [6], trainingSize: 200, seed: 3, name: 'd1' }),
        new SBPUnitNoise({ trainingSize: 200, seed: 4, name: 'sbp' }),
        tfl.layers.activation({ activation: 'relu', name: 'a1' }),
        tfl.layers.dense({ units: 3, name: 'out' }),
      ],
    });
    const sbp = model.getLayer('sbp') as SBPUnitNoise;
    // Units 0–2 removed (wide posterior, SNR < 1), the rest kept.
    sbp.setWeights([
      tf.tensor1d([-3, -3, -3, 0, -0.1, -0.2, 0, -0.5]),
      tf.tensor1d([2, 2, 2, -5, -4, -4, -3, -5]),
    ]);
    const x = tf.randomUniform([7, 6], 0, 1, 'float32', 5);
    const expected = values(model.predict(x) as tf.Tensor);
    const { network, params, inputShape } = fromLayersModel(model);
    expect(network.layers.map((l) => l.kind)).toEqual(['sparsevd-dense', 'sbp-unit-noise', 'relu', 'dense']);
    close(expected, values(network.apply(params, x, 'eval')));
    const klLoss = (sbp.losses[0] as unknown as () => tf.Scalar)();
    const klValue = tf.tidy(() => tf.div(network.layers[1]?.kl(params.sbp as never) as tf.Scalar, 200));
    close(values(klValue), values(klLoss), 1e-4);
    tf.dispose([klLoss, klValue]);
    const back = toLayersModel(network, params, inputShape, { trainingSize: 200 });
    expect(back.getLayer('sbp').getClassName()).toBe('SBPUnitNoise');
    close(expected, values(back.predict(x) as tf.Tensor));
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0], 'int32'), 3);
    const warmup = new KlWarmup({ schedule: { kind: 'linear', start: 0, end: 1 } });
    const history = await model.fit(x, y, { epochs: 2, batchSize: 7, callbacks: [warmup], verbose: 0 });
    expect(history.history.loss?.every((l) => Number.isFinite(l as number))).toBe(true);
    disposeParams(params);
    tf.dispose([x, y]);
  });

  it('fromLayersModel names what it cannot convert', () => {
    const gru = tfl.sequential({
      layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation: 'tanh' })],
    });
    expect(() => fromLayersModel(gru)).toThrow(/layer "dense_\w+" has activation "tanh"/);
    expect(() => fromLayersModel({} as tfl.LayersModel)).toThrow(
      'fromLayersModel: the argument must be a tfjs-layers model',
    );
  });

  it('setKlWeight scales the KL term the layer adds to the loss (rw · Σ KL / N), and rejects a bad weight', () => {
    const layer = new SparseVDDense({ units: 3, inputShape: [4], trainingSize: 10, seed: 8 });
    tfl.sequential({ layers: [layer] });
    const loss = () => {
      const f = layer.losses[0] as unknown as () => tf.Scalar;
      const t = f();
      const v = t.dataSync()[0] as number;
      t.dispose();
      return v;
    };
    const full = loss();
    const kl = layer.klPerExample();
    expect(full).toBeCloseTo(kl.dataSync()[0] as number, 5);
    kl.dispose();
    layer.setKlWeight(0);
    expect(loss()).toBe(0);
    layer.setKlWeight(0.25);
    expect(loss()).toBeCloseTo(full / 4, 5);
    expect(() => layer.setKlWeight(-1)).toThrow(/the KL weight must be finite and ≥ 0, got -1/);
  });

  it('KlWarmup follows the paper schedule scaled to the fit, logs kl, kl_weight and data_loss', async () => {
    const n = 200;
    const x = tf.randomNormal([n, 10], 0, 1, 'float32', 5);
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 3),
        'int32',
      ),
      3,
    );
    const model = tfl.sequential({
      layers: [
        new SparseVDDense({ units: 8, inputShape: [10], trainingSize: n, activation: 'relu', seed: 6 }),
        new SparseVDDense({ units: 3, trainingSize: n, activation: 'softmax', seed: 7 }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const weights: number[] = [];
    const history = await model.fit(x, y, {
      epochs: 40,
      batchSize: 50,
      callbacks: [
        new KlWarmup(),
        new tfl.CustomCallback({
          onEpochEnd: async (_epoch, logs) => {
            weights.push(Number(logs?.kl_weight));
          },
        }),
      ],
    });
    // 40 epochs: rw is 0 until epoch 1 (2.5 %), 1 from epoch 4 (10 %); at the end of epoch e (batch 3 of 4)
    // t = e + 0.75, so rw = clamp((e + 0.75 − 1) / 3, 0, 1).
    weights.forEach((w, e) => {
      expect(w).toBeCloseTo(Math.min(1, Math.max(0, (e - 0.25) / 3)), 6);
    });
    const h = history.history as Record<string, number[]>;
    expect(h.kl).toHaveLength(40);
    // Epoch 0 has rw = 0: its loss is the data term alone.
    expect(h.data_loss?.[0]).toBeCloseTo(h.loss?.[0] as number, 5);
    expect((h.data_loss?.[39] as number) < (h.loss?.[39] as number)).toBe(true);
    tf.dispose([x, y]);
  });
});

import { klSum } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { SparseVDConv2D, SparseVDDense, sparsify } from '../src/tfjs-layers/index.js';
import { BACKENDS, useBackend } from './backends.js';

const values = (t: tf.Tensor | tf.Tensor[]): number[] => Array.from((t as tf.Tensor).dataSync());

/** Saves a model to memory and loads it back (no file system, no network). */
const roundTrip = async (model: tfl.LayersModel): Promise<tfl.LayersModel> => {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
};

describe.each(BACKENDS)('tfjs-layers plug-in on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('model.fit prunes the 15 pure-noise inputs of 20 (log α > 3) and keeps the 5 informative ones', async () => {
    // y = x[:, :5]·w + 0.1·noise; inputs 5…19 carry nothing. Linear layer, mean squared error, Adam with
    // the paper's linear decay of the learning rate to 0 (without it Adam's jitter keeps θ of the noise
    // inputs from settling at 0).
    const n = 1000;
    const x = tf.randomNormal([n, 20], 0, 1, 'float32', 1);
    const w = tf.tensor2d([[1.5], [-1], [0.8], [-1.2], [1]]);
    const y = tf.tidy(() =>
      tf.add(tf.matMul(tf.slice(x, [0, 0], [n, 5]), w), tf.randomNormal([n, 1], 0, 0.1, 'float32', 101)),
    );
    const layer = new SparseVDDense({ units: 1, inputShape: [20], trainingSize: n, seed: 201 });
    const model = tfl.sequential({ layers: [layer] });
    const optimizer = tf.train.adam(0.05);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const epochs = 100;
    await model.fit(x, y, {
      epochs,
      batchSize: 100,
      verbose: 0,
      callbacks: {
        onEpochBegin: async (epoch) => {
          // tfjs declares learningRate protected; setting it is how a schedule changes Adam's step size.
          (optimizer as unknown as { learningRate: number }).learningRate = 0.05 * (1 - epoch / epochs);
        },
      },
    });
    const logAlpha = values(layer.logAlpha());
    for (const la of logAlpha.slice(0, 5)) expect(la).toBeLessThan(-4);
    for (const la of logAlpha.slice(5)) expect(la).toBeGreaterThan(3);
    // The pruned model (predict = eval mode) still fits: error close to the 0.1 noise level.
    const mse = tf.tidy(
      () => tf.mean(tf.square(tf.sub(model.predict(x) as tf.Tensor, y))).dataSync()[0] as number,
    );
    expect(mse).toBeLessThan(0.02);
    tf.dispose([x, w, y]);
    model.dispose();
  });

  it('adds the KL term as Σ KL / N, samples noise only when training, and round-trips through save/load', async () => {
    const model = tfl.sequential({
      layers: [
        new SparseVDConv2D({
          filters: 3,
          kernelSize: 3,
          inputShape: [6, 6, 1],
          trainingSize: 500,
          seed: 1,
          activation: 'relu',
        }),
        tfl.layers.flatten(),
        new SparseVDDense({ units: 4, trainingSize: 500, seed: 2, activation: 'softmax', threshold: 2.5 }),
      ],
    });
    const dense = model.layers[2] as SparseVDDense;
    const conv = model.layers[0] as SparseVDConv2D;
    const losses = tf.tidy(() =>
      model.layers.flatMap((l) => l.calculateLosses()).map((l) => l.dataSync()[0] as number),
    );
    const expected = tf.tidy(() =>
      [conv, dense].map((l) => (klSum([l.logAlpha()]).dataSync()[0] as number) / 500),
    );
    expect(losses).toHaveLength(2);
    losses.forEach((l, i) => {
      expect(l).toBeCloseTo(expected[i] as number, 4);
    });

    const x = tf.randomNormal([5, 6, 6, 1], 0, 1, 'float32', 3);
    const a = model.predict(x) as tf.Tensor;
    const b = model.predict(x) as tf.Tensor;
    expect(values(a)).toEqual(values(b));
    const t1 = tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
    const t2 = tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
    expect(values(t1)).not.toEqual(values(t2));

    const loaded = await roundTrip(model);
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([
      'SparseVDConv2D',
      'Flatten',
      'SparseVDDense',
    ]);
    expect(loaded.layers[2]?.getConfig()).toMatchObject({
      units: 4,
      trainingSize: 500,
      threshold: 2.5,
      activation: 'softmax',
    });
    const c = loaded.predict(x) as tf.Tensor;
    values(c).forEach((v, i) => {
      expect(v).toBe(values(a)[i]);
    });
    tf.dispose([x, a, b, t1, t2, c]);
    model.dispose();
    loaded.dispose();
  });

  it('sparsify turns a trained Dense/Conv2D model into SparseVD layers with the same predictions', async () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const h = tfl.layers
      .conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' })
      .apply(input) as tfl.SymbolicTensor;
    const p = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tfl.SymbolicTensor;
    const f = tfl.layers.flatten().apply(p) as tfl.SymbolicTensor;
    const out = tfl.layers
      .dense({ units: 3, activation: 'softmax', name: 'out' })
      .apply(f) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const x = tf.randomNormal([6, 8, 8, 1], 0, 1, 'float32', 4);
    const sparse = await sparsify(model, { trainingSize: 1000 });
    expect(sparse.layers.map((l) => l.getClassName())).toEqual([
      'InputLayer',
      'SparseVDConv2D',
      'MaxPooling2D',
      'Flatten',
      'SparseVDDense',
    ]);
    expect(sparse.getLayer('out').getWeights()[1]?.dataSync()[0]).toBe(-15);
    const before = values(model.predict(x) as tf.Tensor);
    const after = values(sparse.predict(x) as tf.Tensor);
    after.forEach((v, i) => {
      expect(v).toBeCloseTo(before[i] as number, 4);
    });
    // The original is untouched and still a plain model.
    expect(model.layers.map((l) => l.getClassName())).toContain('Dense');
    await expect(
      sparsify(
        tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation: 'elu' })] }),
        { trainingSize: 10 },
      ),
    ).rejects.toThrow(/activation "elu"/);
    x.dispose();
    model.dispose();
    sparse.dispose();
  });

  it('rejects impossible options, naming them', () => {
    expect(() => new SparseVDDense({ units: 2, trainingSize: 0 })).toThrow(
      'SparseVDDense: trainingSize (N, the number of training examples) must be a positive integer, got 0',
    );
    expect(
      () => new SparseVDConv2D({ filters: 2, kernelSize: 3, trainingSize: 10, activation: 'gelu' }),
    ).toThrow(/activation "gelu" is not supported/);
  });
});

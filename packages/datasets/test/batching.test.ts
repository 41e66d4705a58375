import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchCount,
  batches,
  type Dataset,
  randomLabels,
  split,
  take,
  toyClassification,
  toyRegression,
} from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';

/** 23 examples of 2×2×3 bytes: value = (example·12 + position) mod 256; labels example mod 5. */
const small: Dataset = {
  name: 'small',
  images: Uint8Array.from({ length: 23 * 12 }, (_, i) => i % 256),
  labels: Uint8Array.from({ length: 23 }, (_, i) => i % 5),
  shape: [2, 2, 3],
  classes: 5,
};

const collect = (it: IterableIterator<{ x: tf.Tensor; y: tf.Tensor; indices: Uint32Array }>) => {
  const out: { x: number[][]; y: number[][]; indices: number[]; shapes: number[][] } = {
    x: [],
    y: [],
    indices: [],
    shapes: [],
  };
  for (const batch of it) {
    out.x.push(Array.from(batch.x.dataSync()));
    out.y.push(Array.from(batch.y.dataSync()));
    out.indices.push(...batch.indices);
    out.shapes.push(batch.x.shape);
    tf.dispose([batch.x, batch.y]);
  }
  return out;
};

describe.each(BACKENDS)('batches on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('visits every example once per epoch, reproducibly from (seed, epoch), reshuffling each epoch', () => {
    const a = collect(batches(small, { batchSize: 5, seed: 1, epoch: 0 }));
    const b = collect(batches(small, { batchSize: 5, seed: 1, epoch: 0 }));
    const c = collect(batches(small, { batchSize: 5, seed: 1, epoch: 1 }));
    expect(a).toEqual(b);
    expect(a.indices).not.toEqual(c.indices);
    expect([...a.indices].sort((p, q) => p - q)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(a.shapes).toEqual([
      [5, 12],
      [5, 12],
      [5, 12],
      [5, 12],
      [3, 12],
    ]);
    const unshuffled = collect(batches(small, { batchSize: 10, shuffle: false }));
    expect(unshuffled.indices).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it('keeps or drops the last partial batch, and lays out flat or NHWC with one-hot or index labels', () => {
    expect(batchCount(small, { batchSize: 5 })).toBe(5);
    expect(batchCount(small, { batchSize: 5, dropLast: true })).toBe(4);
    expect(collect(batches(small, { batchSize: 5, dropLast: true })).shapes).toHaveLength(4);
    const [first] = batches(small, { batchSize: 4, shuffle: false, layout: 'nhwc', labels: 'indices' });
    expect(first?.x.shape).toEqual([4, 2, 2, 3]);
    expect(first?.y.dtype).toBe('int32');
    expect(Array.from(first?.y.dataSync() ?? [])).toEqual([0, 1, 2, 3]);
    tf.dispose([first?.x as tf.Tensor, first?.y as tf.Tensor]);
    const [onehot] = batches(small, { batchSize: 2, shuffle: false });
    expect(Array.from(onehot?.y.dataSync() ?? [])).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(onehot?.y.dtype).toBe('float32');
    tf.dispose([onehot?.x as tf.Tensor, onehot?.y as tf.Tensor]);
    // A label outside [0, classes) one-hot encodes to a row of zeros, as tf.oneHot does.
    const [odd] = batches(
      { ...small, labels: Uint8Array.from(small.labels, (l) => (l === 1 ? 9 : l)) },
      {
        batchSize: 3,
        shuffle: false,
      },
    );
    expect(Array.from(odd?.y.dataSync() ?? [])).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    tf.dispose([odd?.x as tf.Tensor, odd?.y as tf.Tensor]);
  });

  it('normalises to [0, 1] (bytes / 255) or per channel with given or the dataset’s statistics', () => {
    const unit = collect(batches(small, { batchSize: 23, shuffle: false }));
    // Exactly the float32 rounding of the double-precision value.
    expect(unit.x[0]).toEqual(Array.from({ length: 23 * 12 }, (_, i) => Math.fround((i % 256) * (1 / 255))));
    const given = collect(
      batches(small, {
        batchSize: 23,
        shuffle: false,
        normalize: { mean: [0.5, 0.5, 0], std: [0.5, 0.25, 1] },
      }),
    );
    given.x[0]?.forEach((v, i) => {
      const c = i % 3;
      expect(v).toBeCloseTo(
        ((i % 256) / 255 - ([0.5, 0.5, 0][c] as number)) / ([0.5, 0.25, 1][c] as number),
        5,
      );
    });
    const standardized = collect(batches(small, { batchSize: 23, shuffle: false, normalize: 'standardize' }))
      .x[0] as number[];
    for (let c = 0; c < 3; c += 1) {
      const vs = standardized.filter((_, i) => i % 3 === c);
      const mean = vs.reduce((s, v) => s + v, 0) / vs.length;
      const variance = vs.reduce((s, v) => s + (v - mean) ** 2, 0) / vs.length;
      expect(mean).toBeCloseTo(0, 5);
      expect(variance).toBeCloseTo(1, 4);
    }
    expect(() => batches(small, { batchSize: 2, normalize: { mean: [0], std: [1] } })).toThrow(
      /needs 3 means and stds/,
    );
    expect(() => batches(small, { batchSize: 0 })).toThrow(
      'batches: batchSize must be a positive integer, got 0',
    );
  });

  it('makes no tensors beyond the batches it yields', () => {
    const before = tf.memory().numTensors;
    for (const batch of batches(small, { batchSize: 4, seed: 3 })) {
      expect(tf.memory().numTensors).toBe(before + 2);
      tf.dispose([batch.x, batch.y]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('split, take and the synthetic sets', () => {
  it('split holds out a disjoint, reproducible validation set', () => {
    const { train, validation } = split(small, { validation: 0.3, seed: 4 });
    expect([train.labels.length, validation.labels.length]).toEqual([16, 7]);
    const firstPixel = (d: Dataset) =>
      Array.from({ length: d.labels.length }, (_, i) => d.images[i * 12] as number);
    const all = [...firstPixel(train), ...firstPixel(validation)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 23 }, (_, i) => (i * 12) % 256).sort((a, b) => a - b));
    expect(split(small, { validation: 7, seed: 4 }).validation.images).toEqual(validation.images);
    expect(() => split(small, { validation: 23, seed: 1 })).toThrow(
      /validation must be a fraction in \(0, 1\) or a count from 1 to 22/,
    );
    expect(take(small, 3).labels).toEqual(Uint8Array.from([0, 1, 2]));
  });

  it('randomLabels keeps the images and draws labels uniformly, reproducibly', () => {
    const many: Dataset = {
      ...small,
      images: new Uint8Array(5000 * 12),
      labels: new Uint8Array(5000),
      name: 'zeros',
    };
    const shuffled = randomLabels(many, 7);
    expect(shuffled.images).toBe(many.images);
    expect(randomLabels(many, 7).labels).toEqual(shuffled.labels);
    const counts = Array<number>(5).fill(0);
    for (const l of shuffled.labels) counts[l] = (counts[l] as number) + 1;
    // Uniform over 5 classes: each count ≈ 1000 ± 4·√(5000·0.2·0.8) ≈ ± 113.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(113);
  });

  it('toy sets are seeded; only the informative features carry the class or the target', () => {
    const toy = toyClassification({ count: 2000, informative: 3, noise: 5, seed: 1 });
    expect(toy.shape).toEqual([8]);
    expect(toyClassification({ count: 2000, informative: 3, noise: 5, seed: 1 }).images).toEqual(toy.images);
    const correlation = (feature: number) => {
      let s = 0;
      for (let i = 0; i < 2000; i += 1)
        s += (toy.images[i * 8 + feature] as number) * (toy.labels[i] === 1 ? 1 : -1);
      return Math.abs(s / 2000);
    };
    for (let f = 0; f < 3; f += 1) expect(correlation(f)).toBeGreaterThan(0.5);
    for (let f = 3; f < 8; f += 1) expect(correlation(f)).toBeLessThan(0.1);
    const reg = toyRegression({ count: 1000, informative: 2, noise: 3, noiseStd: 0.1, seed: 2 });
    let residual = 0;
    for (let i = 0; i < 1000; i += 1) {
      const fit =
        (reg.x[i * 5] as number) * (reg.weights[0] as number) +
        (reg.x[i * 5 + 1] as number) * (reg.weights[1] as number);
      residual += ((reg.y[i] as number) - fit) ** 2;
    }
    expect(Math.sqrt(residual / 1000)).toBeCloseTo(0.1, 1);
    expect(() => toyClassification({ count: 10, informative: 0, noise: 1, seed: 1 })).toThrow(
      /informative must be an integer ≥ 1/,
    );
  });
});

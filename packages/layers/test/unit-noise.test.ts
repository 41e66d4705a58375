import { sampleUnitNoise, unitNoiseKl, unitNoiseMask, unitNoiseMean } from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, unitNoise } from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe.each(BACKENDS)('the unit-noise (SBP) layer on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('multiplies each unit by its θ: a sample in train, E θ in mean, E θ masked by SNR > 1 in eval', () => {
    const layer = unitNoise({ name: 'sbp' });
    const p = layer.init(1, { inputShape: [4, 4, 3] }); // NHWC: 3 filters
    expect(values(p.mu)).toEqual([0, 0, 0]);
    expect(values(p.logSigma)).toEqual([-5, -5, -5]);
    p.mu.assign(tf.tensor1d([-0.5, -2, -1]));
    p.logSigma.assign(tf.tensor1d([-3, 1.5, -1]));
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 9);
    const mean = unitNoiseMean(p);
    const mask = unitNoiseMask(p);
    expect(values(mask)).toEqual([1, 0, 1]);
    const expectEqual = (a: tf.Tensor, b: tf.Tensor) =>
      expect(Math.max(...values(tf.abs(tf.sub(a, b))))).toBeLessThan(1e-6);
    expectEqual(layer.apply(p, x, 'mean'), tf.mul(x, mean));
    expectEqual(layer.apply(p, x, 'eval'), tf.mul(x, tf.mul(mean, mask)));
    expectEqual(layer.apply(p, x, 'train', { seed: 4 }), tf.mul(x, sampleUnitNoise(p, { seed: 4 })));
    expect(layer.kl(p).dataSync()[0]).toBeCloseTo(tf.sum(unitNoiseKl(p)).dataSync()[0] as number, 4);
    expect(layer.sparseWeights(p)).toEqual([]);
    expect(layer.weightCount([4, 4, 3])).toBe(0);
    expect(layer.tensors?.(p, 'sbp').map((t) => [t.name, t.role])).toEqual([
      ['sbp/mu', 'unitMu'],
      ['sbp/logSigma', 'unitLogSigma'],
    ]);
    const [frozen] = layer.freeze?.(p, { name: 'sbp' }) ?? [];
    expect(frozen?.form).toBe('scale');
    if (frozen?.form === 'scale') {
      expectEqual(frozen.scale, tf.mul(mean, mask));
      frozen.scale.dispose();
    }
    disposeParams(p);
  });

  it('leaks no tensors and names the problem of a bad input or option', () => {
    const layer = unitNoise({ name: 'sbp' });
    const p = layer.init(1, { inputShape: [5] });
    const x = tf.ones([3, 5]);
    const before = tf.memory().numTensors;
    for (const mode of ['train', 'eval', 'mean'] as const) layer.apply(p, x, mode, { seed: 2 }).dispose();
    layer.kl(p).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => layer.apply(p, tf.ones([3, 4]), 'eval')).toThrow(
      "unitNoise 'sbp': expected input with 5 units on its last axis, got shape [3, 4]",
    );
    expect(() => layer.apply(p, x, 'train')).toThrow(
      "unitNoise 'sbp': train mode needs noise (a tensor or { seed })",
    );
    expect(() => unitNoise({ snrThreshold: Number.NaN })).toThrow(
      'unitNoise: snrThreshold must be a finite number ≥ 0, got NaN',
    );
    expect(() => unitNoise({ bounds: { a: 0, b: -20 } })).toThrow(
      'unitNoise: bounds must be finite with a < b, got [0, -20]',
    );
    disposeParams(p);
    x.dispose();
  });
});

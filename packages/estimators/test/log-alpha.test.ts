import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { logAlpha } from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';

describe.each(BACKENDS)('logAlpha on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('is log σ² − log(θ² + 1e-8), clipped to [−8, 8] by default', () => {
    const thetaValues = [0.5, -0.01, 2, 0, 1e-3, -1];
    const logSigma2Values = [-10, -10, 0, -10, 5, 20];
    const theta = tf.tensor1d(thetaValues);
    const logSigma2 = tf.tensor1d(logSigma2Values);
    const before = tf.memory().numTensors;
    const la = logAlpha(theta, logSigma2);
    expect(tf.memory().numTensors).toBe(before + 1);
    const expected = thetaValues.map((t, i) =>
      Math.min(8, Math.max(-8, (logSigma2Values[i] as number) - Math.log(t * t + 1e-8))),
    );
    Array.from(la.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 4);
    });
    const wide = logAlpha(theta, logSigma2, { clip: [-50, 50], eps: 0 });
    expect(wide.dataSync()[0]).toBeCloseTo(-10 - Math.log(0.25), 4);
    expect(wide.dataSync()[3]).toBe(50); // θ = 0 with eps = 0: log σ² − log 0 = +∞, clipped
    tf.dispose([theta, logSigma2, la, wide]);
  });

  it('names the argument for bad input', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    const ints = tf.zeros([2, 3], 'int32');
    expect(() => logAlpha(a, b)).toThrow(
      'logAlpha: theta has shape [2, 3] but logSigma2 has shape [3, 2]; they must match',
    );
    expect(() => logAlpha(a, a, { clip: [8, -8] })).toThrow(
      'logAlpha: options.clip must be two finite numbers with lo < hi, got [8, -8]',
    );
    expect(() => logAlpha(a, a, { clip: [Number.NaN, 8] })).toThrow(/options\.clip/);
    expect(() => logAlpha(a, a, { eps: -1 })).toThrow('logAlpha: options.eps must be finite and ≥ 0, got -1');
    expect(() => logAlpha(ints, a)).toThrow('logAlpha: theta must have dtype float32, got int32');
    tf.dispose([a, b, ints]);
  });
});

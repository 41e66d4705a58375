import { kingmaKl, klSum } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { keepMask, klOfWeights, logAlpha } from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';

describe.each(BACKENDS)(
  'keepMask and klOfWeights with a chosen approximation on the %s backend',
  (backend) => {
    beforeAll(() => useBackend(backend));

    it('keepMask keeps exactly the weights with log α < threshold and zeroes the rest', () => {
      const thetaValues = [0.5, -0.01, 2, 0, 1e-3, -1];
      const logSigma2Values = [-10, -10, 0, -10, 5, -3];
      const theta = tf.tensor1d(thetaValues);
      const logSigma2 = tf.tensor1d(logSigma2Values);
      const before = tf.memory().numTensors;
      const [kept, mask] = keepMask(theta, logSigma2, { threshold: 3 });
      expect(tf.memory().numTensors).toBe(before + 2);
      const la = thetaValues.map((t, i) =>
        Math.min(8, Math.max(-8, (logSigma2Values[i] as number) - Math.log(t * t + 1e-8))),
      );
      const expectedMask = la.map((l) => (l < 3 ? 1 : 0));
      expect(Array.from(mask.dataSync())).toEqual(expectedMask);
      expect(Array.from(kept.dataSync())).toEqual(
        thetaValues.map((t, i) => Math.fround(t) * (expectedMask[i] as number)),
      );
      expect(() => keepMask(theta, logSigma2, { threshold: Number.NaN })).toThrow(
        'keepMask: options.threshold must be finite, got NaN',
      );
      expect(() => keepMask(theta, tf.zeros([2]), { threshold: 3 })).toThrow(
        /keepMask: theta has shape \[6\]/,
      );
      tf.dispose([theta, logSigma2, kept, mask]);
    });

    it('klOfWeights with kingmaKl is klSum of log α clipped to ≤ 0, and its gradient follows', () => {
      const theta = tf.tensor1d([0.5, -0.01, 0.2, 1e-3]);
      const logSigma2 = tf.tensor1d([-6, -10, -2, 5]);
      const got = klOfWeights(theta, logSigma2, { approximation: kingmaKl });
      const want = klSum([logAlpha(theta, logSigma2, { clip: [-8, 0] })], kingmaKl);
      expect(got.dataSync()[0]).toBeCloseTo(want.dataSync()[0] as number, 5);
      // Beyond α = 1 the term is flat: no gradient reaches a weight with log α > 0.
      const g = tf.grad((s: tf.Tensor) => klOfWeights(theta, s, { approximation: kingmaKl }))(logSigma2);
      const gv = g.dataSync();
      expect(gv[3]).toBe(0); // log α = 5 + 13.8 > 0
      expect(gv[0]).toBeLessThan(0); // log α ≈ −4.6: more noise lowers the KL
      tf.dispose([theta, logSigma2, got, want, g]);
    });
  },
);

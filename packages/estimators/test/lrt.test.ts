import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lrtConv2d, lrtDense, type NoiseParams, sampleWeights, weightVariance } from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';
import { randn, values } from './helpers.js';

/** Both parameterizations of the same posterior N(θ, σ²), σ² = α·θ². */
const bothKinds = (theta: tf.Tensor, logAlphaValue: number, bias?: tf.Tensor): NoiseParams[] => {
  const logAlpha = tf.fill(theta.shape, logAlphaValue);
  const logSigma2 = tf.add(logAlpha, tf.log(tf.square(theta)));
  const withBias = bias === undefined ? {} : { bias };
  return [
    { kind: 'additive', theta, logSigma2, ...withBias },
    { kind: 'multiplicative', theta, logAlpha, ...withBias },
  ];
};

/**
 * Checks sampled moments against exact ones, with tolerances from the standard errors of K draws:
 * mean within 5·√(s²/K); variance within 5·s²·√(2/(K − 1)) (Gaussian outputs) plus float32 slack.
 */
const expectMoments = (samples: tf.Tensor, mean: number[], variance: number[], draws: number) => {
  const { mean: m, variance: v } = tf.moments(samples, 0);
  const sampleVariance = values(v).map((x) => (x * draws) / (draws - 1));
  values(m).forEach((x, i) => {
    expect(Math.abs(x - (mean[i] as number))).toBeLessThan(
      5 * Math.sqrt((variance[i] as number) / draws) + 1e-4,
    );
  });
  sampleVariance.forEach((x, i) => {
    const s2 = variance[i] as number;
    expect(Math.abs(x - s2)).toBeLessThan(5 * s2 * Math.sqrt(2 / (draws - 1)) + 1e-6);
  });
  tf.dispose([m, v]);
};

describe.each(BACKENDS)('local reparameterization on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(['additive', 'multiplicative'] as const)(
    'lrtDense (%s) has the mean and variance of sampling the weights and multiplying (Monte Carlo)',
    (kind) => {
      const draws = 4000;
      tf.tidy(() => {
        const x = randn([3, 6], 11);
        const bias = randn([4], 12, 0.5);
        const params = bothKinds(randn([6, 4], 13, 0.5), 0.5, bias).find(
          (p) => p.kind === kind,
        ) as NoiseParams;
        // Exact moments: μ = x·θ + b, s² = x²·σ².
        const mean = values(tf.add(tf.matMul(x, params.theta), bias));
        const variance = values(tf.matMul(tf.square(x), weightVariance(params)));
        // (1) weight sampling: K independent weight matrices, each multiplied by the same batch.
        const weights = tf.stack(
          Array.from({ length: draws }, (_, k) => sampleWeights(params, { seed: 1000 + k })),
        );
        const viaWeights = tf.add(tf.matMul(tf.tile(tf.expandDims(x, 0), [draws, 1, 1]), weights), bias);
        expectMoments(viaWeights, mean, variance, draws);
        // (2) the local reparameterization trick on K copies of the batch.
        const xs = tf.tile(x, [draws, 1]);
        const viaLrt = tf.reshape(lrtDense(xs, params, { seed: 7 }), [draws, 3, 4]);
        expectMoments(viaLrt, mean, variance, draws);
      });
    },
  );

  it.each(['additive', 'multiplicative'] as const)(
    'lrtConv2d (%s) has the mean and variance of sampling the filters and convolving (Monte Carlo)',
    (kind) => {
      const draws = 2000;
      tf.tidy(() => {
        const x = randn([1, 5, 5, 2], 21);
        const bias = randn([3], 22, 0.5);
        const params = bothKinds(randn([3, 3, 2, 3], 23, 0.5), -0.5, bias).find(
          (p) => p.kind === kind,
        ) as NoiseParams;
        const opts = { strides: 2, padding: 'same' } as const;
        const mean = values(
          tf.add(tf.conv2d(x as tf.Tensor4D, params.theta as tf.Tensor4D, 2, 'same'), bias),
        );
        const variance = values(
          tf.conv2d(tf.square(x) as tf.Tensor4D, weightVariance(params) as tf.Tensor4D, 2, 'same'),
        );
        const viaWeights = tf.stack(
          Array.from({ length: draws }, (_, k) =>
            tf.tidy(() =>
              tf.add(
                tf.conv2d(
                  x as tf.Tensor4D,
                  sampleWeights(params, { seed: 5000 + k }) as tf.Tensor4D,
                  2,
                  'same',
                ),
                bias,
              ),
            ),
          ),
        );
        expectMoments(tf.reshape(viaWeights, [draws, -1]), mean, variance, draws);
        const viaLrt = lrtConv2d(tf.tile(x, [draws, 1, 1, 1]), params, { seed: 8 }, opts);
        expectMoments(tf.reshape(viaLrt, [draws, -1]), mean, variance, draws);
      });
    },
  );

  it('with zero noise equals the deterministic layer with θ, and the bias enters the mean only', () => {
    tf.tidy(() => {
      const x = randn([4, 6], 31);
      const bias = randn([5], 32);
      for (const params of bothKinds(randn([6, 5], 33), 1.5, bias)) {
        const zero = tf.zeros([4, 5]);
        const deterministic = tf.add(tf.matMul(x, params.theta), bias);
        // √(s² + 1e-8)·0 = 0 exactly.
        expect(values(lrtDense(x, params, zero))).toEqual(values(deterministic));
        const eps = randn([4, 5], 34);
        const { bias: _b, ...noBias } = params;
        const shift = tf.sub(lrtDense(x, params, eps), lrtDense(x, noBias, eps));
        values(shift).forEach((v, i) => {
          expect(v).toBeCloseTo(values(bias)[i % 5] as number, 5);
        });
      }
      const xc = randn([2, 6, 6, 2], 35);
      for (const params of bothKinds(randn([3, 3, 2, 4], 36), 1, randn([4], 37))) {
        const out = lrtConv2d(xc, params, tf.zeros([2, 4, 4, 4]));
        const expected = tf.add(
          tf.conv2d(xc as tf.Tensor4D, params.theta as tf.Tensor4D, 1, 'valid'),
          params.bias as tf.Tensor,
        );
        values(out).forEach((v, i) => {
          expect(v).toBeCloseTo(values(expected)[i] as number, 5);
        });
      }
    });
  });

  it('leaks no tensors (noise tensor or seed)', () => {
    const x = randn([4, 6], 41);
    const theta = randn([6, 5], 42);
    const logSigma2 = tf.fill([6, 5], -3);
    const params: NoiseParams = { kind: 'additive', theta, logSigma2 };
    const eps = randn([4, 5], 44);
    const xc = randn([1, 5, 5, 6], 43);
    const filter = randn([1, 1, 6, 5], 45);
    const convParams: NoiseParams = {
      kind: 'multiplicative',
      theta: filter,
      logAlpha: tf.reshape(logSigma2, [1, 1, 6, 5]),
    };
    const before = tf.memory().numTensors;
    const outputs = [
      lrtDense(x, params, eps),
      lrtDense(x, params, { seed: 1 }),
      sampleWeights(params, { seed: 2 }),
      weightVariance(params),
      lrtConv2d(xc, convParams, { seed: 3 }),
    ];
    expect(tf.memory().numTensors).toBe(before + outputs.length);
    tf.dispose([...outputs, x, theta, logSigma2, eps, xc, filter, convParams.logAlpha]);
  });

  it('rejects bad input with an error that names the argument', () => {
    tf.tidy(() => {
      const [params] = bothKinds(randn([6, 5], 51), 0) as [NoiseParams];
      expect(() => lrtDense(tf.zeros([4, 7]), params, { seed: 1 })).toThrow(
        'lrtDense: x has shape [4, 7] and params.theta has shape [6, 5]: x dimension 1 (7) must equal params.theta dimension 0 (6)',
      );
      expect(() => lrtDense(tf.zeros([4, 6]), params, tf.zeros([4, 4]))).toThrow(
        'lrtDense: noise has shape [4, 4] but must have shape [4, 5]',
      );
      expect(() => lrtDense(tf.zeros([4, 6], 'int32'), params, { seed: 1 })).toThrow(
        'lrtDense: x must have dtype float32, got int32',
      );
      expect(() => lrtDense(tf.zeros([6]), params, { seed: 1 })).toThrow(
        'lrtDense: x must have rank 2 ([batch, in]), got shape [6]',
      );
      expect(() => lrtDense(tf.zeros([4, 6]), { ...params, bias: tf.zeros([3]) }, { seed: 1 })).toThrow(
        /params\.bias dimension 0 \(3\)/,
      );
      expect(() =>
        lrtDense(
          tf.zeros([4, 6]),
          { kind: 'additive', theta: tf.zeros([6, 5]), logSigma2: tf.zeros([5, 6]) },
          { seed: 1 },
        ),
      ).toThrow(
        'lrtDense: params.theta has shape [6, 5] but params.logSigma2 has shape [5, 6]; they must match',
      );
      expect(() => lrtDense(tf.zeros([4, 6]), params, { seed: Number.NaN })).toThrow(
        'lrtDense: noise.seed must be a finite number',
      );
      expect(() =>
        lrtConv2d(
          tf.zeros([1, 5, 5, 3]),
          { kind: 'additive', theta: tf.zeros([3, 3, 2, 4]), logSigma2: tf.zeros([3, 3, 2, 4]) },
          { seed: 1 },
        ),
      ).toThrow(
        /lrtConv2d: x has shape \[1, 5, 5, 3\] and params.theta has shape \[3, 3, 2, 4\]: x dimension 3 \(3\) must equal params.theta dimension 2 \(2\)/,
      );
      expect(() => sampleWeights({ kind: 'gaussian' } as unknown as NoiseParams, { seed: 1 })).toThrow(
        'sampleWeights: params.kind must be "additive" or "multiplicative"',
      );
    });
  });
});

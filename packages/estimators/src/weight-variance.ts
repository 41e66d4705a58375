import * as tf from '@tensorflow/tfjs-core';
import type { NoiseParams } from './params.js';

/**
 * The variance σ² of each weight under q(w) = N(θ, σ²): `exp(log σ²)` for the additive
 * parameterization, `α·θ² = exp(log α)·θ²` for the multiplicative one (Molchanov et al. 2017, eq. 6–7).
 */
export const weightVariance = (params: NoiseParams): tf.Tensor =>
  tf.tidy(() =>
    params.kind === 'additive'
      ? tf.exp(params.logSigma2)
      : tf.mul(tf.exp(params.logAlpha), tf.square(params.theta)),
  );

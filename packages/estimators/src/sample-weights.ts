import * as tf from '@tensorflow/tfjs-core';
import { checkParams } from './internal/check-params.js';
import { type Noise, resolveNoise } from './noise.js';
import type { NoiseParams } from './params.js';

/**
 * Samples a weight tensor from q(w) by reparameterization, with explicit noise ε ~ N(0, 1) of θ's shape:
 *
 * - additive (Molchanov et al. 2017, eq. 12): `w = θ + σ·ε`, σ = exp(0.5·log σ²);
 * - multiplicative (Kingma et al. 2015; Molchanov et al. 2017, eq. 6): `w = θ·(1 + √α·ε)`, √α = exp(0.5·log α).
 *
 * Both give the same distribution N(θ, α·θ²); they differ in their gradients.
 *
 * @param params - the layer's parameters (either parameterization).
 * @param noise - ε itself (θ's shape) or `{ seed }`.
 */
export const sampleWeights = (params: NoiseParams, noise: Noise): tf.Tensor => {
  checkParams('sampleWeights', params);
  return tf.tidy(() => {
    const eps = resolveNoise('sampleWeights', params.theta.shape, noise);
    if (params.kind === 'additive')
      return tf.add(params.theta, tf.mul(tf.exp(tf.mul(0.5, params.logSigma2)), eps));
    return tf.mul(params.theta, tf.add(1, tf.mul(tf.exp(tf.mul(0.5, params.logAlpha)), eps)));
  });
};

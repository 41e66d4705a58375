import type * as tf from '@tensorflow/tfjs-core';

/**
 * The paper's additive parameterization (Molchanov et al. 2017, section 4.2): w = θ + σ·ε, trained
 * through (θ, log σ²); α = σ²/θ² is derived. Its gradient with respect to θ carries no noise from α.
 */
export interface AdditiveParams {
  readonly kind: 'additive';
  /** Weight means θ: `[in, out]` for dense, `[kh, kw, inChannels, outChannels]` for conv. */
  readonly theta: tf.Tensor;
  /** log σ², the same shape as θ. */
  readonly logSigma2: tf.Tensor;
  /** Optional bias `[out]`, added to the mean only. */
  readonly bias?: tf.Tensor;
}

/**
 * The original multiplicative parameterization (Kingma et al. 2015; Molchanov et al. 2017, eq. 6):
 * w = θ·(1 + √α·ε), trained through (θ, log α). Its gradient with respect to θ has variance that grows
 * with α, which is what the additive form removes.
 */
export interface MultiplicativeParams {
  readonly kind: 'multiplicative';
  /** Weight means θ: `[in, out]` for dense, `[kh, kw, inChannels, outChannels]` for conv. */
  readonly theta: tf.Tensor;
  /** log α, the same shape as θ. */
  readonly logAlpha: tf.Tensor;
  /** Optional bias `[out]`, added to the mean only. */
  readonly bias?: tf.Tensor;
}

/** Either parameterization of a layer's weight posterior q(w) = N(θ, α·θ²) = N(θ, σ²). */
export type NoiseParams = AdditiveParams | MultiplicativeParams;

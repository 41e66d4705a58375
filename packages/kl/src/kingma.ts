import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor } from './check-float-tensor.js';
import { KINGMA_COEFFICIENTS, SMALL_ALPHA_CONSTANT } from './constants.js';

/**
 * Kingma, Salimans & Welling 2015's polynomial approximation of −KL for the log-uniform prior
 * (Variational Dropout and the Local Reparameterization Trick, eq. 22):
 *
 * `−KL ≈ 0.5·log α + c1·α + c2·α² + c3·α³ + C`, c1 = 1.16145124, c2 = −1.50204118, c3 = 0.58629921.
 *
 * **Valid only for α ≤ 1** (log α ≤ 0): it was fitted there, and the cubic grows without bound beyond,
 * so it cannot express the α → ∞ limit that makes Sparse VD sparse. The constant C is
 * `−(γ + ln 2)/2` ({@link SMALL_ALPHA_CONSTANT}), the one that matches the exact −KL as α → 0 under the
 * normalisation used by {@link negKlExact} (−KL → 0 as α → ∞).
 *
 * @param logAlpha - log α per weight (float32, any shape).
 */
export const negKlKingma = (logAlpha: tf.Tensor): tf.Tensor => {
  checkFloatTensor('negKlKingma', 'logAlpha', logAlpha);
  const [c1, c2, c3] = KINGMA_COEFFICIENTS;
  return tf.tidy(() => {
    const alpha = tf.exp(logAlpha);
    // Horner form of c1·α + c2·α² + c3·α³.
    const poly = tf.mul(alpha, tf.add(c1, tf.mul(alpha, tf.add(c2, tf.mul(c3, alpha)))));
    return tf.add(tf.add(tf.mul(0.5, logAlpha), poly), -SMALL_ALPHA_CONSTANT);
  });
};

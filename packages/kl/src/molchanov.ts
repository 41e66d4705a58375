import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor } from './check-float-tensor.js';
import { K1, K2, K3 } from './constants.js';

/**
 * The paper's approximation of −KL(q(w|θ, α) ‖ p(w)) for the log-uniform prior, element-wise
 * (Molchanov, Ashukha & Vetrov 2017, eq. 14):
 *
 * `−KL ≈ k1·σ(k2 + k3·log α) − 0.5·log(1 + α⁻¹) − k1`, with k1 = 0.63576, k2 = 1.87320, k3 = 1.48695.
 *
 * `log(1 + α⁻¹)` is computed as `softplus(−log α)`, which is stable in float32: value and gradient are
 * finite for log α ∈ [−50, 50] and beyond. Its largest deviation from the exact value
 * ({@link negKlExact}) on log α ∈ [−10, 10] is about 0.01.
 *
 * @param logAlpha - log α per weight (float32, any shape).
 * @returns −KL per weight, the same shape; it tends to 0 as log α → ∞ and to `0.5·log α − k1` as log α → −∞.
 */
export const negKlMolchanov = (logAlpha: tf.Tensor): tf.Tensor => {
  checkFloatTensor('negKlMolchanov', 'logAlpha', logAlpha);
  return tf.tidy(() => {
    const sig = tf.sigmoid(tf.add(K2, tf.mul(K3, logAlpha)));
    return tf.sub(tf.sub(tf.mul(K1, sig), tf.mul(0.5, tf.softplus(tf.neg(logAlpha)))), K1);
  });
};

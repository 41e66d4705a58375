import * as tf from '@tensorflow/tfjs-core';
import { checkFloat } from './internal/check-float.js';
import { negKlMolchanov } from './molchanov.js';

/**
 * The total KL divergence Σ KL(q(w) ‖ p(w)) over a set of weight tensors, with the paper's approximation
 * ({@link negKlMolchanov}, Molchanov et al. 2017, eq. 14): the regulariser of the variational lower bound
 * (their eq. 3), `L = N·E log p(y|x, w) − Σ KL`, that the trainer weights by the KL schedule.
 *
 * @param logAlphas - log α of each weight tensor (float32, any shapes). Biases are not included.
 * @returns a scalar ≥ −(a few 1e-3 per weight): the approximation can dip just below 0 near α = ∞.
 */
export const klSum = (logAlphas: ReadonlyArray<tf.Tensor>): tf.Scalar => {
  logAlphas.forEach((t, i) => {
    checkFloat('klSum', `logAlphas[${i}]`, t);
  });
  return tf.tidy(() =>
    logAlphas.reduce<tf.Scalar>((total, la) => tf.sub(total, tf.sum(negKlMolchanov(la))), tf.scalar(0)),
  );
};

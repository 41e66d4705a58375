import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor } from './check-float-tensor.js';
import { type KlApproximation, molchanovKl } from './kl-approximation.js';

/**
 * The total KL divergence Σ KL(q(w) ‖ p(w)) over a set of weight tensors, by default with the paper's
 * approximation ({@link molchanovKl}, Molchanov et al. 2017, eq. 14): the regulariser of the variational lower
 * bound (their eq. 3), `L = N·E log p(y|x, w) − Σ KL`, that the trainer weights by the KL schedule. log α
 * above the approximation's `logAlphaMax` is clipped to it first (only {@link kingmaKl} has one).
 *
 * @param logAlphas - log α of each weight tensor (float32, any shapes). Biases are not included.
 * @param approximation - the −KL approximation (default {@link molchanovKl}).
 * @returns a scalar ≥ −(a few 1e-3 per weight): the approximation can dip just below 0 near α = ∞.
 */
export const klSum = (
  logAlphas: ReadonlyArray<tf.Tensor>,
  approximation: KlApproximation = molchanovKl,
): tf.Scalar => {
  logAlphas.forEach((t, i) => {
    checkFloatTensor('klSum', `logAlphas[${i}]`, t);
  });
  const max = approximation.logAlphaMax;
  return tf.tidy(() =>
    logAlphas.reduce<tf.Scalar>((total, la) => {
      const held = Number.isFinite(max) ? tf.minimum(la, max) : la;
      return tf.sub(total, tf.sum(approximation.negKl(held)));
    }, tf.scalar(0)),
  );
};

import { FUSED_KERNELS, fusedKernelAvailable, klSum } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor, checkSameShape } from './internal/validate.js';
import { type LogAlphaOptions, logAlpha, logAlphaSettings } from './log-alpha.js';

/**
 * Σ KL(q(w | θ, σ²) ‖ log-uniform prior) over one weight tensor, with Molchanov et al.'s approximation (eq. 14)
 * of the KL at log α = clip(log σ² − log(θ² + eps)) — that is `klSum([logAlpha(theta, logSigma2, options)])`.
 * On a backend that offers the fused `klOfWeights` kernel (`@sparsevd/kl`'s `FUSED_KERNELS`), the value and
 * both gradients come from one pass over the weights; the values are the same.
 *
 * @param theta - the weight means θ.
 * @param logSigma2 - log σ², the same shape.
 * @param options - the clip range and eps of {@link logAlpha}.
 * @returns the scalar Σ KL.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { klOfWeights } from '@sparsevd/estimators';
 * const kl = klOfWeights(tf.tensor1d([0.5, 0.01]), tf.tensor1d([-10, -4]));
 * const value = kl.dataSync()[0]; // Σ KL over both weights
 * ```
 */
export const klOfWeights = (
  theta: tf.Tensor,
  logSigma2: tf.Tensor,
  options: LogAlphaOptions = {},
): tf.Scalar => {
  checkFloatTensor('klOfWeights', 'theta', theta);
  checkFloatTensor('klOfWeights', 'logSigma2', logSigma2);
  checkSameShape('klOfWeights', 'theta', theta, 'logSigma2', logSigma2);
  const { lo, hi, eps } = logAlphaSettings('klOfWeights', options);
  if (fusedKernelAvailable(FUSED_KERNELS.klOfWeights) && theta.size > 0) {
    return fusedKl(theta, logSigma2, { eps, clipLo: lo, clipHi: hi });
  }
  return tf.tidy(() => klSum([logAlpha(theta, logSigma2, options)]));
};

/**
 * The fused kernel under a custom gradient: the kernel's value is the only output on the tape (its two
 * gradient outputs are saved for the backward pass instead, so tfjs makes no zero gradients for them), and
 * the gradients are scaled by dy only when dy is not exactly 1 (the KL's weight once the warm-up is over).
 */
const fusedKl = (theta: tf.Tensor, logSigma2: tf.Tensor, attrs: tf.NamedAttrMap): tf.Scalar =>
  tf.tidy(
    () =>
      tf.customGrad((...args) => {
        const [t, s, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
        const [kl, gt, gs] = tf
          .engine()
          .runKernel(FUSED_KERNELS.klOfWeights, { theta: t, logSigma2: s }, attrs) as [
          tf.Scalar,
          tf.Tensor,
          tf.Tensor,
        ];
        save([gt, gs]);
        return {
          value: kl,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [dt, ds] = saved as [tf.Tensor, tf.Tensor];
            if (dy.size === 1 && dy.dataSync()[0] === 1) return [tf.clone(dt), tf.clone(ds)];
            return [tf.mul(dy, dt), tf.mul(dy, ds)];
          },
        };
      })(theta, logSigma2) as tf.Scalar,
  );

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
    return tf.tidy(() => {
      const [kl] = tf
        .engine()
        .runKernel(
          FUSED_KERNELS.klOfWeights,
          { theta, logSigma2 },
          { eps, clipLo: lo, clipHi: hi },
        ) as tf.Tensor[];
      return kl as tf.Scalar;
    });
  }
  return tf.tidy(() => klSum([logAlpha(theta, logSigma2, options)]));
};

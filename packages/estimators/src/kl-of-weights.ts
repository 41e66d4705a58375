import {
  type FusedKernel,
  type FusedOptions,
  fusedKernelRegistered,
  type LogAlphaAttrs,
} from '@sparsevd/kernels';
import { type KlApproximation, klSum, molchanovKl } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor, checkSameShape } from './internal/validate.js';
import { type LogAlphaOptions, logAlpha, logAlphaSettings } from './log-alpha.js';

/** Options of {@link klOfWeights}: log α's clip and eps, the approximation, and whether to fuse. */
export interface KlOfWeightsOptions extends LogAlphaOptions, FusedOptions {
  /** The −KL approximation (default: the paper's, `molchanovKl` of `@sparsevd/kl`). */
  readonly approximation?: KlApproximation;
}

/**
 * Σ KL(q(w | θ, σ²) ‖ log-uniform prior) over one weight tensor, with an approximation of the KL (by default
 * Molchanov et al.'s, eq. 14) at log α = clip(log σ² − log(θ² + eps)) — that is
 * `klSum([logAlpha(theta, logSigma2, options)], approximation)`. When the approximation names a fused kernel
 * (the paper's does), the backend registered it and `options.fused` is not `false`, the value and both
 * gradients come from one pass over the weights; the values are the same.
 *
 * @param theta - the weight means θ.
 * @param logSigma2 - log σ², the same shape.
 * @param options - the clip range and eps of {@link logAlpha}, `approximation`, `fused`.
 * @returns the scalar Σ KL.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { klOfWeights } from '@sparsevd/estimators';
 * const kl = klOfWeights(tf.tensor1d([0.5, 0.01]), tf.tensor1d([-10, -4]));
 * kl.print(); // Σ KL over both weights
 * ```
 */
export const klOfWeights = (
  theta: tf.Tensor,
  logSigma2: tf.Tensor,
  options: KlOfWeightsOptions = {},
): tf.Scalar => {
  checkFloatTensor('klOfWeights', 'theta', theta);
  checkFloatTensor('klOfWeights', 'logSigma2', logSigma2);
  checkSameShape('klOfWeights', 'theta', theta, 'logSigma2', logSigma2);
  const { lo, hi, eps } = logAlphaSettings('klOfWeights', options);
  const { approximation = molchanovKl } = options;
  const kernel = approximation.fusedKernel;
  // The fused kernel returns Σ KL and both gradients, so it runs under its own custom gradient rather than
  // through runFused (whose fallback must return the same outputs); the composed path is differentiated by tfjs.
  if (kernel !== undefined && theta.size > 0 && fusedKernelRegistered(kernel, options)) {
    return fusedKl(kernel, theta, logSigma2, { eps, clipLo: lo, clipHi: hi });
  }
  return tf.tidy(() => klSum([logAlpha(theta, logSigma2, { clip: [lo, hi], eps })], approximation));
};

/**
 * The fused kernel under a custom gradient: the kernel's value is the only output on the tape (its two
 * gradient outputs are saved for the backward pass instead, so tfjs makes no zero gradients for them). The
 * backward pass scales them by dy without reading it (no synchronous read: it would stall a GPU backend);
 * a backend may make a product with an exact 1 free, as the native one does.
 */
const fusedKl = (
  kernel: FusedKernel<'theta' | 'logSigma2', LogAlphaAttrs>,
  theta: tf.Tensor,
  logSigma2: tf.Tensor,
  attrs: LogAlphaAttrs,
): tf.Scalar =>
  tf.tidy(
    () =>
      tf.customGrad((...args) => {
        const [t, s, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
        const [kl, gt, gs] = tf.engine().runKernel(kernel.name, { theta: t, logSigma2: s }, { ...attrs }) as [
          tf.Scalar,
          tf.Tensor,
          tf.Tensor,
        ];
        save([gt, gs]);
        return {
          value: kl,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [dt, ds] = saved as [tf.Tensor, tf.Tensor];
            return [tf.mul(dy, dt), tf.mul(dy, ds)];
          },
        };
      })(theta, logSigma2) as tf.Scalar,
  );

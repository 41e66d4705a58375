import { FUSED_KERNELS, type FusedOptions, fusedOp, runFused } from '@sparsevd/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor, checkSameShape } from './internal/validate.js';
import { type LogAlphaOptions, logAlpha, logAlphaSettings } from './log-alpha.js';

/** Options of {@link keepMask}: the pruning threshold, log α's clip and eps, and whether to fuse. */
export interface KeepMaskOptions extends LogAlphaOptions, FusedOptions {
  /** A weight is kept where log α < threshold; the paper's is 3 (dropout rate ≈ 0.95). Must be finite. */
  readonly threshold: number;
}

/** The fused `maskedTheta` kernel and its composed fallback. */
const MASKED_THETA = fusedOp(FUSED_KERNELS.maskedTheta, ({ theta, logSigma2 }, a) => {
  const la = logAlpha(theta as tf.Tensor, logSigma2 as tf.Tensor, { clip: [a.clipLo, a.clipHi], eps: a.eps });
  const mask = tf.cast(tf.less(la, a.threshold), 'float32');
  return [tf.mul(theta as tf.Tensor, mask), mask];
});

/**
 * The pruned weights of a SparseVD tensor (Molchanov et al. 2017, section 4.3): `mask = [log α < threshold]`
 * with log α as {@link logAlpha} computes it, and `θ ⊙ mask` — the weights the `eval` network uses, and those
 * the authors' `train_clip` uses in training. One pass by the fused `maskedTheta` kernel where the backend
 * registered it (and `options.fused` is not `false`), else composed ops; the values are the same.
 *
 * Not a function to differentiate through the mask (a selection): a layer that trains with it wraps it in
 * its own gradient (θ's gradient is `dy ⊙ mask`).
 *
 * @returns `[θ ⊙ mask, mask]`, both the shape of θ, float32 (mask values 0 or 1).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { keepMask } from '@sparsevd/estimators';
 * const [kept, mask] = keepMask(tf.tensor1d([0.5, 0.001]), tf.tensor1d([-10, -4]), { threshold: 3 });
 * mask.print(); // [1, 0]: log α of the second weight is −4 − log(1e-6) ≈ 9.8 → clipped to 8 ≥ 3
 * ```
 */
export const keepMask = (
  theta: tf.Tensor,
  logSigma2: tf.Tensor,
  options: KeepMaskOptions,
): [tf.Tensor, tf.Tensor] => {
  checkFloatTensor('keepMask', 'theta', theta);
  checkFloatTensor('keepMask', 'logSigma2', logSigma2);
  checkSameShape('keepMask', 'theta', theta, 'logSigma2', logSigma2);
  const { lo, hi, eps } = logAlphaSettings('keepMask', options);
  const { threshold } = options;
  if (!Number.isFinite(threshold))
    throw new RangeError(`keepMask: options.threshold must be finite, got ${threshold}`);
  const [kept, mask] = tf.tidy(() =>
    runFused(MASKED_THETA, { theta, logSigma2 }, { threshold, eps, clipLo: lo, clipHi: hi }, options),
  );
  return [kept as tf.Tensor, mask as tf.Tensor];
};

import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor, checkSameShape } from './internal/validate.js';

/** Options of {@link logAlpha}. */
export interface LogAlphaOptions {
  /** Clip range of log α; the authors clip to [−8, 8]. Must be finite with lo < hi. */
  readonly clip?: readonly [number, number];
  /** Added to θ² before the logarithm, so θ = 0 gives a large finite log α. Must be ≥ 0. */
  readonly eps?: number;
}

/**
 * The clip range and eps of {@link LogAlphaOptions} with their defaults, checked.
 *
 * @internal
 */
export const logAlphaSettings = (
  fn: string,
  options: LogAlphaOptions,
): { readonly lo: number; readonly hi: number; readonly eps: number } => {
  const { clip = [-8, 8], eps = 1e-8 } = options;
  const [lo, hi] = clip;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    throw new RangeError(`${fn}: options.clip must be two finite numbers with lo < hi, got [${lo}, ${hi}]`);
  }
  if (!Number.isFinite(eps) || eps < 0)
    throw new RangeError(`${fn}: options.eps must be finite and ≥ 0, got ${eps}`);
  return { lo, hi, eps };
};

/**
 * log α of each weight under the additive reparameterization (Molchanov et al. 2017, section 4.2):
 * `log α = log σ² − log(θ² + eps)`, clipped to `clip`.
 *
 * @param theta - the weight means θ (float32).
 * @param logSigma2 - log σ² per weight, the same shape as θ.
 * @param options - `clip` (default [−8, 8], the authors' choice) and `eps` (default 1e-8).
 * @throws RangeError naming the argument for mismatched shapes or an impossible clip range / eps.
 */
export const logAlpha = (
  theta: tf.Tensor,
  logSigma2: tf.Tensor,
  options: LogAlphaOptions = {},
): tf.Tensor => {
  checkFloatTensor('logAlpha', 'theta', theta);
  checkFloatTensor('logAlpha', 'logSigma2', logSigma2);
  checkSameShape('logAlpha', 'theta', theta, 'logSigma2', logSigma2);
  const { lo, hi, eps } = logAlphaSettings('logAlpha', options);
  return tf.tidy(() => tf.clipByValue(tf.sub(logSigma2, tf.log(tf.add(tf.square(theta), eps))), lo, hi));
};

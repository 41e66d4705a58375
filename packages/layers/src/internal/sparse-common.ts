import { klOfWeights, logAlpha } from '@sparsevd/estimators';
import { FUSED_KERNELS, fusedKernelAvailable } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import type { SparseWeight } from '../layer.js';
import type { SparseParams } from '../sparse-params.js';

export const checkThreshold = (layer: string, threshold: number): number => {
  if (!Number.isFinite(threshold))
    throw new RangeError(`${layer}: threshold must be finite, got ${threshold}`);
  return threshold;
};

/** log α of a SparseVD layer, clipped to [−8, 8]. */
export const sparseLogAlpha = (p: SparseParams): tf.Tensor => logAlpha(p.theta, p.logSigma2);

/** θ ⊙ mask and the mask (1 where log α < threshold), by the fused kernel when the backend offers it. */
const maskAndApply = (theta: tf.Tensor, logSigma2: tf.Tensor, threshold: number): [tf.Tensor, tf.Tensor] => {
  if (fusedKernelAvailable(FUSED_KERNELS.maskedTheta)) {
    return tf
      .engine()
      .runKernel(
        FUSED_KERNELS.maskedTheta,
        { theta, logSigma2 },
        { threshold, eps: 1e-8, clipLo: -8, clipHi: 8 },
      ) as [tf.Tensor, tf.Tensor];
  }
  const mask = tf.cast(tf.less(logAlpha(theta, logSigma2), threshold), 'float32');
  return [tf.mul(theta, mask), mask];
};

/**
 * θ with the weights whose log α ≥ threshold set to zero (the mask never changes the parameters). The mask is
 * a constant of the gradient — a selection, not a function to differentiate (as `train_clip` in the authors'
 * code): the gradient reaching θ is `dy ⊙ mask`, and none reaches log σ² through this path. log σ² is read
 * inside the custom gradient, not passed to it, so the tape records one node and no zero gradients.
 */
export const maskedTheta = (p: SparseParams, threshold: number): tf.Tensor =>
  tf.customGrad((...args) => {
    const [theta, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [value, mask] = maskAndApply(theta, p.logSigma2, threshold);
    save([mask]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0] as tf.Tensor) };
  })(p.theta);

export const sparseKl = (p: SparseParams): tf.Scalar => klOfWeights(p.theta, p.logSigma2);

export const sparseWeightsOf = (
  p: SparseParams,
  name: string,
  threshold: number,
): ReadonlyArray<SparseWeight> => [{ name, theta: p.theta, logSigma2: p.logSigma2, threshold }];

/** A scalar zero (the KL of a plain layer). */
export const zeroKl = (): tf.Scalar => tf.scalar(0);

import { logAlpha } from '@sparsevd/estimators';
import { klSum } from '@sparsevd/kl';
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

/**
 * The keep mask (1 where log α < threshold) as a constant of the gradient: comparisons have no gradient in
 * tfjs, and the mask is a selection, not a function to differentiate (as `train_clip` in the authors' code).
 */
const keepMask = (la: tf.Tensor, threshold: number): tf.Tensor =>
  tf.customGrad((...args) => ({
    value: tf.cast(tf.less(args[0] as tf.Tensor, threshold), 'float32'),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }))(la);

/** θ with the weights whose log α ≥ threshold set to zero (the mask never changes the parameters). */
export const maskedTheta = (p: SparseParams, threshold: number): tf.Tensor =>
  tf.tidy(() => tf.mul(p.theta, keepMask(sparseLogAlpha(p), threshold)));

export const sparseKl = (p: SparseParams): tf.Scalar =>
  tf.tidy(() => {
    const la = sparseLogAlpha(p);
    return klSum([la]);
  });

export const sparseWeightsOf = (
  p: SparseParams,
  name: string,
  threshold: number,
): ReadonlyArray<SparseWeight> => [{ name, theta: p.theta, logSigma2: p.logSigma2, threshold }];

/** A scalar zero (the KL of a plain layer). */
export const zeroKl = (): tf.Scalar => tf.scalar(0);

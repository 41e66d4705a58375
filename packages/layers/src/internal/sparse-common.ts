import * as tf from '@tensorflow/tfjs-core';
import { logAlpha } from '@sparsevd/estimators';
import { klSum } from '@sparsevd/kl';
import type { SparseWeight } from '../layer.js';
import type { SparseParams } from '../sparse-params.js';

export const checkThreshold = (layer: string, threshold: number): number => {
  if (!Number.isFinite(threshold))
    throw new RangeError(`${layer}: threshold must be finite, got ${threshold}`);
  return threshold;
};

/** log α of a SparseVD layer, clipped to [−8, 8]. */
export const sparseLogAlpha = (p: SparseParams): tf.Tensor => logAlpha(p.theta, p.logSigma2);

/** θ with the weights whose log α ≥ threshold set to zero (the mask never changes the parameters). */
export const maskedTheta = (p: SparseParams, threshold: number): tf.Tensor =>
  tf.tidy(() => tf.mul(p.theta, tf.cast(tf.less(sparseLogAlpha(p), threshold), 'float32')));

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

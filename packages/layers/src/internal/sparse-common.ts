import { keepMask, logAlpha } from '@sparsevd/estimators';
import type { FusedOptions } from '@sparsevd/kernels';
import { molchanovKl } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import { type KlOptions, type WeightKl, type WeightPosterior, weightKl } from '../kl-term.js';
import type { LayerTensor, SparseWeight } from '../layer.js';
import type { SparseParams } from '../sparse-params.js';

export const checkThreshold = (layer: string, threshold: number): number => {
  if (!Number.isFinite(threshold))
    throw new RangeError(`${layer}: threshold must be finite, got ${threshold}`);
  return threshold;
};

/** log α of a SparseVD layer, clipped to [−8, 8]. */
export const sparseLogAlpha = (p: SparseParams): tf.Tensor => logAlpha(p.theta, p.logSigma2);

/**
 * θ with the weights whose log α ≥ threshold set to zero (the mask never changes the parameters). The mask is
 * a constant of the gradient — a selection, not a function to differentiate (as `train_clip` in the authors'
 * code): the gradient reaching θ is `dy ⊙ mask`, and none reaches log σ² through this path. log σ² is read
 * inside the custom gradient, not passed to it, so the tape records one node and no zero gradients.
 */
export const maskedTheta = (p: WeightPosterior, threshold: number, options: FusedOptions = {}): tf.Tensor =>
  tf.customGrad((...args) => {
    const [theta, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [value, mask] = keepMask(theta, p.logSigma2, { threshold, ...options });
    save([mask]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0] as tf.Tensor) };
  })(p.theta);

/**
 * The KL of a SparseVD layer: its own `kl` when it was made with one, else the run's (`options.kl`), else the
 * paper's approximation.
 */
export const sparseKl =
  (own: WeightKl | undefined) =>
  (p: SparseParams, options: KlOptions = {}): tf.Scalar => {
    const { kl = molchanovKl, ...fused } = options;
    return weightKl(own ?? kl, p, fused);
  };

export const sparseWeightsOf = (
  p: SparseParams,
  name: string,
  threshold: number,
): ReadonlyArray<SparseWeight> => [{ name, theta: p.theta, logSigma2: p.logSigma2, threshold }];

/** The parameter tensors of a SparseVD layer with their roles; units are θ's last axis. */
export const sparseTensors = (p: SparseParams, prefix: string): ReadonlyArray<LayerTensor> => {
  const unitAxis = p.theta.rank - 1;
  return [
    { name: `${prefix}/theta`, role: 'theta', variable: p.theta, unitAxis },
    { name: `${prefix}/logSigma2`, role: 'logSigma2', variable: p.logSigma2, unitAxis },
    { name: `${prefix}/bias`, role: 'bias', variable: p.bias, unitAxis: 0 },
  ];
};

/** The eval-mode weights of a SparseVD layer for its frozen form: θ masked at `threshold`, a copy of the bias. */
export const frozenWeights = (
  p: SparseParams,
  threshold: number,
): { readonly weights: tf.Tensor; readonly bias: tf.Tensor } => {
  const [weights, mask] = keepMask(p.theta, p.logSigma2, { threshold });
  mask.dispose();
  return { weights, bias: tf.clone(p.bias) };
};

/** A scalar zero (the KL of a plain layer). */
export const zeroKl = (): tf.Scalar => tf.scalar(0);

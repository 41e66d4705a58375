import { klOfWeights } from '@sparsevd/estimators';
import type { FusedOptions } from '@sparsevd/kernels';
import type { KlApproximation } from '@sparsevd/kl';
import type * as tf from '@tensorflow/tfjs-core';

/** The variational parameters of one SparseVD weight tensor, as a KL term reads them. */
export interface WeightPosterior {
  /** Weight means θ. */
  readonly theta: tf.Tensor;
  /** log σ² per weight (additive parameterization). */
  readonly logSigma2: tf.Tensor;
}

/**
 * A KL term of a SparseVD weight tensor: Σ KL(q ‖ prior) over its weights as a scalar function of its
 * parameters, differentiable in both. `options.fused` is the caller's choice of fused kernels, for terms that
 * can use one.
 */
export type WeightKlTerm = (weights: WeightPosterior, options: FusedOptions) => tf.Scalar;

/**
 * The KL a SparseVD layer (or a whole run) is given: an approximation of −KL per weight (`molchanovKl`, the
 * default, or `kingmaKl` of `@sparsevd/kl`, or any {@link KlApproximation}), summed with log α as the layers
 * compute it — or a {@link WeightKlTerm}, a function of the parameters written by the user.
 */
export type WeightKl = KlApproximation | WeightKlTerm;

/** Options of {@link Layer.kl}: fused kernels, and the KL for SparseVD layers that were not given their own. */
export interface KlOptions extends FusedOptions {
  /** The run's KL (default: the paper's approximation); a layer made with its own `kl` keeps that one. */
  readonly kl?: WeightKl;
}

/**
 * Σ KL of one SparseVD weight tensor under `kl`: an approximation through `klOfWeights` of
 * `@sparsevd/estimators` (the fused kernel serves the paper's), a term by calling it.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { kingmaKl } from '@sparsevd/kl';
 * import { weightKl } from '@sparsevd/layers';
 * const w = { theta: tf.tensor1d([0.5, 0.01]), logSigma2: tf.tensor1d([-10, -4]) };
 * weightKl(kingmaKl, w).print(); // Kingma et al.'s KL, log α clipped to ≤ 0
 * weightKl((p) => tf.sum(tf.square(p.theta)), w).print(); // a term of your own: 0.2501
 * ```
 */
export const weightKl = (kl: WeightKl, weights: WeightPosterior, options: FusedOptions = {}): tf.Scalar =>
  typeof kl === 'function'
    ? kl(weights, options)
    : klOfWeights(weights.theta, weights.logSigma2, { approximation: kl, ...options });

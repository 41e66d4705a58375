import { keepMask } from '@sparsevd/estimators';
import type { Layer, Params } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { checkNetwork } from './internal/check-network.js';

/** The keep mask of one SparseVD weight tensor. */
export interface WeightMask {
  /** Layer path, as `sparseWeights` names it. */
  readonly name: string;
  /** 1 where the weight is kept (log α < threshold), 0 where pruned; θ's shape, float32. */
  readonly mask: tf.Tensor;
  readonly threshold: number;
}

/**
 * The keep masks of a network's SparseVD weight tensors (Molchanov et al. 2017, section 5: a weight is
 * dropped when log α > 3, i.e. its dropout rate exceeds ≈ 0.95). The caller disposes the masks.
 *
 * @param threshold - overrides every layer's own threshold.
 * @throws NonFiniteParameterError when a parameter holds NaN or ±∞.
 */
export const masks = (
  network: Layer,
  params: Params,
  options: { readonly threshold?: number } = {},
): WeightMask[] => {
  checkNetwork('masks', network, params);
  return network.sparseWeights(params).map((w) => {
    const threshold = options.threshold ?? w.threshold;
    return {
      name: w.name,
      threshold,
      mask: tf.tidy(() => keepMask(w.theta, w.logSigma2, { threshold })[1]),
    };
  });
};

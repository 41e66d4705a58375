import type * as tf from '@tensorflow/tfjs-core';
import type { WeightKl } from './kl-term.js';

/** The parameters of a SparseVD layer (additive parameterization). */
export interface SparseParams {
  readonly [name: string]: tf.Variable;
  /** Weight means θ. */
  readonly theta: tf.Variable;
  /** log σ² per weight. */
  readonly logSigma2: tf.Variable;
  /** Bias (not stochastic, not pruned). */
  readonly bias: tf.Variable;
}

/** Options shared by the SparseVD layers. */
export interface SparseOptions {
  /** A name for reports. */
  readonly name?: string;
  /** Prune (in `eval` mode) where log α ≥ threshold; the paper uses 3 (dropout rate ≈ 0.95). */
  readonly threshold?: number;
  /**
   * Multiply θ by the keep mask in `train` mode too, as the authors' LeNet-300-100 script does
   * (`train_clip`); pruned weights then stop contributing to the mean of the training forward pass.
   */
  readonly trainClip?: boolean;
  /**
   * The layer's own KL (an approximation such as `kingmaKl` of `@sparsevd/kl`, or a function of θ and log σ²);
   * default: the run's (`Layer.kl`'s `options.kl`), else the paper's approximation.
   */
  readonly kl?: WeightKl;
}

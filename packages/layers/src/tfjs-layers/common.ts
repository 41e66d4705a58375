import type { Noise } from '@sparsevd/estimators';
import { KL_APPROXIMATIONS, type KlApproximationName } from '@sparsevd/kl';
import type * as tf from '@tensorflow/tfjs-core';

/** Options shared by {@link SparseVDDense} and {@link SparseVDConv2D} besides their geometry. */
export interface SparseVDLayerArgs {
  /**
   * N, the number of training examples. `model.fit` minimises the *mean* loss per example, so the KL
   * term enters through `addLoss` as Σ KL / N: the SGVLB `N·mean log p(y|x,w) − Σ KL` divided by N.
   */
  readonly trainingSize: number;
  /** Prune where log α ≥ threshold when not training; default 3. */
  readonly threshold?: number;
  /** Initial log σ²; default −10 (−15 when starting from pretrained weights). */
  readonly logSigma2Init?: number;
  /** Default true. */
  readonly useBias?: boolean;
  /** `linear` (default), `relu`, `sigmoid`, `softmax` or `tanh`. */
  readonly activation?: string;
  /**
   * Multiply θ by the keep mask (log α < threshold) in training too, as the authors' LeNet-300-100 script
   * (`train_clip`); default false.
   */
  readonly trainClip?: boolean;
  /**
   * The KL approximation: `molchanov` (the paper's, default; the fused kernel where the backend has it) or
   * `kingma` (Kingma et al. 2015's, log α clipped to ≤ 0 where it holds).
   */
  readonly kl?: KlApproximationName;
  /** Seed of θ's initialisation and of the training noise (step k uses seed + k); random when absent. */
  readonly seed?: number;
  readonly name?: string;
  readonly trainable?: boolean;
  readonly inputShape?: number[];
  readonly batchInputShape?: (number | null)[];
  readonly dtype?: 'float32';
}

/** Checks the shared options, naming the layer class. */
export const checkArgs = (layer: string, args: SparseVDLayerArgs): void => {
  if (!Number.isInteger(args.trainingSize) || args.trainingSize <= 0) {
    throw new RangeError(
      `${layer}: trainingSize (N, the number of training examples) must be a positive integer, got ${args.trainingSize}`,
    );
  }
  if (args.threshold !== undefined && !Number.isFinite(args.threshold)) {
    throw new RangeError(`${layer}: threshold must be finite, got ${args.threshold}`);
  }
  if (args.kl !== undefined && !Object.hasOwn(KL_APPROXIMATIONS, args.kl)) {
    throw new RangeError(
      `${layer}: kl must be one of ${Object.keys(KL_APPROXIMATIONS).join(', ')}, got ${String(args.kl)}`,
    );
  }
  if (args.logSigma2Init !== undefined && !Number.isFinite(args.logSigma2Init)) {
    throw new RangeError(`${layer}: logSigma2Init must be finite, got ${args.logSigma2Init}`);
  }
};

/** The noise of one training call: seeded and advancing when a seed was given, else fresh randomness. */
export const trainingNoise = (seed: number | undefined, step: number): Noise =>
  seed === undefined ? { seed: Math.floor(Math.random() * 2 ** 31) } : { seed: seed + step };

/** The one input tensor of a call. */
export const oneInput = (layer: string, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => {
  if (!Array.isArray(inputs)) return inputs;
  if (inputs.length !== 1) throw new RangeError(`${layer}: expects one input tensor, got ${inputs.length}`);
  return inputs[0] as tf.Tensor;
};

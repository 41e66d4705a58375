import type { Noise } from '@sparsevd/estimators';
import type { FusedOptions } from '@sparsevd/kernels';
import type * as tf from '@tensorflow/tfjs-core';
import type { FreezeOptions, FrozenOpOf, FrozenUnitwiseOf } from './frozen.js';
import type { KlOptions } from './kl-term.js';

/**
 * How a layer computes:
 * - `train`: a stochastic forward pass — SparseVD layers sample pre-activations with the local
 *   reparameterization trick (additive parameterization), dropout drops, batch-norm uses batch statistics;
 * - `eval`: deterministic — SparseVD layers use θ masked where log α ≥ threshold (the pruned network);
 * - `mean`: deterministic with θ unmasked (the posterior mean network).
 */
export type Mode = 'train' | 'eval' | 'mean';

/**
 * Options of {@link Layer.apply}: whether the SparseVD layers may use fused kernels (`fused: false` composes
 * tfjs ops; default: fused wherever the backend registered the kernel).
 */
export type ApplyOptions = FusedOptions;

/** A value of a layer's configuration: plain JSON, so that it can be stored and shown. */
export type ConfigValue =
  | number
  | string
  | boolean
  | null
  | ReadonlyArray<ConfigValue>
  | { readonly [key: string]: ConfigValue };

/** A layer's hyperparameters as plain JSON (for reports and storage; pruning reads layers through `freeze`). */
export type LayerConfig = { readonly [key: string]: ConfigValue };

/** One operation of the layer protocol (see `frozen.ts`): what {@link Layer.freeze} returns. */
export type FrozenOp = FrozenOpOf<Layer>;
/** The element-wise form of the layer protocol, rebuilding a {@link Layer}. */
export type FrozenUnitwise = FrozenUnitwiseOf<Layer>;

/** The shape of one example (no batch dimension): `[784]`, `[28, 28, 1]`. */
export type Shape = ReadonlyArray<number>;

/**
 * A layer's parameters: `tf.Variable`s by name (so tfjs optimizers can train them), nested for
 * composite layers. The layer functions never hold state of their own.
 */
export interface Params {
  readonly [name: string]: tf.Variable | Params;
}

/** Options of {@link Layer.init}. */
export interface InitOptions {
  /** The shape of one input example. */
  readonly inputShape: Shape;
  /**
   * Start from these weights, by parameter name: an ordinary network's (`kernel`, `bias`) or a trained
   * network's own (a SparseVD layer also takes `theta` and `logSigma2`, a unit-noise layer `mu` and `logSigma`).
   */
  readonly weights?: Readonly<Record<string, tf.Tensor>>;
  /** Initial log σ² of SparseVD layers: −10 by default, −15 recommended from pretrained weights. */
  readonly logSigma2Init?: number;
}

/**
 * What a parameter tensor of a layer is (the layer protocol): `weights` of an ordinary layer (what an L2
 * penalty takes), `theta` and `logSigma2` of a SparseVD layer, a `bias`, a batch-norm `scale` / `shift`, or a
 * running `statistic` (not trained), or the μ / log σ of a unit-noise layer's per-unit variables (Structured
 * Bayesian Pruning).
 */
export type TensorRole =
  | 'weights'
  | 'theta'
  | 'logSigma2'
  | 'bias'
  | 'scale'
  | 'shift'
  | 'statistic'
  | 'unitMu'
  | 'unitLogSigma';

/** One parameter tensor of a layer with its role and the axis that indexes the layer's units. */
export interface LayerTensor {
  /** Its path, as {@link namedVariables} names it (`"fc1/kernel"`). */
  readonly name: string;
  readonly role: TensorRole;
  readonly variable: tf.Variable;
  /** The axis whose index is the unit (neuron or filter) an entry belongs to: the last for weights, 0 for a bias. */
  readonly unitAxis: number;
}

/** A SparseVD weight tensor of a network, for reports: its name and parameters. */
export interface SparseWeight {
  /** Path of the layer, e.g. `"dense_0"` or `"features/conv_2"`. */
  readonly name: string;
  readonly theta: tf.Variable;
  readonly logSigma2: tf.Variable;
  /** Threshold on log α above which the weight is pruned in `eval` mode. */
  readonly threshold: number;
}

/**
 * A layer as a plain value: a description plus pure functions over parameters. SparseVD layers
 * (Molchanov et al. 2017) and plain layers share this interface, and {@link sequential} composes them into
 * a network with the same interface. (Members are methods, so a `Layer<SparseParams>` is usable where a
 * `Layer` is expected.)
 */
export interface Layer<P extends Params = Params> {
  /** What the layer is, e.g. `"sparsevd-dense"`, `"relu"`. */
  readonly kind: string;
  /** The name given at construction, if any (sequential names the others). */
  readonly name?: string;
  /**
   * The hyperparameters the layer was made with, as plain JSON values (e.g. `{ units: 300, threshold: 3 }`):
   * what tools that rewrite or store a network (compaction, sparse export, checkpoints) read.
   */
  readonly config: LayerConfig;
  /** Creates the parameters for inputs of `options.inputShape`; θ initialised from `seed`. */
  init(seed: number, options: InitOptions): P;
  /** The forward pass. `noise` (a tensor or `{ seed }`) is required where `mode` is stochastic. */
  apply(params: P, x: tf.Tensor, mode: Mode, noise?: Noise, options?: ApplyOptions): tf.Tensor;
  /**
   * Σ KL(q ‖ p) of the layer's weights (0 for plain layers), a scalar: under the layer's own KL when it was
   * made with one, else `options.kl` (the run's), else the paper's approximation.
   */
  kl(params: P, options?: KlOptions): tf.Scalar;
  /** log α of the weights (clipped to [−8, 8]); undefined for layers without SparseVD weights. */
  logAlpha(params: P): tf.Tensor | undefined;
  /** The SparseVD weight tensors of the layer, with names (empty for plain layers). */
  sparseWeights(params: P, prefix?: string): ReadonlyArray<SparseWeight>;
  /** The shape of one output example. */
  outputShape(inputShape: Shape): Shape;
  /** Number of weights (biases and batch-norm parameters excluded, as in the paper's counts). */
  weightCount(inputShape: Shape): number;
  /**
   * The layer in eval mode as plain operations (the layer protocol, see {@link FrozenOp}): what pruning,
   * compaction, sparse export and sparse inference work on, so that they never need to know the layer's
   * kind. Empty for a layer that is the identity in eval mode (dropout); absent for one that cannot be
   * exported (batch-norm). The tensors are new: the caller disposes them.
   */
  freeze?(params: P, options: FreezeOptions): ReadonlyArray<FrozenOp>;
  /**
   * The layer's parameter tensors with their roles (the layer protocol), named under `prefix` (the layer's path
   * in the network). Absent for a layer without parameters.
   */
  tensors?(params: P, prefix: string): ReadonlyArray<LayerTensor>;
}

import type * as tf from '@tensorflow/tfjs-core';

/**
 * The layer protocol: what a layer is in eval mode, as plain operations that pruning, structured compaction,
 * sparse export and sparse inference understand by their form — never by the layer's kind. A layer returns
 * its frozen operations from {@link Layer.freeze}; the tensors in them are new (the caller disposes them).
 *
 * - `dense` / `conv`: a weight layer; its units are the output columns / filters (the last axis). A unit
 *   whose weights are all zero outputs the constant of its bias, which compaction folds into the next weight
 *   layer; inputs whose rows are all zero can be dropped.
 * - `unitwise`: a function applied to every value, unit by unit (the unit count is unchanged): a dead unit's
 *   constant passes through `fn`; sparse inference runs `fn`.
 * - `maxpool`, `flatten`: move values without mixing units (a constant passes unchanged).
 * - `select`: keeps some input features (what compaction puts first).
 * - `scale`: multiplies each unit (the last axis) by its own factor; 0 removes the unit. Pruning folds it into
 *   the weight layer right before it (its columns and bias) or, failing that, right after it (its input rows
 *   or input channels), so it never reaches compaction or export as an operation of its own.
 */
export type FrozenOpOf<L> =
  | FrozenDense
  | FrozenConv
  | FrozenUnitwiseOf<L>
  | FrozenMaxPool
  | FrozenFlatten
  | FrozenSelect
  | FrozenScale;

/** A dense weight layer: `x · weights + bias`, weights `[inputs, outputs]`. */
export interface FrozenDense {
  readonly form: 'dense';
  readonly name: string;
  /** `[inputs, outputs]`: θ masked where log α ≥ threshold for a SparseVD layer. */
  readonly weights: tf.Tensor;
  /** `[outputs]`. */
  readonly bias: tf.Tensor;
  /** Whether the weights are SparseVD weights (masked), for reports. */
  readonly sparse: boolean;
}

/** A 2-D convolution (NHWC): filters `[kh, kw, inputs, outputs]`. */
export interface FrozenConv {
  readonly form: 'conv';
  readonly name: string;
  readonly weights: tf.Tensor;
  readonly bias: tf.Tensor;
  readonly strides: readonly [number, number];
  readonly padding: 'valid' | 'same';
  readonly sparse: boolean;
}

/**
 * An element-wise function. `op` and `config` name it in a sparse export (plain JSON), `fn` computes it, and
 * `layer` rebuilds it as a layer value (for a compacted network).
 */
export interface FrozenUnitwiseOf<L> {
  readonly form: 'unitwise';
  readonly name: string;
  /** Its name in a sparse export, e.g. `"relu"`. */
  readonly op: string;
  /** Its settings in a sparse export (plain JSON). */
  readonly config: Readonly<Record<string, number | string | boolean>>;
  readonly fn: (value: number) => number;
  readonly layer: () => L;
}

/** Max pooling (NHWC). */
export interface FrozenMaxPool {
  readonly form: 'maxpool';
  readonly name: string;
  readonly pool: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: 'valid' | 'same';
}

/** `[batch, ...]` → `[batch, product(...)]`, row-major. */
export interface FrozenFlatten {
  readonly form: 'flatten';
  readonly name: string;
}

/** Keeps the features `indices` of flat inputs of `inputSize`. */
export interface FrozenSelect {
  readonly form: 'select';
  readonly name: string;
  readonly inputSize: number;
  readonly indices: ReadonlyArray<number>;
}

/** Per-unit factors on the last axis: `x · scale` (a unit-noise layer's E θ, 0 where the unit is removed). */
export interface FrozenScale {
  readonly form: 'scale';
  readonly name: string;
  /** `[units]`. */
  readonly scale: tf.Tensor;
}

/** Options of `Layer.freeze`. */
export interface FreezeOptions {
  /** The layer's name in the network (sequential's name for it). */
  readonly name: string;
  /** Prune at this log α threshold instead of the layer's own (SparseVD layers). */
  readonly threshold?: number;
}

import * as tf from '@tensorflow/tfjs-core';
import type { Params } from './layer.js';
import { namedVariables } from './params-utils.js';

/** One parameter tensor that holds NaN or ±∞. */
export interface NonFiniteTensor {
  /** The layer's path in the network (`"fc1"`, `"block/conv"`); empty for a lone layer's own parameters. */
  readonly layer: string;
  /** The parameter's name within its layer (`"theta"`, `"logSigma2"`, `"bias"`, `"kernel"`). */
  readonly tensor: string;
  /** How many of its values are not finite, and how many it has. */
  readonly count: number;
  readonly size: number;
}

/**
 * Parameters that hold NaN or ±∞, named by layer and tensor. Every pruning entry point throws it (a mask, a
 * report or an export of such a network would be meaningless: NaN compares false with the threshold, so it
 * would read as "pruned" and pass for perfect compression), and so does the tfjs-layers plug-in's
 * `NonFiniteGuard` when `fit` diverges.
 */
export class NonFiniteParameterError extends RangeError {
  readonly layer: string;
  readonly tensor: string;
  /** Every non-finite tensor found, in the network's order. */
  readonly tensors: ReadonlyArray<NonFiniteTensor>;
  /**
   * @param fn - who found them (the start of the message).
   * @param tensors - the non-finite tensors, at least one.
   * @param hint - what it means, after the names (default: a diverged or wrongly loaded network).
   */
  constructor(
    fn: string,
    tensors: ReadonlyArray<NonFiniteTensor>,
    hint = 'the network diverged or was loaded wrongly, so it has no meaningful sparsity',
  ) {
    const first = tensors[0] as NonFiniteTensor;
    const where =
      first.layer === '' ? `tensor "${first.tensor}"` : `layer "${first.layer}", tensor "${first.tensor}"`;
    const more = tensors.length > 1 ? ` (and ${tensors.length - 1} more tensor(s))` : '';
    super(`${fn}: ${where} holds ${first.count} non-finite value(s) of ${first.size}${more}; ${hint}`);
    this.name = 'NonFiniteParameterError';
    this.layer = first.layer;
    this.tensor = first.tensor;
    this.tensors = tensors;
  }
}

/** Non-finite counts of named tensors (`"layer/tensor"` paths) as one int32 tensor, in their order. */
const countsOf = (named: ReadonlyArray<readonly [string, tf.Tensor]>): tf.Tensor =>
  tf.tidy(() => tf.stack(named.map(([, t]) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(t)), 'int32')))));

const collect = (
  named: ReadonlyArray<readonly [string, tf.Tensor]>,
  counts: ArrayLike<number>,
): NonFiniteTensor[] =>
  named.flatMap(([path, t], i): NonFiniteTensor[] => {
    const count = counts[i] as number;
    if (count === 0) return [];
    const cut = path.lastIndexOf('/');
    return [{ layer: path.slice(0, Math.max(cut, 0)), tensor: path.slice(cut + 1), count, size: t.size }];
  });

/**
 * The parameter tensors of `params` that hold NaN or ±∞ (one synchronous device read for all of them), in
 * the network's order; empty when every value is finite.
 */
export const nonFiniteTensors = (params: Params): NonFiniteTensor[] => {
  const named = Object.entries(namedVariables(params));
  if (named.length === 0) return [];
  const counts = countsOf(named);
  const values = counts.dataSync();
  counts.dispose();
  return collect(named, values);
};

/**
 * {@link nonFiniteTensors} over named tensors (`"layer/tensor"` paths, as tfjs-layers names its weights),
 * read asynchronously so it does not stall a GPU backend.
 */
export const nonFiniteTensorsAsync = async (
  named: ReadonlyArray<readonly [string, tf.Tensor]>,
): Promise<NonFiniteTensor[]> => {
  if (named.length === 0) return [];
  const counts = countsOf(named);
  const values = await counts.data();
  counts.dispose();
  return collect(named, values);
};

/** Throws {@link NonFiniteParameterError}, naming `fn`, when any parameter holds NaN or ±∞. */
export const assertFiniteParams = (fn: string, params: Params): void => {
  const bad = nonFiniteTensors(params);
  if (bad.length > 0) throw new NonFiniteParameterError(fn, bad);
};

import * as tf from '@tensorflow/tfjs-core';
import { showShape } from './shape.js';

/** A trainable variable holding `value` (which it takes over). */
export const variable = (value: tf.Tensor, trainable = true): tf.Variable => {
  const v = tf.variable(value, trainable);
  value.dispose();
  return v;
};

/** Glorot-uniform values: U(−l, l), l = √(6 / (fanIn + fanOut)), from a seed. */
export const glorotUniform = (shape: number[], fanIn: number, fanOut: number, seed: number): tf.Tensor => {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
};

/** A given starting tensor (pretrained weights), checked for shape and copied. */
export const fromWeights = (layer: string, name: string, given: tf.Tensor, shape: number[]): tf.Tensor => {
  if (given.shape.length !== shape.length || given.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `${layer}: weights.${name} has shape ${showShape(given.shape)}, expected ${showShape(shape)}`,
    );
  }
  return tf.clone(given);
};

/** Checks a positive integer layer hyperparameter. */
export const checkPositiveInt = (layer: string, option: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${layer}: ${option} must be a positive integer, got ${String(value)}`);
  }
  return value;
};

/** Checks the log σ² initialisation. */
export const checkLogSigma2Init = (layer: string, value: number): number => {
  if (!Number.isFinite(value)) throw new RangeError(`${layer}: logSigma2Init must be finite, got ${value}`);
  return value;
};

/**
 * θ of a SparseVD layer from given weights: `theta` (a SparseVD layer's, with its `logSigma2`) or `kernel` (an
 * ordinary layer's); both at once is ambiguous. Undefined when neither is given.
 */
export const startTheta = (
  layer: string,
  weights: Readonly<Record<string, tf.Tensor>> | undefined,
  shape: number[],
): tf.Tensor | undefined => {
  if (weights?.theta !== undefined && weights.kernel !== undefined)
    throw new RangeError(`${layer}: weights.theta and weights.kernel both given; pass one`);
  if (weights?.theta !== undefined) return fromWeights(layer, 'theta', weights.theta, shape);
  if (weights?.kernel !== undefined) return fromWeights(layer, 'kernel', weights.kernel, shape);
  return undefined;
};

import * as tf from '@tensorflow/tfjs-core';
import { fromWeights, variable } from './internal/init.js';
import { plainLayer } from './internal/plain-layer.js';
import { checkInput } from './internal/shape.js';
import type { Layer } from './layer.js';

/** Batch-norm parameters: scale and offset (trained), moving statistics (not trained). */
export interface BatchNormParams {
  readonly [name: string]: tf.Variable;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
}

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  readonly name?: string;
  /** Moving-average momentum of the statistics; default 0.99. */
  readonly momentum?: number;
  /** Added to the variance; default 1e-3. */
  readonly epsilon?: number;
}

/**
 * Batch normalisation over the last axis (Ioffe & Szegedy 2015), as in the paper's VGG-like network.
 * `train` normalises with the batch's statistics and updates the moving statistics held in the
 * parameters (`movingMean`, `movingVariance`, not trainable); `eval` and `mean` use the moving statistics.
 */
export const batchNorm = (options: BatchNormOptions = {}): Layer<BatchNormParams> => {
  const label = `batchNorm${options.name ? ` '${options.name}'` : ''}`;
  const momentum = options.momentum ?? 0.99;
  const epsilon = options.epsilon ?? 1e-3;
  if (!(momentum >= 0 && momentum < 1))
    throw new RangeError(`${label}: momentum must be in [0, 1), got ${momentum}`);
  if (!(epsilon > 0)) throw new RangeError(`${label}: epsilon must be > 0, got ${epsilon}`);
  return plainLayer<BatchNormParams>({
    kind: 'batch-norm',
    config: { momentum, epsilon },
    name: options.name,
    init: (_seed, { inputShape, weights }) => {
      const c = inputShape[inputShape.length - 1] as number;
      const start = (name: string, fallback: () => tf.Tensor) =>
        weights?.[name] ? fromWeights(label, name, weights[name], [c]) : fallback();
      return {
        gamma: variable(start('gamma', () => tf.ones([c]))),
        beta: variable(start('beta', () => tf.zeros([c]))),
        movingMean: variable(
          start('movingMean', () => tf.zeros([c])),
          false,
        ),
        movingVariance: variable(
          start('movingVariance', () => tf.ones([c])),
          false,
        ),
      };
    },
    tensors: (p, prefix) => [
      { name: `${prefix}/gamma`, role: 'scale', variable: p.gamma, unitAxis: 0 },
      { name: `${prefix}/beta`, role: 'shift', variable: p.beta, unitAxis: 0 },
      { name: `${prefix}/movingMean`, role: 'statistic', variable: p.movingMean, unitAxis: 0 },
      { name: `${prefix}/movingVariance`, role: 'statistic', variable: p.movingVariance, unitAxis: 0 },
    ],
    apply: (p, x, mode) => {
      const c = p.gamma.shape[0] as number;
      checkInput(label, x, [...x.shape.slice(1, -1), c]);
      if (mode !== 'train') {
        return tf.batchNorm(x, p.movingMean, p.movingVariance, p.beta, p.gamma, epsilon);
      }
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      return tf.tidy(() => {
        const { mean, variance } = tf.moments(x, axes);
        // The moving statistics are state outside the gradient (assign is not recorded on the tape).
        p.movingMean.assign(tf.add(tf.mul(p.movingMean, momentum), tf.mul(mean, 1 - momentum)));
        p.movingVariance.assign(tf.add(tf.mul(p.movingVariance, momentum), tf.mul(variance, 1 - momentum)));
        return tf.batchNorm(x, mean, variance, p.beta, p.gamma, epsilon);
      });
    },
    outputShape: (s) => s,
  });
};

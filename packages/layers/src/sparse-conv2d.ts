import { lrtConv2d, type Noise } from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';
import { convBias, geometry, spatialOutput } from './internal/conv-geometry.js';
import {
  checkLogSigma2Init,
  checkPositiveInt,
  fromWeights,
  glorotUniform,
  startTheta,
  variable,
} from './internal/init.js';
import { checkMode, checkNhwc } from './internal/shape.js';
import {
  checkThreshold,
  frozenWeights,
  maskedTheta,
  sparseKl,
  sparseLogAlpha,
  sparseTensors,
  sparseWeightsOf,
} from './internal/sparse-common.js';
import type { ApplyOptions, Layer, Mode, Shape } from './layer.js';
import type { SparseOptions, SparseParams } from './sparse-params.js';

/** Options of {@link conv2d}. */
export interface Conv2dLayerOptions extends SparseOptions {
  /** Number of output channels. */
  readonly filters: number;
  /** Window size, one number or `[h, w]`. */
  readonly kernelSize: number | readonly [number, number];
  /** Strides, default 1. */
  readonly strides?: number | readonly [number, number];
  /** `'valid'` (default, as the LeNets) or `'same'`. */
  readonly padding?: 'valid' | 'same';
}

/**
 * A SparseVD 2-D convolution, NHWC (Molchanov et al. 2017, section 4.1): filters w ~ N(θ, σ²), trained by
 * the additive reparameterization with the local reparameterization trick (`conv(x, θ)`, `conv(x², σ²)`);
 * `eval` uses θ masked where log α ≥ threshold.
 *
 * Parameters: `theta` `[kh, kw, inChannels, filters]`, `logSigma2` likewise, `bias` `[filters]`.
 */
export const conv2d = (options: Conv2dLayerOptions): Layer<SparseParams> => {
  const label = `conv2d${options.name ? ` '${options.name}'` : ''}`;
  const filters = checkPositiveInt(label, 'filters', options.filters);
  const g = geometry(label, options.kernelSize, options.strides, options.padding);
  const threshold = checkThreshold(label, options.threshold ?? 3);
  const trainClip = options.trainClip ?? false;
  const filterShape = (inputShape: Shape): [number, number, number, number] => {
    spatialOutput(label, inputShape, g);
    return [g.kernel[0], g.kernel[1], inputShape[2] as number, filters];
  };
  return {
    kind: 'sparsevd-conv2d',
    config: {
      filters,
      kernelSize: [...g.kernel],
      strides: [...g.strides],
      padding: g.padding,
      threshold,
      trainClip,
    },
    ...(options.name === undefined ? {} : { name: options.name }),
    init: (seed, { inputShape, weights, logSigma2Init = -10 }) => {
      const shape = filterShape(inputShape);
      checkLogSigma2Init(label, logSigma2Init);
      const [kh, kw, inC] = shape;
      return {
        theta: variable(
          startTheta(label, weights, shape) ?? glorotUniform(shape, kh * kw * inC, kh * kw * filters, seed),
        ),
        logSigma2: variable(
          weights?.logSigma2
            ? fromWeights(label, 'logSigma2', weights.logSigma2, shape)
            : tf.fill(shape, logSigma2Init),
        ),
        bias: variable(
          weights?.bias ? fromWeights(label, 'bias', weights.bias, [filters]) : tf.zeros([filters]),
        ),
      };
    },
    apply: (p: SparseParams, x: tf.Tensor, mode: Mode, noise?: Noise, fused: ApplyOptions = {}) => {
      checkNhwc(label, x, p.theta.shape[2] as number);
      checkMode(label, mode);
      if (mode === 'train') {
        if (noise === undefined)
          throw new TypeError(`${label}: train mode needs noise (a tensor or { seed })`);
        return tf.tidy(() => {
          const theta = trainClip ? maskedTheta(p, threshold, fused) : p.theta;
          return lrtConv2d(x, { kind: 'additive', theta, logSigma2: p.logSigma2, bias: p.bias }, noise, {
            strides: g.strides,
            padding: g.padding,
            ...fused,
          });
        });
      }
      return tf.tidy(() =>
        convBias(x, mode === 'eval' ? maskedTheta(p, threshold, fused) : p.theta, p.bias, g),
      );
    },
    kl: sparseKl(options.kl),
    logAlpha: sparseLogAlpha,
    sparseWeights: (p, prefix = options.name ?? 'conv2d') => sparseWeightsOf(p, prefix, threshold),
    tensors: sparseTensors,
    freeze: (p, { name, threshold: at = threshold }) => [
      {
        form: 'conv',
        name,
        ...frozenWeights(p, at),
        strides: [g.strides[0], g.strides[1]],
        padding: g.padding,
        sparse: true,
      },
    ],
    outputShape: (inputShape) => [...spatialOutput(label, inputShape, g), filters],
    weightCount: (inputShape) => filterShape(inputShape).reduce((a, b) => a * b, 1),
  };
};

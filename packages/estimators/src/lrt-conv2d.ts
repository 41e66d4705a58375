import { FUSED_KERNELS, type FusedOptions, fusedOp, runFused } from '@sparsevd/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { checkParams } from './internal/check-params.js';
import { checkDim, checkFloatTensor, checkRank } from './internal/validate.js';
import { LRT_VARIANCE_EPS } from './lrt-dense.js';
import { type Noise, resolveNoise } from './noise.js';
import type { NoiseParams } from './params.js';
import { weightVariance } from './weight-variance.js';

/**
 * Convolution geometry of {@link lrtConv2d}, as in `tf.conv2d` (NHWC), and whether it may run the fused kernel
 * (`fused: false` composes tfjs ops).
 */
export interface Conv2dOptions extends FusedOptions {
  /** Strides, one number for both directions or `[h, w]`. Default 1. */
  readonly strides?: number | readonly [number, number];
  /** `'valid'` (default, as the LeNets use) or `'same'`. */
  readonly padding?: 'valid' | 'same';
  /** Dilations, one number or `[h, w]`. Default 1. */
  readonly dilations?: number | readonly [number, number];
}

/** `conv(x, θ) + bias + √(conv(x², σ²) + eps)·ε` and the standard deviation, from σ² itself. */
const composed = (
  x: tf.Tensor,
  theta: tf.Tensor,
  variance: tf.Tensor,
  bias: tf.Tensor | undefined,
  noise: tf.Tensor,
  strides: number | readonly [number, number],
  pad: 'valid' | 'same',
  dilations: number | readonly [number, number],
): tf.Tensor[] => {
  const conv = (input: tf.Tensor, filter: tf.Tensor) =>
    tf.conv2d(
      input as tf.Tensor4D,
      filter as tf.Tensor4D,
      strides as [number, number],
      pad,
      'NHWC',
      dilations as [number, number],
    );
  const mean0 = conv(x, theta);
  const mean = bias === undefined ? mean0 : tf.add(mean0, bias);
  const std = tf.sqrt(tf.add(conv(tf.square(x), variance), LRT_VARIANCE_EPS));
  return [tf.add(mean, tf.mul(std, noise)), std];
};

/** The fused `lrtConv2d` kernel and its composed fallback (additive parameters: σ² = exp(log σ²)). */
const LRT_CONV2D = fusedOp(FUSED_KERNELS.lrtConv2d, ({ x, theta, logSigma2, noise, bias }, a) =>
  composed(
    x as tf.Tensor,
    theta as tf.Tensor,
    tf.exp(logSigma2 as tf.Tensor),
    bias,
    noise as tf.Tensor,
    a.strides,
    a.pad,
    a.dilations,
  ),
);

/**
 * The local reparameterization trick for a 2-D convolution (Molchanov et al. 2017, section 4.1):
 *
 * `μ = conv(x, θ) + b`, `s² = conv(x², σ²)`, `out = μ + √(s² + 1e-8)·ε`,
 *
 * with σ² from {@link weightVariance}; the bias enters the mean only. As in the paper, the noise is
 * independent per output element (the exact marginal of each output; correlations between neighbouring
 * outputs that share inputs are dropped).
 *
 * @param x - inputs `[batch, height, width, inChannels]`.
 * @param params - θ `[kh, kw, inChannels, outChannels]`, its noise parameter, optional bias `[outChannels]`.
 * @param noise - ε of the output's shape, or `{ seed }`.
 * @returns sampled pre-activations `[batch, outHeight, outWidth, outChannels]`.
 */
export const lrtConv2d = (
  x: tf.Tensor,
  params: NoiseParams,
  noise: Noise,
  options: Conv2dOptions = {},
): tf.Tensor => {
  const fn = 'lrtConv2d';
  checkFloatTensor(fn, 'x', x);
  checkParams(fn, params);
  checkRank(fn, 'x', x, 4, '[batch, height, width, inChannels]');
  checkRank(fn, 'params.theta', params.theta, 4, '[kh, kw, inChannels, outChannels]');
  checkDim(fn, 'x', x, 3, 'params.theta', params.theta, 2);
  if (params.bias !== undefined) checkDim(fn, 'params.bias', params.bias, 0, 'params.theta', params.theta, 3);
  const { strides = 1, padding = 'valid', dilations = 1 } = options;
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      params.theta.shape as [number, number, number, number],
      strides as [number, number],
      dilations as [number, number],
      padding,
    );
    const eps = resolveNoise(fn, info.outShape, noise, options);
    const dilationOne =
      dilations === 1 || (Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1);
    // The fused kernel takes additive parameters and dilation 1 only (as tfjs's own conv gradient).
    const [y] =
      params.kind === 'additive' && dilationOne
        ? runFused(
            LRT_CONV2D,
            { x, theta: params.theta, logSigma2: params.logSigma2, noise: eps, bias: params.bias },
            { strides, pad: padding, dilations: 1, varianceEps: LRT_VARIANCE_EPS },
            options,
          )
        : composed(x, params.theta, weightVariance(params), params.bias, eps, strides, padding, dilations);
    return y as tf.Tensor;
  });
};

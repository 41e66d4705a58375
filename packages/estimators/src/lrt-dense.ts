import { FUSED_KERNELS, type FusedOptions, fusedOp, runFused } from '@sparsevd/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { checkParams } from './internal/check-params.js';
import { matMul } from './internal/mat-mul.js';
import { checkDim, checkFloatTensor, checkRank } from './internal/validate.js';
import { type Noise, resolveNoise } from './noise.js';
import type { NoiseParams } from './params.js';
import { weightVariance } from './weight-variance.js';

/** Added to the pre-activation variance before the square root, as the authors do (keeps the gradient finite). */
export const LRT_VARIANCE_EPS = 1e-8;

/** `x·θ + bias + √(x²·σ² + eps)·ε` and the standard deviation, from σ² itself (both parameterizations). */
const composed = (
  x: tf.Tensor,
  theta: tf.Tensor,
  variance: tf.Tensor,
  bias: tf.Tensor | undefined,
  eps: tf.Tensor,
): tf.Tensor[] => {
  const mean0 = matMul(x as tf.Tensor2D, theta as tf.Tensor2D);
  const mean = bias === undefined ? mean0 : tf.add(mean0, bias);
  const std = tf.sqrt(tf.add(matMul(tf.square(x) as tf.Tensor2D, variance as tf.Tensor2D), LRT_VARIANCE_EPS));
  return [tf.add(mean, tf.mul(std, eps)), std];
};

/** The fused `lrtDense` kernel and its composed fallback (additive parameters: σ² = exp(log σ²)). */
const LRT_DENSE = fusedOp(FUSED_KERNELS.lrtDense, ({ x, theta, logSigma2, noise, bias }) =>
  composed(x as tf.Tensor, theta as tf.Tensor, tf.exp(logSigma2 as tf.Tensor), bias, noise as tf.Tensor),
);

/**
 * The local reparameterization trick for a dense layer (Kingma et al. 2015; Molchanov et al. 2017,
 * eq. 17): instead of sampling the weights, sample each pre-activation from its exact Gaussian,
 *
 * `μ = x·θ + b`, `s² = x²·σ²`, `out = μ + √(s² + 1e-8)·ε`,
 *
 * with σ² from {@link weightVariance}. The bias enters the mean only. Each example gets independent noise,
 * so the gradient estimator has far lower variance than one weight sample per batch.
 *
 * With additive parameters on a backend that registered the fused `lrtDense` kernel (`@sparsevd/kernels`'
 * `FUSED_KERNELS`) and `options.fused` not `false`, the whole layer and its gradient run as one kernel each;
 * the values are the same.
 *
 * @param x - inputs `[batch, in]`.
 * @param params - θ `[in, out]`, its noise parameter, optional bias `[out]`.
 * @param noise - ε `[batch, out]`, or `{ seed }`.
 * @param options - `fused: false` composes tfjs ops even where the backend has the fused kernel.
 * @returns sampled pre-activations `[batch, out]`.
 */
export const lrtDense = (
  x: tf.Tensor,
  params: NoiseParams,
  noise: Noise,
  options: FusedOptions = {},
): tf.Tensor => {
  const fn = 'lrtDense';
  checkFloatTensor(fn, 'x', x);
  checkParams(fn, params);
  checkRank(fn, 'x', x, 2, '[batch, in]');
  checkRank(fn, 'params.theta', params.theta, 2, '[in, out]');
  checkDim(fn, 'x', x, 1, 'params.theta', params.theta, 0);
  if (params.bias !== undefined) checkDim(fn, 'params.bias', params.bias, 0, 'params.theta', params.theta, 1);
  return tf.tidy(() => {
    const eps = resolveNoise(fn, [x.shape[0] as number, params.theta.shape[1] as number], noise, options);
    const [y] =
      params.kind === 'additive'
        ? runFused(
            LRT_DENSE,
            { x, theta: params.theta, logSigma2: params.logSigma2, noise: eps, bias: params.bias },
            { varianceEps: LRT_VARIANCE_EPS },
            options,
          )
        : composed(x, params.theta, weightVariance(params), params.bias, eps);
    return y as tf.Tensor;
  });
};

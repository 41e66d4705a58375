import { FUSED_KERNELS, fusedKernelAvailable } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import { checkParams } from './internal/check-params.js';
import { matMul } from './internal/mat-mul.js';
import { checkDim, checkFloatTensor, checkRank } from './internal/validate.js';
import { type Noise, resolveNoise } from './noise.js';
import type { NoiseParams } from './params.js';
import { weightVariance } from './weight-variance.js';

/** Added to the pre-activation variance before the square root, as the authors do (keeps the gradient finite). */
export const LRT_VARIANCE_EPS = 1e-8;

/**
 * The local reparameterization trick for a dense layer (Kingma et al. 2015; Molchanov et al. 2017,
 * eq. 17): instead of sampling the weights, sample each pre-activation from its exact Gaussian,
 *
 * `μ = x·θ + b`, `s² = x²·σ²`, `out = μ + √(s² + 1e-8)·ε`,
 *
 * with σ² from {@link weightVariance}. The bias enters the mean only. Each example gets independent noise,
 * so the gradient estimator has far lower variance than one weight sample per batch.
 *
 * With additive parameters on a backend that offers the fused `lrtDense` kernel (`@sparsevd/kl`'s
 * `FUSED_KERNELS`), the whole layer and its gradient run as one kernel each; the values are the same.
 *
 * @param x - inputs `[batch, in]`.
 * @param params - θ `[in, out]`, its noise parameter, optional bias `[out]`.
 * @param noise - ε `[batch, out]`, or `{ seed }`.
 * @returns sampled pre-activations `[batch, out]`.
 */
export const lrtDense = (x: tf.Tensor, params: NoiseParams, noise: Noise): tf.Tensor => {
  const fn = 'lrtDense';
  checkFloatTensor(fn, 'x', x);
  checkParams(fn, params);
  checkRank(fn, 'x', x, 2, '[batch, in]');
  checkRank(fn, 'params.theta', params.theta, 2, '[in, out]');
  checkDim(fn, 'x', x, 1, 'params.theta', params.theta, 0);
  if (params.bias !== undefined) checkDim(fn, 'params.bias', params.bias, 0, 'params.theta', params.theta, 1);
  return tf.tidy(() => {
    const eps = resolveNoise(fn, [x.shape[0] as number, params.theta.shape[1] as number], noise);
    if (params.kind === 'additive' && fusedKernelAvailable(FUSED_KERNELS.lrtDense)) {
      const inputs = { x, theta: params.theta, logSigma2: params.logSigma2, noise: eps };
      const [y] = tf
        .engine()
        .runKernel(
          FUSED_KERNELS.lrtDense,
          params.bias === undefined ? inputs : { ...inputs, bias: params.bias },
          { varianceEps: LRT_VARIANCE_EPS },
        ) as tf.Tensor[];
      return y as tf.Tensor;
    }
    const mean0 = matMul(x as tf.Tensor2D, params.theta as tf.Tensor2D);
    const mean = params.bias === undefined ? mean0 : tf.add(mean0, params.bias);
    const variance = matMul(tf.square(x) as tf.Tensor2D, weightVariance(params) as tf.Tensor2D);
    return tf.add(mean, tf.mul(tf.sqrt(tf.add(variance, LRT_VARIANCE_EPS)), eps));
  });
};

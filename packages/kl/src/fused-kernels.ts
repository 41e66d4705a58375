import * as tf from '@tensorflow/tfjs-core';

/**
 * The fused SparseVD kernels a tfjs backend may offer, by kernel name: the contract between the packages
 * that call them (`@sparsevd/estimators`, `@sparsevd/layers`, `@sparsevd/train`) and a backend that implements
 * them (`@sparsevd/backend-native`). Each caller uses the kernel when the active backend registered it and
 * falls back to the composed tfjs ops, which compute the same values, otherwise.
 *
 * - `klOfWeights` — inputs `{theta, logSigma2}`, attrs `{eps, clipLo, clipHi}`; outputs `[Σ KL (scalar),
 *   ∂ΣKL/∂θ, ∂ΣKL/∂log σ²]` with log α = clip(log σ² − log(θ² + eps), clipLo, clipHi).
 * - `lrtDense` — inputs `{x, theta, logSigma2, noise, bias?}`, attrs `{varianceEps}`; outputs
 *   `[x·θ + bias + std ⊙ noise, std]` with std = sqrt(x²·exp(log σ²) + varianceEps).
 * - `lrtConv2d` — the same for an NHWC convolution (filters `[kh, kw, in, out]`), attrs `{strides, pad,
 *   dilations (1), varianceEps}`: `[conv(x, θ) + bias + std ⊙ noise, std]`, std = sqrt(conv(x², exp(log σ²)) +
 *   varianceEps).
 * - `maskedTheta` — inputs `{theta, logSigma2}`, attrs `{threshold, eps, clipLo, clipHi}`; outputs
 *   `[θ ⊙ mask, mask]` with mask = [log α < threshold]; no gradient (callers wrap it in a custom gradient).
 * - `adam` — inputs `{x, m, v, g}`, attrs `{beta1, beta2, epsilon, stepSize, invSqrtBc2}`; outputs the
 *   updated `[x, m, v]` (no gradient).
 * - `randomNormal` — no inputs, attrs `{shape, mean, stdDev, seed}` with `seed` the seed's `String()`; output
 *   the float32 values `tf.randomNormal(shape, mean, stdDev, 'float32', seed)` gives (the same generator).
 * - `softmaxCrossEntropy` — inputs `{labels, logits}`, both `[batch, classes]` float32, no attrs; output the
 *   scalar `tf.losses.softmaxCrossEntropy(labels, logits)` gives (the mean over the batch of
 *   −Σ labels ⊙ log softmax(logits)), with tfjs's gradients for both inputs.
 *
 * @example
 * ```ts
 * import { FUSED_KERNELS, fusedKernelAvailable } from '@sparsevd/kl';
 * const fused = fusedKernelAvailable(FUSED_KERNELS.lrtDense); // true on @sparsevd/backend-native
 * ```
 */
export const FUSED_KERNELS = {
  klOfWeights: 'SparseVDKlOfWeights',
  lrtDense: 'SparseVDLrtDense',
  lrtConv2d: 'SparseVDLrtConv2d',
  maskedTheta: 'SparseVDMaskedTheta',
  adam: 'SparseVDAdam',
  randomNormal: 'SparseVDRandomNormal',
  softmaxCrossEntropy: 'SparseVDSoftmaxCrossEntropy',
} as const;

/** The name of one fused SparseVD kernel. */
export type FusedKernelName = (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS];

// `SPARSEVD_FUSED=0` read once, at load: this is asked on every fused call of a training step.
let enabled =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SPARSEVD_FUSED !==
  '0';

/**
 * Turns the use of fused kernels on or off for this process (on by default; the environment variable
 * `SPARSEVD_FUSED=0` turns it off at start). Off, every caller takes the composed ops: for comparisons and
 * benchmarks.
 */
export const setFusedKernels = (on: boolean): void => {
  enabled = on;
};

/** Whether fused kernels are on (see {@link setFusedKernels}). */
export const fusedKernelsEnabled = (): boolean => enabled;

/** Whether the active tfjs backend registered the fused kernel `name` and fused kernels are on. */
export const fusedKernelAvailable = (name: FusedKernelName): boolean =>
  fusedKernelsEnabled() && tf.getKernel(name, tf.getBackend()) !== undefined;

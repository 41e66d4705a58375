import { fusedKernel } from './fused-kernel.js';

/** Attributes of `klOfWeights` and `maskedTheta`: log α = clip(log σ² − log(θ² + eps), clipLo, clipHi). */
export interface LogAlphaAttrs {
  readonly eps: number;
  readonly clipLo: number;
  readonly clipHi: number;
}

/** Attributes of `lrtConv2d` (NHWC, filters `[kh, kw, in, out]`; only dilation 1 is fused). */
export interface LrtConv2dAttrs {
  readonly strides: number | readonly [number, number];
  readonly pad: 'valid' | 'same';
  readonly dilations: 1;
  readonly varianceEps: number;
}

/** Attributes of `adam`: PyTorch's Adam with the bias corrections folded into `stepSize` and `invSqrtBc2`. */
export interface AdamAttrs {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly stepSize: number;
  readonly invSqrtBc2: number;
}

/** Attributes of `randomNormal`; `seed` is the seed's `String()`, as tfjs's own generator takes it. */
export interface RandomNormalAttrs {
  readonly shape: ReadonlyArray<number>;
  readonly mean: number;
  readonly stdDev: number;
  readonly seed: string;
}

/**
 * Attributes of `unitNoiseKl` and `unitNoiseSample`: log θ truncated to [a, b]; μ and log σ clipped to
 * [clipLo, clipHi] before use (Structured Bayesian Pruning's constants are [−20, 0] and [−20, 5]).
 */
export interface UnitNoiseAttrs {
  readonly a: number;
  readonly b: number;
  readonly clipLo: number;
  readonly clipHi: number;
}

/**
 * The fused SparseVD kernels: the contract between the functions that call them (`@sparsevd/estimators`,
 * `@sparsevd/layers`, `@sparsevd/train`, each with its composed fallback) and a backend that registers them
 * (`@sparsevd/backend-native`). Outputs, in order:
 *
 * - `klOfWeights` — `[Σ KL (scalar), ∂ΣKL/∂θ, ∂ΣKL/∂log σ²]`, KL by Molchanov et al.'s approximation (eq. 14)
 *   at log α = clip(log σ² − log(θ² + eps), clipLo, clipHi).
 * - `lrtDense` — `[x·θ + bias + std ⊙ noise, std]`, std = sqrt(x²·exp(log σ²) + varianceEps) (eq. 17).
 * - `lrtConv2d` — the same for an NHWC convolution: std = sqrt(conv(x², exp(log σ²)) + varianceEps).
 * - `maskedTheta` — `[θ ⊙ mask, mask]`, mask = [log α < threshold]; no gradient (callers wrap it).
 * - `adam` — the updated `[x, m, v]`; no gradient.
 * - `randomNormal` — the float32 values `tf.randomNormal(shape, mean, stdDev, 'float32', seed)` gives.
 * - `unitNoiseKl` — `[KL, ∂KL/∂μ, ∂KL/∂log σ]` per unit, Structured Bayesian Pruning's closed-form KL of the
 *   truncated log-normal unit noise from its truncated log-uniform prior; no gradient of its own (callers wrap it).
 * - `unitNoiseSample` — `[θ, ∂θ/∂μ, ∂θ/∂log σ, ∂θ/∂noise]` per unit, θ = exp(clip(μ + σ·Φ⁻¹(Φ(α) + Φ(ε)·Z), a,
 *   b)) for standard-normal noise ε; no gradient of its own (callers wrap it).
 * - `softmaxCrossEntropy` — the scalar `tf.losses.softmaxCrossEntropy(labels, logits)` gives (mean over the
 *   batch), with tfjs's gradients for both inputs; `[batch, classes]` float32 inputs.
 *
 * @example
 * ```ts
 * import { FUSED_KERNELS } from '@sparsevd/kernels';
 * FUSED_KERNELS.lrtDense.name; // 'SparseVDLrtDense'
 * ```
 */
export const FUSED_KERNELS = {
  klOfWeights: fusedKernel<'theta' | 'logSigma2', LogAlphaAttrs>({
    name: 'SparseVDKlOfWeights',
    inputs: ['theta', 'logSigma2'],
    attrs: ['eps', 'clipLo', 'clipHi'],
    outputs: 3,
  }),
  lrtDense: fusedKernel<'x' | 'theta' | 'logSigma2' | 'noise' | 'bias', { readonly varianceEps: number }>({
    name: 'SparseVDLrtDense',
    inputs: ['x', 'theta', 'logSigma2', 'noise'],
    optionalInputs: ['bias'],
    attrs: ['varianceEps'],
    outputs: 2,
  }),
  lrtConv2d: fusedKernel<'x' | 'theta' | 'logSigma2' | 'noise' | 'bias', LrtConv2dAttrs>({
    name: 'SparseVDLrtConv2d',
    inputs: ['x', 'theta', 'logSigma2', 'noise'],
    optionalInputs: ['bias'],
    attrs: ['strides', 'pad', 'dilations', 'varianceEps'],
    outputs: 2,
  }),
  maskedTheta: fusedKernel<'theta' | 'logSigma2', LogAlphaAttrs & { readonly threshold: number }>({
    name: 'SparseVDMaskedTheta',
    inputs: ['theta', 'logSigma2'],
    attrs: ['threshold', 'eps', 'clipLo', 'clipHi'],
    outputs: 2,
  }),
  adam: fusedKernel<'x' | 'm' | 'v' | 'g', AdamAttrs>({
    name: 'SparseVDAdam',
    inputs: ['x', 'm', 'v', 'g'],
    attrs: ['beta1', 'beta2', 'epsilon', 'stepSize', 'invSqrtBc2'],
    outputs: 3,
  }),
  randomNormal: fusedKernel<never, RandomNormalAttrs>({
    name: 'SparseVDRandomNormal',
    inputs: [],
    attrs: ['shape', 'mean', 'stdDev', 'seed'],
    outputs: 1,
  }),
  unitNoiseKl: fusedKernel<'mu' | 'logSigma', UnitNoiseAttrs>({
    name: 'SparseVDUnitNoiseKl',
    inputs: ['mu', 'logSigma'],
    attrs: ['a', 'b', 'clipLo', 'clipHi'],
    outputs: 3,
  }),
  unitNoiseSample: fusedKernel<'mu' | 'logSigma' | 'noise', UnitNoiseAttrs>({
    name: 'SparseVDUnitNoiseSample',
    inputs: ['mu', 'logSigma', 'noise'],
    attrs: ['a', 'b', 'clipLo', 'clipHi'],
    outputs: 4,
  }),
  softmaxCrossEntropy: fusedKernel<'labels' | 'logits', Record<string, never>>({
    name: 'SparseVDSoftmaxCrossEntropy',
    inputs: ['labels', 'logits'],
    attrs: [],
    outputs: 1,
  }),
} as const;

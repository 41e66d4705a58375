import { FUSED_KERNELS, type FusedKernel, type LogAlphaAttrs } from '@sparsevd/kernels';
import type * as tf from '@tensorflow/tfjs-core';
import { negKlKingma } from './kingma.js';
import { negKlMolchanov } from './molchanov.js';

/**
 * An approximation of −KL(q(w | θ, α) ‖ log-uniform prior) per weight, as a value a layer or a training run is
 * given. The built-in ones are {@link molchanovKl} (the paper's, the default) and {@link kingmaKl}; any value
 * of this shape works the same way (the composed tfjs ops compute its Σ KL and gradients).
 */
export interface KlApproximation {
  /** A short name, as the trainer's config and the CLI's `--kl` flag spell it. */
  readonly name: string;
  /** What it is and where it holds, in one line (the CLI prints it). */
  readonly description: string;
  /** −KL per weight from log α, element-wise (float32 in, float32 out, differentiable). */
  readonly negKl: (logAlpha: tf.Tensor) => tf.Tensor;
  /**
   * The largest log α where the approximation holds: Σ KL clips log α to it (on top of the usual clip), so the
   * approximation is never extrapolated. `Infinity` where it holds everywhere.
   */
  readonly logAlphaMax: number;
  /**
   * A fused kernel computing Σ KL and its gradients over (θ, log σ²) with exactly this approximation, when a
   * backend may offer one (`@sparsevd/kernels`' `FUSED_KERNELS.klOfWeights` for the paper's).
   */
  readonly fusedKernel?: FusedKernel<'theta' | 'logSigma2', LogAlphaAttrs>;
}

/**
 * Molchanov et al. 2017's approximation (eq. 14, {@link negKlMolchanov}): within 0.01 of the exact value on
 * log α ∈ [−10, 10], right in both limits; served by the fused `klOfWeights` kernel where a backend has it.
 */
export const molchanovKl: KlApproximation = {
  name: 'molchanov',
  description: "Molchanov et al. 2017's approximation (eq. 14), valid for every α",
  negKl: negKlMolchanov,
  logAlphaMax: Number.POSITIVE_INFINITY,
  fusedKernel: FUSED_KERNELS.klOfWeights,
};

/**
 * Kingma et al. 2015's polynomial approximation ({@link negKlKingma}), which holds only for α ≤ 1: Σ KL clips
 * log α to ≤ 0 with it, so beyond α = 1 the KL is flat (it neither rewards nor penalises more noise) — the
 * limit of the original variational dropout, which this term reproduces rather than extrapolating the cubic.
 */
export const kingmaKl: KlApproximation = {
  name: 'kingma',
  description:
    "Kingma et al. 2015's approximation; holds for α ≤ 1 only, so log α is clipped to ≤ 0 in the KL",
  negKl: negKlKingma,
  logAlphaMax: 0,
};

/** The built-in approximations by name. */
export const KL_APPROXIMATIONS: Readonly<Record<'molchanov' | 'kingma', KlApproximation>> = {
  molchanov: molchanovKl,
  kingma: kingmaKl,
};

/** The name of a built-in approximation. */
export type KlApproximationName = keyof typeof KL_APPROXIMATIONS;

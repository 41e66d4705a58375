import {
  FUSED_KERNELS,
  type FusedOptions,
  fusedKernelRegistered,
  type UnitNoiseAttrs,
} from '@sparsevd/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor, checkSameShape } from './internal/validate.js';
import { type Noise, resolveNoise } from './noise.js';
import { logNormalMass, normalCdf, normalQuantile } from './normal-cdf.js';

/**
 * Structured Bayesian Pruning (Neklyudov, Molchanov, Ashukha & Vetrov, NeurIPS 2017): every unit (neuron or
 * filter) is multiplied by a noise variable θ with posterior q(log θ) = N(μ, σ²) truncated to [a, b] — a
 * truncated log-normal — and prior p(log θ) uniform on [a, b] (a truncated log-uniform prior on θ).
 * Parameters per unit: μ and log σ.
 */
export interface UnitNoiseParams {
  readonly mu: tf.Tensor;
  readonly logSigma: tf.Tensor;
}

/** The truncation [a, b] of log θ. */
export interface LogBounds {
  readonly a: number;
  readonly b: number;
}

/**
 * The authors' constants (their public code, `nets/layers.py` of necludov/group-sparsity-sbp): log θ in
 * [−20, 0]; μ from 0 and log σ from −5; both clipped to [−20, 5] in every use; a unit is kept while its
 * signal-to-noise ratio E θ / √Var θ exceeds 1.
 */
export const SBP = {
  bounds: { a: -20, b: 0 } as LogBounds,
  muInit: 0,
  logSigmaInit: -5,
  clip: [-20, 5] as const,
  snrThreshold: 1,
} as const;

const check = (fn: string, params: UnitNoiseParams, bounds: LogBounds): void => {
  checkFloatTensor(fn, 'mu', params.mu);
  checkFloatTensor(fn, 'logSigma', params.logSigma);
  checkSameShape(fn, 'mu', params.mu, 'logSigma', params.logSigma);
  if (!(Number.isFinite(bounds.a) && Number.isFinite(bounds.b) && bounds.a < bounds.b))
    throw new RangeError(`${fn}: bounds must be finite with a < b, got [${bounds.a}, ${bounds.b}]`);
};

/** μ, σ (clipped as the authors clip them) and the standardised bounds α = (a − μ)/σ, β = (b − μ)/σ. */
const standardised = ({ mu, logSigma }: UnitNoiseParams, { a, b }: LogBounds) => {
  const [lo, hi] = SBP.clip;
  const m = tf.clipByValue(mu, lo, hi);
  const logS = tf.clipByValue(logSigma, lo, hi);
  const s = tf.exp(logS);
  return { m, logS, s, alpha: tf.div(tf.sub(a, m), s), beta: tf.div(tf.sub(b, m), s) };
};

const fusedAttrs = ({ a, b }: LogBounds): UnitNoiseAttrs => ({
  a,
  b,
  clipLo: SBP.clip[0],
  clipHi: SBP.clip[1],
});

/**
 * A fused unit-noise kernel under a custom gradient: its first output is the value, the others its derivatives
 * in each input (elementwise: every output has the units' shape), saved for the backward pass, which scales
 * them by dy (no synchronous read).
 */
const fusedPerUnit = (
  kernel: string,
  inputs: ReadonlyArray<tf.Tensor>,
  names: ReadonlyArray<string>,
  attrs: UnitNoiseAttrs,
) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const named = Object.fromEntries(names.map((name, i) => [name, args[i] as tf.Tensor]));
    const [value, ...grads] = tf.engine().runKernel(kernel, named, { ...attrs }) as tf.Tensor[];
    save(grads);
    return {
      value: value as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => saved.map((g) => tf.mul(dy, g)),
    };
  })(...inputs);

/**
 * KL(q ‖ p) per unit, closed form (Neklyudov et al. 2017): the prior's log density is −log(b − a), and
 * the entropy of a normal truncated to [α, β] (standardised) is log(√(2πe)·σ·Z) + (αφ(α) − βφ(β)) / (2Z),
 * Z = Φ(β) − Φ(α); so KL = log(b − a) − log σ − ½·log(2πe) − log Z − (αφ(α) − βφ(β)) / (2Z). Composed of
 * tfjs ops, with log Z and φ/Z in log space, it is finite wherever μ and log σ lie in their clip range. Where
 * the backend registered the fused `unitNoiseKl` kernel of `@sparsevd/kernels` (the `native` backend does) and
 * `options.fused` is not `false`, one kernel computes the value and its gradients in double precision, with
 * the far tails (|α| or |β| > 30, which the composed ops round) in asymptotic form.
 */
export const unitNoiseKl = (
  params: UnitNoiseParams,
  bounds: LogBounds = SBP.bounds,
  options: FusedOptions = {},
): tf.Tensor => {
  check('unitNoiseKl', params, bounds);
  if (params.mu.size > 0 && fusedKernelRegistered(FUSED_KERNELS.unitNoiseKl, options))
    return tf.tidy(() =>
      fusedPerUnit(
        FUSED_KERNELS.unitNoiseKl.name,
        [params.mu, params.logSigma],
        FUSED_KERNELS.unitNoiseKl.inputs,
        fusedAttrs(bounds),
      ),
    );
  return tf.tidy(() => {
    const { logS, alpha, beta } = standardised(params, bounds);
    const logZ = logNormalMass(alpha, beta);
    // x·φ(x)/Z = x·exp(−x²/2 − ½·log 2π − log Z).
    const xPhiOverZ = (x: tf.Tensor) =>
      tf.mul(x, tf.exp(tf.sub(tf.sub(tf.mul(-0.5, tf.square(x)), 0.5 * Math.log(2 * Math.PI)), logZ)));
    const tail = tf.mul(0.5, tf.sub(xPhiOverZ(alpha), xPhiOverZ(beta)));
    const constant = Math.log(bounds.b - bounds.a) - 0.5 * Math.log(2 * Math.PI * Math.E);
    return tf.sub(tf.sub(tf.sub(constant, logS), logZ), tail);
  });
};

/**
 * log E θ^k for the truncated log-normal: kμ + k²σ²/2 + log(Φ(β − kσ) − Φ(α − kσ)) − log Z (k = 1, 2), from
 * E e^{kX} for X ~ N(μ, σ²) truncated to [a, b].
 */
const logMoment = (k: number, s: ReturnType<typeof standardised>): tf.Tensor =>
  tf.tidy(() => {
    const shift = tf.mul(k, s.s);
    return tf.sub(
      tf.add(
        tf.add(tf.mul(k, s.m), tf.mul((k * k) / 2, tf.square(s.s))),
        logNormalMass(tf.sub(s.alpha, shift), tf.sub(s.beta, shift)),
      ),
      logNormalMass(s.alpha, s.beta),
    );
  });

/**
 * e^y − 1 accurate for small y on every backend (webgl computes `expm1` as `exp(y) − 1`, which returns 0 or one
 * ulp for y ≈ σ²): three terms of the series below 1e-3, exp(y) − 1 above. Its argument here is ≥ 0.
 */
const expm1 = (y: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const small = tf.mul(y, tf.add(1, tf.mul(y, tf.add(0.5, tf.mul(y, 1 / 6)))));
    const large = tf.sub(tf.exp(tf.minimum(y, 80)), 1);
    const isSmall = tf.sub(1, tf.step(tf.sub(tf.abs(y), 1e-3)));
    return tf.add(tf.mul(isSmall, small), tf.mul(tf.sub(1, isSmall), large));
  });

/** E θ per unit: the multiplier of the deterministic (eval-mode) network, as the authors use it. */
export const unitNoiseMean = (params: UnitNoiseParams, bounds: LogBounds = SBP.bounds): tf.Tensor => {
  check('unitNoiseMean', params, bounds);
  return tf.tidy(() => tf.exp(logMoment(1, standardised(params, bounds))));
};

/**
 * The signal-to-noise ratio E θ / √Var θ per unit, the paper's criterion for removing a unit. Computed as
 * 1 / √expm1(log(E θ² / (E θ)²)) with that log ratio formed without μ, which keeps its precision when σ is
 * small (Var θ ≪ (E θ)²): about 1 % where the SNR is in the hundreds, 1e-3 near the threshold.
 */
export const unitNoiseSnr = (params: UnitNoiseParams, bounds: LogBounds = SBP.bounds): tf.Tensor => {
  check('unitNoiseSnr', params, bounds);
  return tf.tidy(() => {
    const s = standardised(params, bounds);
    // log(E θ² / (E θ)²) = σ² + log M(2σ) + log M(0) − 2·log M(σ), M(k) = Φ(β − k) − Φ(α − k): no μ in it, so
    // nothing of order μ cancels (in float32, 2μ + 2σ² − 2(μ + σ²/2) loses σ² entirely when σ is small).
    const mass = (k: number) =>
      logNormalMass(tf.sub(s.alpha, tf.mul(k, s.s)), tf.sub(s.beta, tf.mul(k, s.s)));
    const logRatio = tf.add(tf.square(s.s), tf.sub(tf.add(mass(2), mass(0)), tf.mul(2, mass(1))));
    return tf.rsqrt(tf.maximum(expm1(logRatio), 1e-30));
  });
};

/**
 * A sample of θ per unit: log θ = μ + σ·Φ⁻¹(Φ(α) + u·Z), u = Φ(ε) for standard-normal noise ε (a tensor of
 * the parameters' shape, or a seed), so the noise convention is the other estimators'. Inverse-CDF sampling of
 * the truncated normal, differentiable in μ and log σ; the result is clipped to [a, b] (where the mass lies so
 * far in one tail that float32 cannot tell the quantile apart, the sample is the bound). Where the backend
 * registered the fused `unitNoiseSample` kernel (the `native` backend does) and `options.fused` is not
 * `false`, one kernel draws it and its gradients in double precision, Φ⁻¹ to full precision in both tails.
 */
export const sampleUnitNoise = (
  params: UnitNoiseParams,
  noise: Noise,
  bounds: LogBounds = SBP.bounds,
  options: FusedOptions = {},
): tf.Tensor => {
  check('sampleUnitNoise', params, bounds);
  return tf.tidy(() => {
    const eps = resolveNoise('sampleUnitNoise', params.mu.shape, noise);
    if (params.mu.size > 0 && fusedKernelRegistered(FUSED_KERNELS.unitNoiseSample, options))
      return fusedPerUnit(
        FUSED_KERNELS.unitNoiseSample.name,
        [params.mu, params.logSigma, eps],
        FUSED_KERNELS.unitNoiseSample.inputs,
        fusedAttrs(bounds),
      );
    const s = standardised(params, bounds);
    const lower = normalCdf(s.alpha);
    const mass = tf.sub(normalCdf(s.beta), lower);
    const quantile = normalQuantile(tf.add(lower, tf.mul(normalCdf(eps), mass)));
    return tf.exp(tf.clipByValue(tf.add(s.m, tf.mul(s.s, quantile)), bounds.a, bounds.b));
  });
};

/** Which units are kept: 1 where the SNR exceeds `threshold` (1, the paper's), else 0. */
export const unitNoiseMask = (
  params: UnitNoiseParams,
  threshold: number = SBP.snrThreshold,
  bounds: LogBounds = SBP.bounds,
): tf.Tensor => {
  if (!Number.isFinite(threshold))
    throw new RangeError(`unitNoiseMask: threshold must be finite, got ${threshold}`);
  return tf.tidy(() => tf.cast(tf.greater(unitNoiseSnr(params, bounds), threshold), 'float32'));
};

import * as tf from '@tensorflow/tfjs-core';

const LOG_HALF = Math.log(0.5);
// erfc(z) = t·exp(−z² + P(t)), t = 1 / (1 + z/2), for z ≥ 0, with fractional error below 1.2e-7 everywhere
// (the Chebyshev fit of Numerical Recipes' `erfcc`, Press et al. 1992, §6.2). In log form it never underflows:
// log erfc(z) = log t − z² + P(t), which keeps the far tails of Φ usable in float32.
const ERFC_P = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587,
  -0.82215223, 0.17087277,
];

/**
 * `cond ? a : b` elementwise for a 0/1 float `cond` made by `tf.step` (whose gradient is registered, unlike the
 * comparison ops'): both branches are computed and must be finite, which every caller here ensures.
 */
const select = (cond: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
  tf.add(tf.mul(cond, a), tf.mul(tf.sub(1, cond), b));

/** 1 where x ≤ 0, else 0 (differentiable: zero gradient). */
const nonPositive = (x: tf.Tensor): tf.Tensor => tf.sub(1, tf.step(x));

/** log erfc(z) for z ≥ 0 (elementwise; callers pass |·|). */
const logErfc = (z: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const t = tf.div(1, tf.add(1, tf.mul(0.5, z)));
    let poly: tf.Tensor = tf.scalar(ERFC_P[ERFC_P.length - 1] as number);
    for (let i = ERFC_P.length - 2; i >= 0; i--) poly = tf.add(ERFC_P[i] as number, tf.mul(t, poly));
    return tf.add(tf.sub(tf.log(t), tf.square(z)), poly);
  });

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log Φ(x) by the erfc fit, both tails (the value of {@link logNormalCdf}). */
const logNormalCdfValue = (x: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const lower = tf.add(LOG_HALF, logErfc(tf.div(tf.abs(x), Math.SQRT2))); // log Φ(−|x|)
    // Φ(x) = 1 − Φ(−x) for x > 0.
    return select(nonPositive(x), lower, tf.log1p(tf.neg(tf.exp(lower))));
  });

// The gradient in closed form, d log Φ(x)/dx = φ(x)/Φ(x) = exp(−x²/2 − log √(2π) − log Φ(x)), rather than through
// the fit's polynomial: the same derivative up to the fit's error, in five ops instead of some sixty (the unit
// noise of Structured Bayesian Pruning calls log Φ a dozen times per layer and step).
const logNormalCdfWithGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const value = logNormalCdfValue(x);
  save([x, value]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, [input, y]: tf.Tensor[]) =>
      tf.mul(
        dy,
        tf.exp(tf.sub(tf.sub(tf.mul(-0.5, tf.square(input as tf.Tensor)), LOG_SQRT_2PI), y as tf.Tensor)),
      ),
  };
});

/**
 * log Φ(x), the log of the standard normal CDF, elementwise and finite for every finite x: far in the lower
 * tail it is the log of the tail's mass (−x²/2 − …), not log 0. Differentiable, with the closed-form gradient
 * φ(x)/Φ(x).
 */
export const logNormalCdf = (x: tf.Tensor): tf.Tensor => logNormalCdfWithGrad(x);

/** Φ(x), the standard normal CDF, elementwise (relative error below 2e-7 in both tails). */
export const normalCdf = (x: tf.Tensor): tf.Tensor => tf.tidy(() => tf.exp(logNormalCdf(x)));

/** The largest value below 1 that `log1p(−·)` is given, so that it stays finite where two masses are equal. */
const BELOW_ONE = 1 - 2 ** -24;

/**
 * log(Φ(hi) − Φ(lo)) for lo < hi, elementwise: the log of the standard normal mass between them, accurate where
 * both bounds lie in the same far tail (where Φ(hi) − Φ(lo) is a difference of two numbers that round to 0 or 1).
 */
export const logNormalMass = (lo: tf.Tensor, hi: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const ratio = (small: tf.Tensor, large: tf.Tensor) =>
      tf.log1p(tf.neg(tf.minimum(tf.exp(tf.sub(small, large)), BELOW_ONE)));
    const lowerHi = logNormalCdf(hi);
    // Both in the lower tail: Φ(hi)·(1 − Φ(lo)/Φ(hi)).
    const lower = tf.add(lowerHi, ratio(logNormalCdf(lo), lowerHi));
    // Both in the upper tail: Φ(−lo)·(1 − Φ(−hi)/Φ(−lo)).
    const upperLo = logNormalCdf(tf.neg(lo));
    const upper = tf.add(upperLo, ratio(logNormalCdf(tf.neg(hi)), upperLo));
    // Across 0: 1 − Φ(lo) − Φ(−hi), each at most ½.
    const across = tf.log(
      tf.maximum(
        tf.sub(1, tf.add(normalCdf(tf.minimum(lo, 0)), normalCdf(tf.neg(tf.maximum(hi, 0))))),
        1e-30,
      ),
    );
    return select(nonPositive(hi), lower, select(nonPositive(tf.neg(lo)), upper, across));
  });

// erfinv by Giles' single-precision fit ("Approximating the erfinv function", GPU Computing Gems, 2011):
// w = −log(1 − x²); erfinv(x) = x·P(w − 2.5) for w < 5, else x·Q(√w − 3).
const ERFINV_CENTRAL = [
  1.50140941, 0.246640727, -0.00417768164, -0.00125372503, 0.00021858087, -4.39150654e-6, -3.5233877e-6,
  3.43273939e-7, 2.81022636e-8,
];
const ERFINV_TAIL = [
  2.83297682, 1.00167406, 0.00943887047, -0.0076224613, 0.00573950773, -0.00367342844, 0.00134934322,
  0.000100950558, -0.000200214257,
];

const horner = (coefficients: ReadonlyArray<number>, x: tf.Tensor): tf.Tensor => {
  let p: tf.Tensor = tf.scalar(coefficients[coefficients.length - 1] as number);
  for (let i = coefficients.length - 2; i >= 0; i--) p = tf.add(coefficients[i] as number, tf.mul(x, p));
  return p;
};

/** The smallest p {@link normalQuantile} takes: Giles' single-precision fit holds for 1 − |2p − 1| ≥ 2⁻²⁴. */
const MIN_P = 2 ** -25;

/**
 * Φ⁻¹(p), the standard normal quantile, elementwise for p in (0, 1), clipped to [2⁻²⁵, 1 − 2⁻²⁴] (the range of
 * Giles' fit in float32, |Φ⁻¹| ≤ 5.4): √2·erfinv(2p − 1), with 1 − x² computed as 4p(1 − p) so that small p
 * keeps its precision.
 */
export const normalQuantile = (p: tf.Tensor): tf.Tensor => normalQuantileWithGrad(p);

const normalQuantileValue = (p: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const q = tf.clipByValue(p, MIN_P, BELOW_ONE);
    const x = tf.sub(tf.mul(2, q), 1);
    const w = tf.neg(tf.log(tf.mul(4, tf.mul(q, tf.sub(1, q)))));
    const central = horner(ERFINV_CENTRAL, tf.sub(tf.minimum(w, 5), 2.5));
    const tail = horner(ERFINV_TAIL, tf.sub(tf.sqrt(tf.maximum(w, 5)), 3));
    return tf.mul(Math.SQRT2, tf.mul(x, select(tf.step(tf.sub(5, w)), central, tail)));
  });

// dΦ⁻¹(p)/dp = 1/φ(Φ⁻¹(p)) = √(2π)·exp(Φ⁻¹(p)²/2) inside the clip range, 0 outside it (as the clip's own
// gradient): closed form instead of through Giles' two polynomials.
const normalQuantileWithGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [p, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const value = normalQuantileValue(p);
  save([p, value]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, [input, q]: tf.Tensor[]) => {
      const inside = tf.mul(
        tf.step(tf.add(tf.sub(input as tf.Tensor, MIN_P), 1e-30)),
        tf.step(tf.add(tf.sub(BELOW_ONE, input as tf.Tensor), 1e-30)),
      );
      return tf.mul(
        dy,
        tf.mul(inside, tf.mul(Math.sqrt(2 * Math.PI), tf.exp(tf.mul(0.5, tf.square(q as tf.Tensor))))),
      );
    },
  };
});

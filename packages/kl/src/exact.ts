import { SMALL_ALPHA_CONSTANT } from './constants.js';
import { integrate, integrateOver } from './internal/gauss-kronrod.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const phi = (x: number): number => INV_SQRT_2PI * Math.exp(-0.5 * x * x);

/**
 * `E_{ξ~N(0,1)} log|ξ + c|` for c ≥ 0, by adaptive Gauss–Kronrod quadrature in float64.
 * Folding ξ + c = ±u gives `∫₀^∞ (φ(u − c) + φ(u + c)) log u du`; on (0, 1] the substitution u = eᵗ removes
 * the logarithmic singularity at u = 0.
 */
const expectedLogAbsShifted = (c: number): number => {
  const weight = (u: number): number => phi(u - c) + phi(u + c);
  const nearZero = integrate(
    (t) => {
      const u = Math.exp(t);
      return weight(u) * t * u;
    },
    -60,
    0,
  );
  const top = c + 40;
  const breaks = [1, c - 12, c, c + 12, top].filter((p) => p >= 1 && p <= top).sort((x, y) => x - y);
  return nearZero + integrateOver((u) => weight(u) * Math.log(u), [...new Set(breaks)]);
};

/**
 * The exact −KL(q ‖ p) for one weight, in float64, for the log-uniform prior and q = N(θ, α·θ²)
 * (Molchanov et al. 2017, eq. 8–9; the reference their eq. 14 approximates):
 *
 * `−KL(α) = 0.5·log α − E_{ξ~N(0,1)} log|1 + √α·ξ| − (γ + ln 2)/2`,
 *
 * with the additive constant fixed so that −KL → 0 as α → ∞. The expectation is computed by adaptive
 * Gauss–Kronrod quadrature (absolute error about 1e-12, far inside the 1e-6 this is used at): writing
 * c = α^{-1/2}, `−KL = −E log|ξ + c| − (γ + ln 2)/2`, and for c ≥ 12 (log α ≤ −4.97), where the
 * singularity carries no probability mass, `−KL = 0.5·log α − E log(1 + ξ/c) − (γ + ln 2)/2` over ξ ∈ [−12, 12].
 *
 * @param logAlpha - log α; +∞ gives 0 and −∞ gives −∞.
 * @throws RangeError for NaN.
 */
export const negKlExact = (logAlpha: number): number => {
  if (Number.isNaN(logAlpha)) throw new RangeError('negKlExact: logAlpha is NaN');
  if (logAlpha === Number.POSITIVE_INFINITY) return 0;
  if (logAlpha === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  const c = Math.exp(-0.5 * logAlpha);
  if (c >= 12) {
    const expectedLog1p = integrate((xi) => phi(xi) * Math.log1p(xi / c), -12, 12);
    return 0.5 * logAlpha - expectedLog1p - SMALL_ALPHA_CONSTANT;
  }
  return -expectedLogAbsShifted(c) - SMALL_ALPHA_CONSTANT;
};

/**
 * {@link negKlExact} over many values of log α, for tables and plots.
 *
 * @param logAlphas - the values of log α.
 * @returns a Float64Array of −KL, one per input.
 */
export const negKlExactTable = (logAlphas: ArrayLike<number>): Float64Array =>
  Float64Array.from({ length: logAlphas.length }, (_, i) => negKlExact(logAlphas[i] as number));

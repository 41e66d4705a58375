/**
 * k1 of the paper's approximation of −KL (Molchanov et al. 2017, eq. 14):
 * `−KL ≈ k1·σ(k2 + k3·log α) − 0.5·log(1 + 1/α) − k1`.
 */
export const K1 = 0.63576;
/** k2 of Molchanov et al. 2017, eq. 14. */
export const K2 = 1.8732;
/** k3 of Molchanov et al. 2017, eq. 14. */
export const K3 = 1.48695;

/** Coefficients c1, c2, c3 of Kingma et al. 2015's polynomial approximation (their eq. 22), valid for α ≤ 1. */
export const KINGMA_COEFFICIENTS: readonly [number, number, number] = [1.16145124, -1.50204118, 0.58629921];

/** The Euler–Mascheroni constant γ. */
export const EULER_GAMMA = 0.5772156649015329;

/**
 * `(γ + ln 2) / 2`: the limit of `0.5·log α + KL` as α → 0 for the log-uniform prior, normalised so that
 * −KL → 0 as α → ∞. It is the constant of Kingma et al.'s approximation under that normalisation, and
 * `k1` of the paper's approximation is its fitted counterpart (0.63576 against 0.635181…).
 */
export const SMALL_ALPHA_CONSTANT = (EULER_GAMMA + Math.LN2) / 2;

// Structured Bayesian Pruning's truncated log-normal unit noise against independent float64 references:
// Simpson quadrature of the normal density (Φ, the KL, the moments), finite differences, and Monte Carlo.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  logNormalCdf,
  normalQuantile,
  SBP,
  sampleUnitNoise,
  unitNoiseKl,
  unitNoiseMask,
  unitNoiseMean,
  unitNoiseSnr,
} from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';
import { values } from './helpers.js';

// ---- float64 references ----
const simpson = (f: (x: number) => number, lo: number, hi: number, n = 20_000): number => {
  const h = (hi - lo) / n;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
  return (sum * h) / 3;
};
const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
/** Φ(x) by quadrature of the density: relative accuracy in the lower tail (a positive integrand). */
const cdf64 = (x: number): number => (x <= 0 ? simpson(phi, x - 40, x) : 1 - simpson(phi, -x - 40, -x));

/** The truncated normal of log θ on [a, b]: ∫ g(x) q(x) dx by quadrature over where q has its mass. */
const truncatedExpectation = (mu: number, logSigma: number, g: (x: number, q: number) => number) => {
  const { a, b } = SBP.bounds;
  const s = Math.exp(logSigma);
  const lo = Math.max(a, mu - 14 * s);
  const hi = Math.min(b, mu + 14 * s);
  const density = (x: number) => Math.exp(-0.5 * ((x - mu) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
  // Where [a, b] misses μ ± 14σ the mass sits at one bound: integrate next to it.
  const [l, h] = lo < hi ? [lo, hi] : mu > b ? [b - 14 * s, b] : [a, a + 14 * s];
  const z = simpson(density, l, h);
  return simpson((x) => g(x, density(x) / z), l, h);
};
const kl64 = (mu: number, logSigma: number) =>
  truncatedExpectation(mu, logSigma, (_x, q) =>
    q > 0 ? q * Math.log(q * (SBP.bounds.b - SBP.bounds.a)) : 0,
  );
const moments64 = (mu: number, logSigma: number) => {
  const mean = truncatedExpectation(mu, logSigma, (x, q) => Math.exp(x) * q);
  const variance = truncatedExpectation(mu, logSigma, (x, q) => (Math.exp(x) - mean) ** 2 * q);
  return { mean, variance, snr: mean / Math.sqrt(variance) };
};

// (μ, log σ) across the clip range: the authors' initialisation, wide and narrow posteriors, μ near a, above b.
const CASES: ReadonlyArray<readonly [number, number]> = [
  [0, -5],
  [-1, -2],
  [-3, 0],
  [-10, 1],
  [-19, -1],
  [-5, 3],
  [-0.5, -8],
];
const params = (cases: ReadonlyArray<readonly [number, number]>) => ({
  mu: tf.tensor1d(cases.map(([m]) => m)),
  logSigma: tf.tensor1d(cases.map(([, s]) => s)),
});

describe.each(BACKENDS)('SBP unit noise on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('log Φ matches float64 quadrature into both tails; Φ⁻¹ inverts it', () => {
    const xs = [-30, -12, -5, -1, 0, 0.5, 3, 5];
    const got = values(logNormalCdf(tf.tensor1d(xs)));
    xs.forEach((x, i) => {
      const want = Math.log(cdf64(x));
      expect(Math.abs((got[i] as number) - want), `x = ${x}`).toBeLessThan(
        2e-6 * Math.max(1, Math.abs(want)),
      );
    });
    const ps = [1e-7, 1e-6, 0.01, 0.3, 0.5, 0.8, 0.99, 0.9999];
    const q = values(normalQuantile(tf.tensor1d(ps)));
    ps.forEach((p, i) => {
      const back = cdf64(q[i] as number);
      expect(Math.abs(back - p) / Math.min(p, 1 - p), `p = ${p}`).toBeLessThan(2e-3);
    });
  });

  it('the closed-form KL equals float64 quadrature of q·log(q/p) (within 2e-4)', () => {
    const got = values(unitNoiseKl(params(CASES)));
    CASES.forEach(([m, s], i) => {
      expect(Math.abs((got[i] as number) - kl64(m, s)), `μ = ${m}, log σ = ${s}`).toBeLessThan(2e-4);
    });
  });

  it('E θ and the signal-to-noise ratio equal float64 quadrature (relative 1e-3; SNR 2e-2 where it is ≫ 1)', () => {
    const p = params(CASES);
    const mean = values(unitNoiseMean(p));
    const snr = values(unitNoiseSnr(p));
    CASES.forEach(([m, s], i) => {
      const want = moments64(m, s);
      expect(Math.abs((mean[i] as number) / want.mean - 1), `E θ at μ = ${m}, log σ = ${s}`).toBeLessThan(
        1e-3,
      );
      // Where σ is small the relative variance (≈ σ²) is a float32 difference of O(σ) logs: ~1 % where the SNR
      // is in the hundreds, and exact enough where it matters, near the threshold 1.
      expect(Math.abs((snr[i] as number) / want.snr - 1), `SNR at μ = ${m}, log σ = ${s}`).toBeLessThan(
        want.snr < 20 ? 1e-3 : 2e-2,
      );
    });
    // The authors' initialisation keeps every unit (SNR ≈ 1/σ ≫ 1); a wide posterior removes it.
    expect(
      values(
        unitNoiseMask(
          params([
            [0, -5],
            [-5, 3],
          ]),
        ),
      ),
    ).toEqual([1, 0]);
  });

  it('samples have the closed-form mean and variance (Monte Carlo, 100 000 draws, 5 standard errors)', () => {
    const n = 100_000;
    for (const [m, s] of [
      [-1, -1],
      [-3, 0.5],
      [0, -5],
    ] as const) {
      // Moments summed in float64 here (a float32 reduction of 100 000 values on wasm is off by more than the test).
      const sample = tf.tidy(() =>
        sampleUnitNoise({ mu: tf.fill([n], m), logSigma: tf.fill([n], s) }, { seed: 11 }),
      );
      const draws = Array.from(sample.dataSync());
      sample.dispose();
      const mean = draws.reduce((acc, x) => acc + x, 0) / n;
      const variance = draws.reduce((acc, x) => acc + (x - mean) ** 2, 0) / (n - 1);
      const want = moments64(m, s);
      const se = Math.sqrt(want.variance / n);
      expect(Math.abs(mean - want.mean), `mean at μ = ${m}, log σ = ${s}`).toBeLessThan(
        5 * se + 1e-6 * want.mean,
      );
      // The variance of the sample variance is about 2σ⁴/n for light tails; allow 5 of its standard errors.
      expect(Math.abs(variance / want.variance - 1), `variance at μ = ${m}, log σ = ${s}`).toBeLessThan(
        5 * Math.sqrt(2 / n) + 0.02,
      );
      const inRange = values(
        sampleUnitNoise({ mu: tf.fill([1000], m), logSigma: tf.fill([1000], s) }, { seed: 3 }),
      );
      expect(inRange.every((t) => t > 0 && t <= 1)).toBe(true);
    }
  });

  it('gradients of the KL match float64 finite differences, and stay finite at the ends of the clip range', () => {
    const h = 1e-4;
    for (const [m, s] of [
      [-1, -2],
      [-3, 0],
      [-10, 1],
    ] as const) {
      const [dMu, dLogSigma] = tf.tidy(() =>
        tf
          .grads((mu: tf.Tensor, logSigma: tf.Tensor) => tf.sum(unitNoiseKl({ mu, logSigma })))([
            tf.tensor1d([m]),
            tf.tensor1d([s]),
          ])
          .map((g) => g.dataSync()[0] as number),
      ) as [number, number];
      const fdMu = (kl64(m + h, s) - kl64(m - h, s)) / (2 * h);
      const fdLogSigma = (kl64(m, s + h) - kl64(m, s - h)) / (2 * h);
      expect(Math.abs(dMu - fdMu), `∂KL/∂μ at (${m}, ${s})`).toBeLessThan(2e-3 * Math.max(1, Math.abs(fdMu)));
      expect(Math.abs(dLogSigma - fdLogSigma), `∂KL/∂log σ at (${m}, ${s})`).toBeLessThan(
        2e-3 * Math.max(1, Math.abs(fdLogSigma)),
      );
    }
    const edges = params([
      [-20, -20],
      [5, -20],
      [-20, 5],
      [5, 5],
      [0, -5],
      [-25, 7],
    ]);
    const grads = tf.grads((mu: tf.Tensor, logSigma: tf.Tensor) =>
      tf.add(tf.sum(unitNoiseKl({ mu, logSigma })), tf.sum(sampleUnitNoise({ mu, logSigma }, { seed: 5 }))),
    )([edges.mu, edges.logSigma]);
    for (const g of grads) expect(values(g).every(Number.isFinite)).toBe(true);
    expect(values(unitNoiseKl(edges)).every(Number.isFinite)).toBe(true);
    expect(values(unitNoiseSnr(edges)).every(Number.isFinite)).toBe(true);
  });

  it('gradients of a sample match float64 finite differences of the inverse-CDF formula', () => {
    // θ = exp(μ + σ·Φ⁻¹(Φ(α) + Φ(ε)·(Φ(β) − Φ(α)))) for a fixed ε, Φ by quadrature and Φ⁻¹ by bisection on it.
    const { a, b } = SBP.bounds;
    const quantile64 = (p: number) => {
      let [lo, hi] = [-40, 40];
      for (let i = 0; i < 90; i++) {
        const mid = (lo + hi) / 2;
        if (cdf64(mid) < p) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const sample64 = (mu: number, logSigma: number, eps: number) => {
      const sigma = Math.exp(logSigma);
      const [lower, upper] = [cdf64((a - mu) / sigma), cdf64((b - mu) / sigma)];
      return Math.exp(mu + sigma * quantile64(lower + cdf64(eps) * (upper - lower)));
    };
    const h = 1e-4;
    // Where the truncation bites (the quantile's own gradient matters): μ near b = 0 or a = −20, σ not small.
    for (const [m, s, e] of [
      [-0.5, 0, 0.3],
      [-19, 0, -0.5],
      [-1, 0.5, 1],
      [-3, 0, -1.2],
    ] as const) {
      const [dMu, dLogSigma] = tf.tidy(() =>
        tf
          .grads((mu: tf.Tensor, logSigma: tf.Tensor) =>
            tf.sum(sampleUnitNoise({ mu, logSigma }, tf.tensor1d([e]))),
          )([tf.tensor1d([m]), tf.tensor1d([s])])
          .map((g) => g.dataSync()[0] as number),
      ) as [number, number];
      const fdMu = (sample64(m + h, s, e) - sample64(m - h, s, e)) / (2 * h);
      const fdLogSigma = (sample64(m, s + h, e) - sample64(m, s - h, e)) / (2 * h);
      expect(Math.abs(dMu - fdMu), `∂θ/∂μ at (${m}, ${s}, ε ${e})`).toBeLessThan(
        2e-3 * Math.max(1e-3, Math.abs(fdMu)),
      );
      expect(Math.abs(dLogSigma - fdLogSigma), `∂θ/∂log σ at (${m}, ${s}, ε ${e})`).toBeLessThan(
        2e-3 * Math.max(1e-3, Math.abs(fdLogSigma)),
      );
    }
  });

  it('leaks no tensors and names the argument of a bad input', () => {
    const p = params(CASES);
    const before = tf.memory().numTensors;
    for (const f of [unitNoiseKl, unitNoiseMean, unitNoiseSnr]) f(p).dispose();
    sampleUnitNoise(p, { seed: 1 }).dispose();
    unitNoiseMask(p).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => unitNoiseKl({ mu: tf.zeros([3]), logSigma: tf.zeros([4]) })).toThrow(
      'unitNoiseKl: mu has shape [3] but logSigma has shape [4]; they must match',
    );
    expect(() => unitNoiseMean(p, { a: 0, b: -1 })).toThrow(
      'unitNoiseMean: bounds must be finite with a < b, got [0, -1]',
    );
    expect(() => sampleUnitNoise(p, tf.zeros([2]))).toThrow(
      'sampleUnitNoise: noise has shape [2] but must have shape [7]',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { negKlExact, negKlExactTable, SMALL_ALPHA_CONSTANT } from '../src/index.js';

// Independent reference 1: the series E log|X| = −(γ + ln 2)/2 + λ·₂F₂(1, 1; 3/2, 2; −λ) for X ~ N(c, 1),
// λ = c²/2, so −KL = −λ·Σₙ (−λ)ⁿ / ((3/2)ₙ·(n + 1)). Alternating; accurate in float64 while λ ≤ 8 (c ≤ 4).
const negKlSeries = (logAlpha: number): number => {
  const lambda = Math.exp(-logAlpha) / 2;
  let term = 1; // (−λ)ⁿ / (3/2)ₙ
  let sum = 0;
  for (let n = 0; n < 400; n += 1) {
    sum += term / (n + 1);
    term *= -lambda / (1.5 + n);
    if (Math.abs(term) < 1e-18) break;
  }
  return -lambda * sum;
};

// Independent reference 2: the small-α expansion −KL = 0.5·log α − (γ + ln 2)/2 + α/2 + 3α²/4 + O(α³).
const negKlSmallAlpha = (logAlpha: number): number => {
  const alpha = Math.exp(logAlpha);
  return 0.5 * logAlpha - SMALL_ALPHA_CONSTANT + alpha / 2 + (3 * alpha * alpha) / 4;
};

// Independent reference 3: Monte Carlo with a seeded float64 normal generator (xorshift + Box–Muller).
const normals = (count: number, seed: number): Float64Array => {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(t);
    if (i + 1 < count) out[i + 1] = r * Math.sin(t);
  }
  return out;
};

describe('negKlExact (float64 quadrature)', () => {
  it('agrees with the hypergeometric series to 1e-9 wherever the series is accurate (log α ≥ −2.7)', () => {
    let worst = 0;
    for (let la = -2.7; la <= 40; la += 0.05)
      worst = Math.max(worst, Math.abs(negKlExact(la) - negKlSeries(la)));
    expect(worst).toBeLessThan(1e-9);
  });

  it('agrees with the small-α expansion to 1e-8 for log α ≤ −8, across the branch at log α ≈ −4.97', () => {
    for (let la = -60; la <= -8; la += 0.25)
      expect(Math.abs(negKlExact(la) - negKlSmallAlpha(la))).toBeLessThan(1e-8);
    // Either side of the switch between the two quadrature forms (c = α^(-1/2) = 12): smooth, slope ≈ 0.5.
    const at = -2 * Math.log(12);
    const slope = (negKlExact(at + 1e-6) - negKlExact(at - 1e-6)) / 2e-6;
    const slopeLeft = (negKlExact(at - 1e-3) - negKlExact(at - 1e-3 - 2e-6)) / 2e-6;
    expect(Math.abs(slope - slopeLeft)).toBeLessThan(1e-3);
  });

  it.each([-6, -3, -1, 0, 1, 3, 6])(
    'agrees with a Monte Carlo estimate within 4 standard errors at log α = %d',
    (la) => {
      const xi = normals(400_000, 1234 + la * 7);
      const sqrtAlpha = Math.exp(la / 2);
      let sum = 0;
      let sumSq = 0;
      for (const x of xi) {
        // −KL sample: 0.5·log α − log|1 + √α·ξ| − (γ + ln 2)/2
        const v = 0.5 * la - Math.log(Math.abs(1 + sqrtAlpha * x)) - SMALL_ALPHA_CONSTANT;
        sum += v;
        sumSq += v * v;
      }
      const mean = sum / xi.length;
      const standardError = Math.sqrt((sumSq / xi.length - mean * mean) / xi.length);
      expect(Math.abs(negKlExact(la) - mean)).toBeLessThan(4 * standardError);
    },
  );

  it('has the limits: 0 as α → ∞, 0.5·log α − (γ + ln 2)/2 as α → 0; handles ±∞ and rejects NaN', () => {
    expect(Math.abs(negKlExact(40))).toBeLessThan(1e-15);
    expect(negKlExact(-200) - 0.5 * -200).toBeCloseTo(-SMALL_ALPHA_CONSTANT, 12);
    expect(negKlExact(Number.POSITIVE_INFINITY)).toBe(0);
    expect(negKlExact(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(() => negKlExact(Number.NaN)).toThrow(/negKlExact: logAlpha is NaN/);
  });

  it('is increasing in log α, and the table helper matches the scalar function', () => {
    const grid = Array.from({ length: 201 }, (_, i) => -10 + i * 0.1);
    const table = negKlExactTable(grid);
    expect(table).toBeInstanceOf(Float64Array);
    grid.forEach((la, i) => {
      expect(table[i]).toBe(negKlExact(la));
      if (i > 0) expect(table[i]).toBeGreaterThan(table[i - 1] as number);
    });
  });
});

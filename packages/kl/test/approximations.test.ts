import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  K1,
  KL_APPROXIMATIONS,
  type KlApproximation,
  kingmaKl,
  klSum,
  molchanovKl,
  negKlExactTable,
  negKlKingma,
  negKlMolchanov,
} from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';

const grid = (lo: number, hi: number, step: number): Float32Array =>
  Float32Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step);

const evaluate = (fn: (t: tf.Tensor) => tf.Tensor, xs: Float32Array): Float32Array => {
  const input = tf.tensor1d(xs);
  const out = fn(input);
  const values = out.dataSync() as Float32Array;
  tf.dispose([input, out]);
  return values;
};

const maxDeviation = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  let at = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (d > worst) [worst, at] = [d, i];
  }
  return { worst, at };
};

describe.each(BACKENDS)('KL approximations on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('negKlMolchanov is within 0.01 of the exact value on log α ∈ [−10, 10] (max measured ≈ 0.0094)', () => {
    const xs = grid(-10, 10, 0.001);
    const { worst, at } = maxDeviation(evaluate(negKlMolchanov, xs), negKlExactTable(xs));
    expect(worst).toBeLessThanOrEqual(0.01);
    expect(worst).toBeGreaterThan(0.009); // the paper's fit is not better than that: a regression guard
    expect(xs[at]).toBeCloseTo(-3.51, 1);
  });

  it('negKlMolchanov has the limits 0 (α → ∞) and 0.5·log α − k1 (α → 0)', () => {
    const [hi, lo] = evaluate(negKlMolchanov, Float32Array.from([50, -50]));
    expect(Math.abs(hi as number)).toBeLessThan(1e-6);
    expect((lo as number) - 0.5 * -50).toBeCloseTo(-K1, 5);
  });

  it('negKlMolchanov is finite, with a finite gradient, for log α ∈ [−50, 50]', () => {
    const xs = tf.tensor1d(grid(-50, 50, 0.25));
    const [value, grad] = tf.tidy(() => {
      const { value: v, grad: g } = tf.valueAndGrad((t: tf.Tensor) => tf.sum(negKlMolchanov(t)))(xs);
      return [tf.all(tf.isFinite(negKlMolchanov(xs))), tf.all(tf.isFinite(g)), v];
    });
    expect(value?.dataSync()[0]).toBe(1);
    expect(grad?.dataSync()[0]).toBe(1);
    tf.dispose([xs, value, grad]);
  });

  it("negKlMolchanov's gradient matches central finite differences of itself (|err| ≤ 1e-3)", () => {
    const points = Float32Array.from([-8, -3.5, -1, 0, 0.7, 2, 4, 9]);
    const xs = tf.tensor1d(points);
    const g = tf.grad((t: tf.Tensor) => tf.sum(negKlMolchanov(t)))(xs);
    const analytic = g.dataSync();
    const h = 1e-2;
    const up = evaluate(
      negKlMolchanov,
      points.map((p) => p + h),
    );
    const down = evaluate(
      negKlMolchanov,
      points.map((p) => p - h),
    );
    points.forEach((_, i) => {
      const numeric = ((up[i] as number) - (down[i] as number)) / (2 * h);
      expect(Math.abs((analytic[i] as number) - numeric)).toBeLessThan(1e-3);
    });
    // The derivative is positive: more noise always lowers the KL.
    for (const v of analytic) expect(v).toBeGreaterThan(0);
    tf.dispose([xs, g]);
  });

  it('negKlKingma is close for α ≤ 1 (within 0.05 on [−10, 0], max measured ≈ 0.040) and useless beyond', () => {
    const xs = grid(-10, 0, 0.001);
    expect(maxDeviation(evaluate(negKlKingma, xs), negKlExactTable(xs)).worst).toBeLessThan(0.05);
    const [at2, at4] = evaluate(negKlKingma, Float32Array.from([2, 4]));
    const [exact2, exact4] = negKlExactTable([2, 4]);
    expect((at2 as number) - (exact2 as number)).toBeGreaterThan(1);
    expect((at4 as number) - (exact4 as number)).toBeGreaterThan(1e4);
  });

  it('klSum is −Σ negKlMolchanov over all tensors, computed in float64 here', () => {
    const a = tf.tensor2d([
      [-5, 0.5],
      [3, 8],
    ]);
    const b = tf.tensor1d([-1, 2, 6]);
    const before = tf.memory().numTensors;
    const total = klSum([a, b]);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(total.shape).toEqual([]);
    const sp = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    const mol = (la: number) => K1 / (1 + Math.exp(-(1.8732 + 1.48695 * la))) - 0.5 * sp(-la) - K1;
    const expected = [-5, 0.5, 3, 8, -1, 2, 6].reduce((s, la) => s - mol(la), 0);
    expect(total.dataSync()[0]).toBeCloseTo(expected, 5);
    tf.dispose([a, b, total]);
  });

  it('klSum with kingmaKl clips log α to ≤ 0 (where it holds) and never extrapolates the cubic', () => {
    const la = tf.tensor1d([-3, -0.5, 0, 2, 7]);
    const total = klSum([la], kingmaKl);
    const [c1, c2, c3] = [1.16145124, -1.50204118, 0.58629921];
    const c = (0.5772156649015329 + Math.LN2) / 2;
    const kingma = (l: number) => {
      const a = Math.exp(Math.min(l, 0));
      return 0.5 * Math.min(l, 0) + c1 * a + c2 * a * a + c3 * a * a * a - c;
    };
    const expected = [-3, -0.5, 0, 2, 7].reduce((s, l) => s - kingma(l), 0);
    expect(total.dataSync()[0]).toBeCloseTo(expected, 5);
    // Above α = 1 the KL is flat: log α = 2 and 7 cost what log α = 0 costs.
    const flat = klSum([tf.tensor1d([2])], kingmaKl).dataSync()[0] as number;
    expect(flat).toBeCloseTo(klSum([tf.tensor1d([0])], kingmaKl).dataSync()[0] as number, 6);
    expect(kingmaKl.logAlphaMax).toBe(0);
    expect(molchanovKl.logAlphaMax).toBe(Number.POSITIVE_INFINITY);
    expect(KL_APPROXIMATIONS).toEqual({ molchanov: molchanovKl, kingma: kingmaKl });
    tf.dispose([la, total]);
  });

  it('klSum takes any approximation value: Σ of its −KL, negated, as its formula says', () => {
    const quadratic: KlApproximation = {
      name: 'quadratic',
      description: 'a test formula: −KL = −(log α)²',
      negKl: (logAlpha) => tf.neg(tf.square(logAlpha)),
      logAlphaMax: Number.POSITIVE_INFINITY,
    };
    const total = klSum([tf.tensor1d([1, -2]), tf.tensor1d([3])], quadratic);
    expect(total.dataSync()[0]).toBeCloseTo(1 + 4 + 9, 6);
  });

  it('leaks no tensors and rejects non-float input, naming the argument', () => {
    const xs = tf.tensor1d([0, 1]);
    const before = tf.memory().numTensors;
    tf.dispose([negKlMolchanov(xs), negKlKingma(xs)]);
    expect(tf.memory().numTensors).toBe(before);
    const ints = tf.tensor1d([1, 2], 'int32');
    expect(() => negKlMolchanov(ints)).toThrow('negKlMolchanov: logAlpha must have dtype float32, got int32');
    expect(() => klSum([xs, ints])).toThrow('klSum: logAlphas[1] must have dtype float32, got int32');
    expect(() => negKlKingma([1, 2] as unknown as tf.Tensor)).toThrow(
      'negKlKingma: logAlpha must be a tf.Tensor',
    );
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([xs, ints]);
  });
});

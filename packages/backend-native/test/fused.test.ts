import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's gradients (vitest resolves the ESM build's extension-less imports; under plain node,
// @sparsevd/backend's bundle does this).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  availability,
  FUSED_KERNEL_NAMES,
  NATIVE_ISAS,
  type NativeIsa,
  registerBackend,
  setIsa,
  setThreads,
  supportedIsas,
} from '../src/index.js';
import { patchBytes } from '../src/kernels/patch-cache.js';

// Like kernels.test.ts: CI must run these (an unavailable addon fails there); elsewhere they skip with the reason.
const state = availability();
const required = process.env.CI === 'true';
// Every version of the vectorised kernels this CPU runs is tested (an AVX-512 machine tests the AVX2 and baseline
// code too); without the addon, one entry so that CI fails in beforeAll instead of running nothing.
const isas: ReadonlyArray<NativeIsa> = state.available ? supportedIsas() : ['baseline'];
const widest = isas.at(-1) ?? 'baseline';

/**
 * Hooks of a describe block that tests one version of the vectorised kernels: that version registered (and the
 * backend made current when `current`), the widest one restored afterwards. Without the addon (in CI) it fails.
 */
const useIsa = (isa: NativeIsa, current: boolean): void => {
  beforeAll(async () => {
    if (!state.available) throw new Error(`the native addon is unavailable in CI: ${state.reason}`);
    registerBackend({ isa });
    if (current) await tf.setBackend('native');
  });
  afterAll(() => {
    if (state.available) setIsa(widest);
  });
};

const K1 = 0.63576;
const K2 = 1.8732;
const K3 = 1.48695;

/** Runs a kernel by name; its outputs as an array (one output comes back from tfjs as a bare tensor). */
const run = (name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor[] => {
  const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
};

/** Max |a − b| relative to max(1, max |a|). */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(b.length).toBe(a.length);
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) scale = Math.max(scale, Math.abs(a[i] as number));
  for (let i = 0; i < a.length; i += 1)
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst / scale;
};

/** Runs `f` in a tidy scope and returns its tensors' values (read outside the scope), disposing them. */
const values = (f: () => tf.Tensor[]): Float32Array[] => {
  const ts = tf.tidy(f);
  const out = ts.map((t) => t.dataSync() as Float32Array);
  tf.dispose(ts);
  return out;
};

/** Weights spread over log α ∈ (−20, 20) so that both ends of the clip [−8, 8] are exercised. */
const weights = (n: number, seed: number) => {
  const theta = tf.randomNormal([n], 0, 0.3, 'float32', seed);
  const logSigma2 = tf.randomUniform([n], -22, 4, 'float32', seed + 1);
  return { theta, logSigma2 };
};

describe.runIf(state.available || required).each(isas)('fused SparseVD kernels, %s version', (isa) => {
  useIsa(isa, true);

  it.each([1, 777, 300_001])(
    'klOfWeights over %i weights: Σ KL against float64, gradients against the composed ops',
    (n) => {
      const { theta, logSigma2 } = weights(n, 3);
      const th = theta.dataSync();
      const ls = logSigma2.dataSync();
      // Independent reference: the paper's formula in float64, log α clipped to [−8, 8].
      let ref = 0;
      for (let i = 0; i < n; i += 1) {
        const t = th[i] as number;
        const la = Math.min(8, Math.max(-8, (ls[i] as number) - Math.log(t * t + 1e-8)));
        ref -= K1 / (1 + Math.exp(-(K2 + K3 * la))) - 0.5 * Math.log1p(Math.exp(-la)) - K1;
      }
      const composed = (t: tf.Tensor, s: tf.Tensor) => {
        const la = tf.clipByValue(tf.sub(s, tf.log(tf.add(tf.square(t), 1e-8))), -8, 8);
        const neg = tf.sub(
          tf.sub(tf.mul(K1, tf.sigmoid(tf.add(K2, tf.mul(K3, la)))), tf.mul(0.5, tf.softplus(tf.neg(la)))),
          K1,
        );
        return tf.neg(tf.sum(neg)) as tf.Scalar;
      };
      const fused = (t: tf.Tensor, s: tf.Tensor) =>
        run(
          FUSED_KERNEL_NAMES.klOfWeights,
          { theta: t, logSigma2: s },
          { eps: 1e-8, clipLo: -8, clipHi: 8 },
        )[0] as tf.Scalar;
      const [value] = values(() => [fused(theta, logSigma2)])[0] as Float32Array;
      // float32 per element, double sum: relative error well under 1e-5 of the total.
      expect(Math.abs((value as number) - ref)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref)));
      const grads = (f: typeof fused) =>
        tf.tidy(() =>
          tf
            .grads((t: tf.Tensor, s: tf.Tensor) => tf.mul(f(t, s), 3))([theta, logSigma2])
            .map((g) => g.dataSync()),
        );
      const g1 = grads(fused);
      const g2 = grads(composed);
      expect(relErr(g2[0] as Float32Array, g1[0] as Float32Array)).toBeLessThan(1e-5);
      expect(relErr(g2[1] as Float32Array, g1[1] as Float32Array)).toBeLessThan(1e-5);
      tf.dispose([theta, logSigma2]);
    },
  );

  it.each([
    [7, 5, 3, true],
    [100, 784, 300, true],
    [33, 300, 100, false],
  ] as const)(
    'lrtDense batch %i, %i → %i (bias %s): value and every gradient equal the composed ops',
    (b, i, o, bias) => {
      const x = tf.randomNormal([b, i], 0, 1, 'float32', 5);
      const theta = tf.randomNormal([i, o], 0, 0.1, 'float32', 6);
      const logSigma2 = tf.randomUniform([i, o], -12, -2, 'float32', 7);
      const noise = tf.randomNormal([b, o], 0, 1, 'float32', 8);
      const bv = tf.randomNormal([o], 0, 1, 'float32', 9);
      const composed = (xx: tf.Tensor, t: tf.Tensor, s: tf.Tensor, e: tf.Tensor, bb: tf.Tensor) => {
        const mean = tf.matMul(xx as tf.Tensor2D, t as tf.Tensor2D);
        const variance = tf.matMul(tf.square(xx) as tf.Tensor2D, tf.exp(s) as tf.Tensor2D);
        const y = tf.add(mean, tf.mul(tf.sqrt(tf.add(variance, 1e-8)), e));
        return bias ? tf.add(y, bb) : y;
      };
      const fused = (xx: tf.Tensor, t: tf.Tensor, s: tf.Tensor, e: tf.Tensor, bb: tf.Tensor) =>
        run(
          FUSED_KERNEL_NAMES.lrtDense,
          bias
            ? { x: xx, theta: t, logSigma2: s, noise: e, bias: bb }
            : { x: xx, theta: t, logSigma2: s, noise: e },
          { varianceEps: 1e-8 },
        )[0] as tf.Tensor;
      const weight = tf.randomNormal([b, o], 0, 1, 'float32', 10);
      const check = (f: typeof fused) =>
        values(() => {
          const value = f(x, theta, logSigma2, noise, bv);
          const loss = (...a: tf.Tensor[]) =>
            tf.sum(tf.mul(f(...(a as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])), weight));
          const inputs = [x, theta, logSigma2, noise, ...(bias ? [bv] : [])];
          const grads = tf.grads(
            bias
              ? loss
              : (a, t, s, e) => loss(a as tf.Tensor, t as tf.Tensor, s as tf.Tensor, e as tf.Tensor, bv),
          )(inputs);
          return [value, ...grads];
        });
      const a = check(composed);
      const f = check(fused);
      a.forEach((ref, k) => {
        expect(relErr(ref, f[k] as Float32Array)).toBeLessThan(2e-5);
      });
      tf.dispose([x, theta, logSigma2, noise, bv, weight]);
    },
  );

  it('maskedTheta: θ ⊙ [log α < threshold] and the mask, as the composed ops', () => {
    const { theta, logSigma2 } = weights(100_003, 11);
    const [masked, mask] = run(
      FUSED_KERNEL_NAMES.maskedTheta,
      { theta, logSigma2 },
      { threshold: 3, eps: 1e-8, clipLo: -8, clipHi: 8 },
    ) as [tf.Tensor, tf.Tensor];
    const refMask = tf.tidy(() =>
      tf.cast(
        tf.less(tf.clipByValue(tf.sub(logSigma2, tf.log(tf.add(tf.square(theta), 1e-8))), -8, 8), 3),
        'float32',
      ),
    );
    // log α is computed with a vectorised log within an ulp of the scalar one: only weights within float
    // rounding of the threshold may differ.
    const m1 = mask.dataSync();
    const m2 = refMask.dataSync();
    let differ = 0;
    for (let i = 0; i < m1.length; i += 1) if (m1[i] !== m2[i]) differ += 1;
    expect(differ).toBeLessThanOrEqual(2);
    const th = theta.dataSync();
    const mv = masked.dataSync();
    for (let i = 0; i < th.length; i += 1) expect(mv[i]).toBe((th[i] as number) * (m1[i] as number));
    tf.dispose([theta, logSigma2, masked, mask, refMask]);
  });

  it('adam: one pass equals the composed update step for step', () => {
    const x = tf.randomNormal([70_000], 0, 1, 'float32', 12);
    const m = tf.randomNormal([70_000], 0, 0.1, 'float32', 13);
    const v = tf.abs(tf.randomNormal([70_000], 0, 0.1, 'float32', 14));
    const g = tf.randomNormal([70_000], 0, 1, 'float32', 15);
    const attrs = {
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      stepSize: 1e-3 / (1 - 0.9 ** 3),
      invSqrtBc2: 1 / Math.sqrt(1 - 0.999 ** 3),
    };
    const fused = run(FUSED_KERNEL_NAMES.adam, { x, m, v, g }, attrs);
    const ref = tf.tidy(() => {
      const m1 = tf.add(tf.mul(m, 0.9), tf.mul(g, 1 - 0.9));
      const v1 = tf.add(tf.mul(v, 0.999), tf.mul(tf.square(g), 1 - 0.999));
      const denom = tf.add(tf.mul(tf.sqrt(v1), attrs.invSqrtBc2), 1e-8);
      return [tf.sub(x, tf.mul(tf.div(m1, denom), attrs.stepSize)), m1, v1];
    });
    ref.forEach((r, k) => {
      expect(relErr(r.dataSync(), (fused[k] as tf.Tensor).dataSync())).toBeLessThan(1e-6);
    });
    tf.dispose([x, m, v, g, ...fused, ...ref]);
  });

  // [101, 7]: one chunk, an odd count; [3, 13337]: 40 011 values, several chunks across the threads, odd again.
  it.each([
    [1, [101, 7], 0, 1],
    [5, [101, 7], 0, 1],
    [123456789, [101, 7], 0, 1],
    [0.25, [101, 7], 0, 1],
    [-3, [101, 7], 0, 1],
    [7, [3, 13337], 0.5, 2],
    [11, [200, 300], 0, 1],
  ] as const)(
    'randomNormal with seed %s, shape %j gives tf.randomNormal’s values exactly',
    async (seed, shape, mean, stdDev) => {
      const out = run(
        FUSED_KERNEL_NAMES.randomNormal,
        {},
        { shape: [...shape], mean, stdDev, seed: String(seed) },
      )[0] as tf.Tensor;
      const native = out.dataSync().slice();
      out.dispose();
      await tf.setBackend('cpu');
      const ref = tf.randomNormal([...shape], mean, stdDev, 'float32', seed);
      expect(Array.from(native)).toEqual(Array.from(ref.dataSync()));
      ref.dispose();
      await tf.setBackend('native');
    },
  );

  it.each([
    ['one-hot', false],
    ['unnormalised', true],
  ] as const)(
    'softmaxCrossEntropy with %s labels: tf.losses.softmaxCrossEntropy’s value and gradients',
    async (_, soft) => {
      const results: Record<string, Float32Array[]> = {};
      for (const backend of ['cpu', 'native']) {
        await tf.setBackend(backend);
        results[backend] = values(() => {
          const logits = tf.mul(tf.randomNormal([100, 10], 0, 1, 'float32', 40), 4);
          const labels = soft
            ? tf.randomUniform([100, 10], 0, 1, 'float32', 41)
            : tf.cast(
                tf.oneHot(
                  tf.tensor1d(
                    Array.from({ length: 100 }, (_, i) => (i * 7) % 10),
                    'int32',
                  ),
                  10,
                ),
                'float32',
              );
          const loss = (l: tf.Tensor, x: tf.Tensor) =>
            backend === 'native'
              ? (tf
                  .engine()
                  .runKernel(FUSED_KERNEL_NAMES.softmaxCrossEntropy, { labels: l, logits: x }) as tf.Tensor)
              : tf.losses.softmaxCrossEntropy(l, x);
          // dy = 3: the gradients are scaled by it.
          const [gl, gx] = tf.grads((l: tf.Tensor, x: tf.Tensor) => tf.mul(loss(l, x), 3))([labels, logits]);
          return [loss(labels, logits), gl as tf.Tensor, gx as tf.Tensor];
        });
      }
      results.cpu?.forEach((ref, i) => {
        expect(relErr(ref, results.native?.[i] ?? new Float32Array()), `output ${i}`).toBeLessThan(1e-5);
      });
      await tf.setBackend('native');
      const [l3, x2] = [tf.zeros([4, 3]), tf.zeros([4, 2])];
      expect(() =>
        tf.engine().runKernel(FUSED_KERNEL_NAMES.softmaxCrossEntropy, { labels: l3, logits: x2 }),
      ).toThrow(
        'SparseVDSoftmaxCrossEntropy: labels and logits must both be [batch, classes], got [4,3] and [4,2]',
      );
      tf.dispose([l3, x2]);
    },
  );

  it('fused kernels leave no tensors behind in a value-and-gradient pass', () => {
    const { theta, logSigma2 } = weights(3000, 16);
    const x = tf.randomNormal([4, 100], 0, 1, 'float32', 17);
    const t2 = tf.variable(tf.reshape(theta, [100, 30]), true, 'fusedLeakTheta');
    const s2 = tf.variable(tf.reshape(logSigma2, [100, 30]), true, 'fusedLeakLogSigma2');
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const [noise] = run(
        FUSED_KERNEL_NAMES.randomNormal,
        {},
        { shape: [4, 30], mean: 0, stdDev: 1, seed: '4' },
      );
      const [y] = run(
        FUSED_KERNEL_NAMES.lrtDense,
        { x, theta: t2, logSigma2: s2, noise: noise as tf.Tensor },
        { varianceEps: 1e-8 },
      );
      const [kl] = run(
        FUSED_KERNEL_NAMES.klOfWeights,
        { theta: t2, logSigma2: s2 },
        { eps: 1e-8, clipLo: -8, clipHi: 8 },
      );
      return tf.add(tf.sum(y as tf.Tensor), kl as tf.Tensor) as tf.Scalar;
    });
    expect(Object.keys(grads).sort()).toEqual(['fusedLeakLogSigma2', 'fusedLeakTheta']);
    tf.dispose([value, ...Object.values(grads)]);
    // Only the three outputs of the pass were left: the loss and two gradients, disposed above.
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([theta, logSigma2, x, t2, s2]);
  });

  it('an LRT conv keeps its input’s patches for the backward pass and drops them with the input’s data', () => {
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 31);
    const theta = tf.randomNormal([3, 3, 3, 4], 0, 0.2, 'float32', 32);
    const logSigma2 = tf.randomUniform([3, 3, 3, 4], -12, -2, 'float32', 33);
    const noise = tf.randomNormal([2, 7, 7, 4], 0, 1, 'float32', 34);
    const dy = tf.randomNormal([2, 7, 7, 4], 0, 1, 'float32', 35);
    const before = patchBytes();
    const conv = { strides: 1, pad: 'valid' };
    const [y, std] = run(
      FUSED_KERNEL_NAMES.lrtConv2d,
      { x, theta, logSigma2, noise },
      { ...conv, varianceEps: 1e-8 },
    ) as [tf.Tensor, tf.Tensor];
    // Patches and their squares: 2·7·7 rows of 3·3·3 values each.
    expect(patchBytes() - before).toBe(2 * 4 * (2 * 7 * 7) * (3 * 3 * 3));
    // The gradients from the kept patches equal those from patches recomputed for a copy of x.
    const grads = (input: tf.Tensor) => [
      ...run(
        'SparseVDLrtConv2dGradLogSigma2',
        { x: input, dy, noise, std, logSigma2 },
        { ...conv, varianceEps: 1e-8 },
      ),
      ...run(
        'Conv2DBackpropFilter',
        { x: input, dy },
        { ...conv, dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] },
      ),
    ];
    const copy = tf.add(x, 0);
    const read = (ts: tf.Tensor[]) => {
      const out = ts.map((t) => Array.from(t.dataSync()));
      tf.dispose(ts);
      return out;
    };
    expect(read(grads(x))).toEqual(read(grads(copy)));
    tf.dispose([x, y, std]);
    expect(patchBytes()).toBe(before);
    tf.dispose([theta, logSigma2, noise, dy, copy]);
  });

  it('results do not depend on the number of threads beyond float summation order', () => {
    const { theta, logSigma2 } = weights(400_000, 18);
    const kl = (threads: number) => {
      setThreads(threads);
      return tf.tidy(() =>
        run(FUSED_KERNEL_NAMES.klOfWeights, { theta, logSigma2 }, { eps: 1e-8, clipLo: -8, clipHi: 8 }).map(
          (t) => t.dataSync().slice(),
        ),
      );
    };
    const one = kl(1);
    const two = kl(2);
    setThreads(0);
    expect(relErr(one[0] as Float32Array, two[0] as Float32Array)).toBeLessThan(1e-6);
    expect(Array.from(two[1] as Float32Array)).toEqual(Array.from(one[1] as Float32Array));
    tf.dispose([theta, logSigma2]);
  });
});

describe.runIf(state.available || required).each(isas)(
  'max pooling agrees with the cpu backend, %s version',
  (isa) => {
    useIsa(isa, false);

    it.each([
      [[2, 24, 24, 20], 2, 2, 'valid'],
      [[3, 7, 9, 4], 3, 2, 'same'],
      [[1, 8, 8, 2], [2, 3], [1, 2], 'valid'],
      [[2, 5, 5, 3], 3, 1, 'same'],
    ] as const)('x %j, pool %j, strides %j, %s: value and gradient', async (shape, size, strides, pad) => {
      const results: Record<string, Float32Array[]> = {};
      for (const backend of ['cpu', 'native']) {
        await tf.setBackend(backend);
        // Rounded values make ties, where the gradient must go to the first maximum as on cpu.
        results[backend] = values(() => {
          const x = tf.round(tf.mul(tf.randomNormal([...shape], 0, 1, 'float32', 19), 2));
          const f = (a: tf.Tensor) =>
            tf.maxPool(a as tf.Tensor4D, size as [number, number], strides as [number, number], pad);
          const w = tf.randomNormal(f(x).shape, 0, 1, 'float32', 20);
          const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), w)))(x);
          return [f(x), g];
        });
      }
      expect(Array.from(results.native?.[0] ?? [])).toEqual(Array.from(results.cpu?.[0] ?? []));
      expect(relErr(results.cpu?.[1] ?? [], results.native?.[1] ?? [])).toBeLessThan(1e-6);
    });

    it.each([
      [2, 2, 'valid'],
      [3, 1, 'same'],
    ] as const)(
      'NaN and −∞ inputs, pool %s, stride %s, %s: never chosen, as on cpu',
      async (size, stride, pad) => {
        const results: Record<string, Float32Array[]> = {};
        for (const backend of ['cpu', 'native']) {
          await tf.setBackend(backend);
          results[backend] = values(() => {
            const u = tf.randomUniform([2, 6, 6, 3], 0, 1, 'float32', 21);
            const r = tf.round(tf.mul(tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 22), 2));
            // About 30 % NaN and 30 % −∞: some windows hold nothing else.
            const x = tf.where(
              tf.less(u, 0.3),
              tf.fill(u.shape, Number.NaN),
              tf.where(tf.less(u, 0.6), tf.fill(u.shape, -Infinity), r),
            );
            const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, size, stride, pad);
            const w = tf.randomNormal(f(x).shape, 0, 1, 'float32', 23);
            const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), w)))(x);
            return [f(x), g];
          });
        }
        expect(Array.from(results.native?.[0] ?? [])).toEqual(Array.from(results.cpu?.[0] ?? []));
        // The same cells receive gradient (overlapping windows add theirs in another order: rounding differs).
        const chosen = (g: Float32Array | undefined) => Array.from(g ?? [], (v) => v !== 0);
        expect(chosen(results.native?.[1])).toEqual(chosen(results.cpu?.[1]));
        expect(relErr(results.cpu?.[1] ?? [], results.native?.[1] ?? [])).toBeLessThan(1e-6);
      },
    );
  },
);

describe.runIf(state.available || required).each(isas)(
  'Conv2D with at most 32 filters (direct kernel) agrees with the cpu backend, %s version',
  (isa) => {
    useIsa(isa, false);

    // One vector per pixel (3, 16 filters) and two (20, 32); padding, strides, dilation; rows of 5 to 24 pixels.
    // One channel with at most 12 filters and unit horizontal stride and dilation takes the sixteen-pixel
    // path: rows shorter than, equal to and just past 16 pixels, padding, a vertical stride and dilation, 1 to
    // 12 filters; 13 filters and a horizontal stride of 2 go back to the per-pixel vectors.
    it.each([
      [[3, 28, 28, 1], [5, 5, 1, 3], 1, 'valid', 1],
      [[2, 9, 33, 1], [5, 5, 1, 5], 1, 'same', 1],
      [[2, 7, 5, 1], [3, 3, 1, 8], [2, 1], 'same', 1],
      [[2, 20, 16, 1], [5, 5, 1, 1], 1, 'valid', 1],
      [[2, 17, 17, 1], [3, 3, 1, 4], 1, 'same', [2, 1]],
      [[2, 12, 20, 1], [5, 5, 1, 12], 1, 'same', 1],
      [[2, 12, 20, 1], [5, 5, 1, 13], 1, 'same', 1],
      [[2, 12, 20, 1], [5, 5, 1, 3], 2, 'same', 1],
      [[2, 12, 12, 3], [5, 5, 3, 16], 1, 'valid', 1],
      [[2, 11, 9, 4], [3, 3, 4, 20], 2, 'same', 1],
      [[2, 10, 10, 2], [3, 3, 2, 32], 1, 'same', 2],
    ] as const)('x %j, filter %j, strides %j, %s, dilation %j', async (xs, fs, strides, pad, dilation) => {
      const results: Record<string, Float32Array[]> = {};
      for (const backend of ['cpu', 'native']) {
        await tf.setBackend(backend);
        results[backend] = values(() => [
          tf.conv2d(
            tf.randomNormal([...xs], 0, 1, 'float32', 31) as tf.Tensor4D,
            tf.randomNormal([...fs], 0, 0.3, 'float32', 32) as tf.Tensor4D,
            strides as number | [number, number],
            pad,
            'NHWC',
            dilation as number | [number, number],
          ),
        ]);
      }
      expect(relErr(results.cpu?.[0] ?? [], results.native?.[0] ?? [])).toBeLessThan(1e-5);
    });

    // The sixteen-pixel path sums the same products in the same order as the per-pixel one: 3 filters (sixteen
    // pixels) give exactly the first 3 outputs of the same filters padded to 13 (per-pixel vectors), padding
    // taps included.
    it('one channel: the sixteen-pixel path equals the per-pixel one bit for bit', async () => {
      await tf.setBackend('native');
      const [few, many] = values(() => {
        const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 41) as tf.Tensor4D;
        const w = tf.randomNormal([5, 5, 1, 3], 0, 0.3, 'float32', 42) as tf.Tensor4D;
        const padded = tf.concat(
          [w, tf.randomNormal([5, 5, 1, 10], 0, 0.3, 'float32', 43)],
          3,
        ) as tf.Tensor4D;
        return [
          tf.conv2d(x, w, 1, 'same', 'NHWC'),
          tf.slice(tf.conv2d(x, padded, 1, 'same', 'NHWC'), [0, 0, 0, 0], [-1, -1, -1, 3]),
        ];
      });
      expect(Array.from(few ?? [])).toEqual(Array.from(many ?? []));
    });

    // A padding tap adds 0·w in the sixteen-pixel path, which is NaN for an infinite w where the cpu backend skips
    // the tap: such filters take the per-pixel path, and the infinities land where the cpu backend puts them.
    it('one channel: an infinite weight gives the cpu backend’s infinities and NaNs', async () => {
      const results: Record<string, Float32Array[]> = {};
      for (const backend of ['cpu', 'native']) {
        await tf.setBackend(backend);
        results[backend] = values(() => {
          const x = tf.randomUniform([1, 6, 18, 1], 0.5, 1, 'float32', 44) as tf.Tensor4D;
          const w = tf.tensor4d([1, 0.5, Number.POSITIVE_INFINITY, 2, 1, 0.25, 0.5, 1, -1], [3, 3, 1, 1]);
          return [tf.conv2d(x, tf.concat([w, tf.mul(w, 0.5)], 3) as tf.Tensor4D, 1, 'same', 'NHWC')];
        });
      }
      expect(Array.from(results.native?.[0] ?? [])).toEqual(Array.from(results.cpu?.[0] ?? []));
    });
  },
);

describe.runIf(state.available || required).each(isas)(
  'bias and activation after a product (FusedConv2D, _FusedMatMul), %s version',
  (isa) => {
    useIsa(isa, true);

    /** Bit patterns, so that NaN equals NaN and −0 differs from 0. */
    const bits = (v: Float32Array | undefined) =>
      Array.from(new Uint32Array((v ?? new Float32Array()).slice().buffer));

    // The fused kernel adds the bias and applies relu in one native pass: the same float operations as tf.add then
    // tf.relu, so the values are equal bit for bit; a NaN in the input stays NaN through relu (it once became 0
    // in _FusedMatMul's JavaScript epilogue). 3 filters take the direct kernel, 40 the GEMM.
    it.each([
      [3, 'linear', true],
      [3, 'relu', true],
      [3, 'relu', false],
      [40, 'linear', true],
      [40, 'relu', true],
    ] as const)(
      'conv2d with %i filters, %s, bias %s: the unfused ops bit for bit',
      (filters, activation, withBias) => {
        const [fused, unfused] = values(() => {
          const x = tf.randomNormal([2, 9, 11, 2], 0, 1, 'float32', 51);
          const xs = tf.where(
            tf.equal(tf.reshape(tf.range(0, x.size), x.shape), 17),
            tf.scalar(Number.NaN),
            x,
          ) as tf.Tensor4D;
          const w = tf.randomNormal([3, 3, 2, filters], 0, 0.5, 'float32', 52) as tf.Tensor4D;
          const b = tf.randomNormal([filters], 0, 1, 'float32', 53);
          const conv = tf.conv2d(xs, w, 1, 'same');
          const biased = withBias ? tf.add(conv, b) : conv;
          return [
            tf.fused.conv2d({
              x: xs,
              filter: w,
              strides: 1,
              pad: 'same',
              ...(withBias ? { bias: b } : {}),
              activation,
            }),
            activation === 'relu' ? tf.relu(biased) : biased,
          ];
        });
        expect(fused?.some((v) => Number.isNaN(v))).toBe(true);
        expect(bits(fused)).toEqual(bits(unfused));
      },
    );

    // A plain conv layer computes tf.fused.conv2d with its bias: training through it must give the gradients
    // of tf.add(tf.conv2d(…), bias) exactly, so runs of the dense baselines do not change with the fusion.
    it.each([3, 40])(
      'conv2d with %i filters and a bias: value and gradients as the unfused ops, bit for bit',
      (filters) => {
        const x = tf.randomNormal([2, 9, 11, 2], 0, 1, 'float32', 57) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 2, filters], 0, 0.5, 'float32', 58) as tf.Tensor4D;
        const b = tf.randomNormal([filters], 0, 1, 'float32', 59);
        const loss =
          (fused: boolean) =>
          (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor): tf.Scalar =>
            tf.sum(
              tf.square(
                fused
                  ? tf.fused.conv2d({
                      x: xi as tf.Tensor4D,
                      filter: wi as tf.Tensor4D,
                      strides: 1,
                      pad: 'same',
                      bias: bi,
                    })
                  : tf.add(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, 'same'), bi),
              ),
            );
        const [fusedOut, ...fusedGrads] = values(() => {
          const { value, grads } = tf.valueAndGrads(loss(true))([x, w, b]);
          return [value, ...grads];
        });
        const [plainOut, ...plainGrads] = values(() => {
          const { value, grads } = tf.valueAndGrads(loss(false))([x, w, b]);
          return [value, ...grads];
        });
        expect(bits(fusedOut)).toEqual(bits(plainOut));
        expect(fusedGrads.map(bits)).toEqual(plainGrads.map(bits));
        tf.dispose([x, w, b]);
      },
    );

    it.each([
      ['linear', true],
      ['relu', true],
      ['relu', false],
      // A bias of one value takes the JavaScript loop, not the native epilogue: the same values (NaN stays NaN).
      ['relu', 'of one value'],
      ['linear', 'of one value'],
    ] as const)('matMul, %s, bias %s: the unfused ops bit for bit', (activation, withBias) => {
      const [fused, unfused] = values(() => {
        const a = tf.randomNormal([37, 29], 0, 1, 'float32', 54);
        const as = tf.where(
          tf.equal(tf.reshape(tf.range(0, a.size), a.shape), 40),
          tf.scalar(Number.NaN),
          a,
        ) as tf.Tensor2D;
        const b = tf.randomNormal([29, 23], 0, 0.5, 'float32', 55) as tf.Tensor2D;
        const bias = tf.randomNormal([withBias === true ? 23 : 1], 0, 1, 'float32', 56);
        const product = tf.matMul(as, b);
        const biased = withBias === false ? product : tf.add(product, bias);
        return [
          tf.fused.matMul({ a: as, b, ...(withBias === false ? {} : { bias }), activation }),
          activation === 'relu' ? tf.relu(biased) : biased,
        ];
      });
      expect(fused?.some((v) => Number.isNaN(v))).toBe(true);
      expect(bits(fused)).toEqual(bits(unfused));
    });
  },
);

describe.runIf(state.available || required)('choosing the version of the vectorised kernels', () => {
  beforeAll(async () => {
    if (!state.available) throw new Error(`the native addon is unavailable in CI: ${state.reason}`);
    registerBackend();
    await tf.setBackend('native');
  });

  // By default the kernels run the widest version the CPU offers (a misconfigured dispatch once fell back to the
  // baseline build silently). Linux only: the CPU's flags come from /proc/cpuinfo.
  it.runIf(existsSync('/proc/cpuinfo') && process.arch === 'x64')(
    'the widest version the CPU has is the default, and every narrower one is offered',
    () => {
      const flags = new Set(
        (readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '').split(/\s+/),
      );
      const has = (...names: string[]) => names.every((n) => flags.has(n));
      const [expected, description] = has(
        'avx512f',
        'avx512vl',
        'avx512bw',
        'avx512dq',
        'avx2',
        'fma',
        'bmi1',
        'bmi2',
      )
        ? (['avx512', 'AVX-512 + FMA'] as const)
        : has('avx2', 'fma', 'bmi1', 'bmi2')
          ? (['avx2', 'AVX2 + FMA'] as const)
          : (['baseline', 'baseline x86-64'] as const);
      expect(supportedIsas()).toEqual(NATIVE_ISAS.slice(0, NATIVE_ISAS.indexOf(expected) + 1));
      const details = availability();
      expect(details.available && details.details).toMatch(
        new RegExp(`${description.replace('+', '\\+')} kernels$`),
      );
    },
  );

  it('a narrower version is named in availability(); one above the CPU or unknown is refused', () => {
    setIsa('baseline');
    const details = availability();
    const capped =
      widest === 'baseline'
        ? /baseline[^,]* kernels$/
        : new RegExp(`baseline[^,]* kernels \\(isa baseline; the CPU runs up to ${widest}\\)$`);
    expect(details.available && details.details).toMatch(capped);
    for (const above of NATIVE_ISAS.slice(NATIVE_ISAS.indexOf(widest) + 1))
      expect(() => setIsa(above)).toThrow(new RegExp(`cannot run "${above}"`));
    expect(() => setIsa('avx1024' as NativeIsa)).toThrow(/setIsa: isa must be one of baseline, avx2, avx512/);
    expect(setIsa(widest)).toBe(widest);
  });

  it('every version gives the same Σ KL and gradients to float rounding', () => {
    const { theta, logSigma2 } = weights(100_003, 31);
    const results = isas.map((isa) => {
      setIsa(isa);
      return tf.tidy(() =>
        run(FUSED_KERNEL_NAMES.klOfWeights, { theta, logSigma2 }, { eps: 1e-8, clipLo: -8, clipHi: 8 }).map(
          (t) => t.dataSync().slice(),
        ),
      );
    });
    setIsa(widest);
    for (const r of results.slice(1))
      for (const [k, values] of r.entries())
        expect(relErr(results[0]?.[k] as Float32Array, values as Float32Array)).toBeLessThan(2e-6);
    tf.dispose([theta, logSigma2]);
  });
});

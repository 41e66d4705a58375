import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { availability, registerBackend } from '../src/index.js';

// Property tests: every kernel the native backend overrides agrees with tfjs's cpu backend on random shapes,
// strides, paddings, broadcasts, transposes and axes (fast-check draws them; a failure prints the smallest
// counterexample it finds). Values are compared relative to the output's magnitude: BLAS and tfjs's loops sum in
// different orders.
const state = availability();
const required = process.env.CI === 'true';
const RUNS = { numRuns: 100, seed: 20261202 };

/** Runs `f` on cpu and on native (same seeded inputs) and returns the flat outputs of each. */
const onBoth = async (f: () => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> => {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const out = tf.tidy(f);
    const values = out.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(out);
    return values;
  };
  return [await run('cpu'), await run('native')];
};

/** Whether the two runs agree within `tol` relative to the largest magnitude (NaN where the other is NaN). */
const agree = ([a, b]: [Float32Array[], Float32Array[]], tol = 2e-4): boolean =>
  a.length === b.length &&
  a.every((xs, i) => {
    const ys = b[i] as Float32Array;
    if (xs.length !== ys.length) return false;
    let scale = 1;
    for (const x of xs) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
    return xs.every((x, j) => {
      const y = ys[j] as number;
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
      if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
      return Math.abs(x - y) <= tol * scale;
    });
  });

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const dim = fc.integer({ min: 1, max: 6 });

describe.runIf(state.available || required)('native kernels equal cpu on random inputs (fast-check)', () => {
  beforeAll(() => {
    if (!state.available) throw new Error(`the native addon is unavailable in CI: ${state.reason}`);
    registerBackend();
  });

  it('matMul over transposes and broadcast batch dimensions, with both gradients', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          m: dim,
          n: dim,
          k: dim,
          batch: fc.integer({ min: 1, max: 3 }),
          broadcast: fc.constantFrom('none', 'a', 'b'),
        }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        async ({ m, n, k, batch, broadcast }, ta, tb, seed) => {
          const aShape = [broadcast === 'a' ? 1 : batch, ta ? k : m, ta ? m : k];
          const bShape = [broadcast === 'b' ? 1 : batch, tb ? n : k, tb ? k : n];
          const result = await onBoth(() => {
            const a = rand(aShape, seed);
            const b = rand(bShape, seed + 1);
            const f = (x: tf.Tensor, y: tf.Tensor) =>
              tf.sum(tf.mul(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D, ta, tb), 1.5));
            // tfjs's BatchMatMul gradient does not handle a broadcast batch (on any backend): values only there.
            const product = tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, ta, tb);
            return broadcast === 'none' ? [product, ...tf.grads(f)([a, b])] : [product];
          });
          return agree(result);
        },
      ),
      RUNS,
    );
  });

  const binaryOps: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['div', tf.div],
    ['maximum', tf.maximum],
    ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference],
    ['less', (a, b) => tf.cast(tf.less(a, b), 'float32')],
    ['lessEqual', (a, b) => tf.cast(tf.lessEqual(a, b), 'float32')],
    ['greater', (a, b) => tf.cast(tf.greater(a, b), 'float32')],
    ['greaterEqual', (a, b) => tf.cast(tf.greaterEqual(a, b), 'float32')],
    ['equal', (a, b) => tf.cast(tf.equal(a, b), 'float32')],
    ['notEqual', (a, b) => tf.cast(tf.notEqual(a, b), 'float32')],
  ];

  it('binary and comparison ops over broadcast shapes of rank 0–4', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...binaryOps),
        fc.array(fc.tuple(dim, fc.constantFrom('both', 'a1', 'b1')), { minLength: 0, maxLength: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 1000 }),
        async ([, op], dims, drop, seed) => {
          const aShape = dims.map(([d, w]) => (w === 'a1' ? 1 : d));
          // b may also have lower rank than a (numpy broadcasting from the right).
          const bShape = dims.map(([d, w]) => (w === 'b1' ? 1 : d)).slice(Math.min(drop, dims.length));
          // Rounded values make ties (equal, max/min of equal values) frequent.
          const values = (shape: number[], s: number) => tf.round(tf.mul(rand(shape, s), 2));
          const result = await onBoth(() => [op(values(aShape, seed), values(bShape, seed + 7))]);
          return agree(result, 1e-6);
        },
      ),
      RUNS,
    );
  });

  const unaryOps: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
    ['exp', tf.exp],
    ['log', (x) => tf.log(tf.add(tf.abs(x), 0.1))],
    ['sqrt', (x) => tf.sqrt(tf.abs(x))],
    ['square', tf.square],
    ['neg', tf.neg],
    ['sigmoid', tf.sigmoid],
    ['softplus', (x) => tf.softplus(tf.mul(x, 10))],
    ['relu', tf.relu],
    ['abs', tf.abs],
    ['clipByValue', (x) => tf.clipByValue(x, -0.5, 0.7)],
    ['rsqrt', (x) => tf.rsqrt(tf.add(tf.abs(x), 0.1))],
    ['tanh', tf.tanh],
    ['reciprocal', (x) => tf.reciprocal(tf.add(tf.abs(x), 0.1))],
    ['step', (x) => tf.step(x, 0.25)],
  ];

  it('unary ops and their gradients on random shapes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...unaryOps),
        fc.array(dim, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 1000 }),
        async ([, op], shape, seed) => {
          const result = await onBoth(() => {
            const x = rand(shape, seed);
            return [op(x), tf.grad((v: tf.Tensor) => tf.sum(op(v)))(x)];
          });
          return agree(result, 1e-5);
        },
      ),
      RUNS,
    );
  });

  it('sum over any set of axes, with and without keepDims; transpose by any permutation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(dim, { minLength: 1, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        async (shape, pick, keepDims, seed) => {
          const axes = shape.flatMap((_, i) => (pick[i] ? [i] : []));
          const perm = shape.map((_, i) => i).sort((p, q) => ((p * 7 + seed) % 5) - ((q * 7 + seed) % 5));
          const result = await onBoth(() => {
            const x = rand(shape, seed);
            return [tf.sum(x, axes.length > 0 ? axes : undefined, keepDims), tf.transpose(x, perm)];
          });
          return agree(result, 1e-5);
        },
      ),
      RUNS,
    );
  });

  it('conv2d over strides, paddings and dilations, with both gradients', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          batch: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 3, max: 8 }),
          w: fc.integer({ min: 3, max: 8 }),
          c: fc.integer({ min: 1, max: 3 }),
          filters: fc.integer({ min: 1, max: 4 }),
          kh: fc.integer({ min: 1, max: 3 }),
          kw: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 2 }),
          dilation: fc.integer({ min: 1, max: 2 }),
          pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
        }),
        fc.integer({ min: 1, max: 1000 }),
        async (g, seed) => {
          // tfjs allows a dilation only with stride 1.
          const strides = g.dilation > 1 ? 1 : g.stride;
          if (g.pad === 'valid' && (g.h < (g.kh - 1) * g.dilation + 1 || g.w < (g.kw - 1) * g.dilation + 1))
            return true;
          const result = await onBoth(() => {
            const x = rand([g.batch, g.h, g.w, g.c], seed) as tf.Tensor4D;
            const f = rand([g.kh, g.kw, g.c, g.filters], seed + 3) as tf.Tensor4D;
            const conv = (a: tf.Tensor, b: tf.Tensor) =>
              tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, g.pad, 'NHWC', g.dilation);
            // tfjs has no conv2d gradient for dilations above 1 (on any backend): values only there.
            const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(conv(a, b))));
            return g.dilation > 1 ? [conv(x, f)] : [conv(x, f), ...grads([x, f])];
          });
          return agree(result);
        },
      ),
      RUNS,
    );
  });

  it('maxPool over window sizes, strides and paddings, with its gradient (ties included)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          batch: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 2, max: 8 }),
          w: fc.integer({ min: 2, max: 8 }),
          c: fc.integer({ min: 1, max: 4 }),
          fh: fc.integer({ min: 1, max: 3 }),
          fw: fc.integer({ min: 1, max: 3 }),
          sh: fc.integer({ min: 1, max: 3 }),
          sw: fc.integer({ min: 1, max: 3 }),
          pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
        }),
        fc.integer({ min: 1, max: 1000 }),
        async (g, seed) => {
          if (g.pad === 'valid' && (g.h < g.fh || g.w < g.fw)) return true;
          const result = await onBoth(() => {
            // Rounded values: many ties, where the gradient must go to the same cell as tfjs's.
            const x = tf.round(tf.mul(rand([g.batch, g.h, g.w, g.c], seed), 2)) as tf.Tensor4D;
            const pool = (v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, [g.fh, g.fw], [g.sh, g.sw], g.pad);
            return [
              pool(x),
              tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pool(v), rand(pool(v).shape, seed + 1))))(x),
            ];
          });
          return agree(result, 1e-6);
        },
      ),
      RUNS,
    );
  });

  it('a property that must fail does fail (the comparison is not vacuous)', async () => {
    const result = await onBoth(() => [tf.tensor1d([1, 2, 3])]);
    expect(agree(result)).toBe(true);
    expect(agree([result[0], [Float32Array.from([1, 2, 3.01])]])).toBe(false);
    expect(agree([[Float32Array.from([Number.NaN])], [Float32Array.from([0])]])).toBe(false);
  });
});

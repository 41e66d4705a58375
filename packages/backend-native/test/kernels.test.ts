import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's gradients (vitest resolves the ESM build's extension-less imports; under plain node,
// @sparsevd/backend's bundle does this).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { availability, registerBackend } from '../src/index.js';

// The addon is built by this package's build (node-gyp + OpenBLAS). CI installs libopenblas-dev and must run
// these tests: there, an unavailable addon fails the suite; elsewhere the reason is printed and they skip.
const state = availability();
const required = process.env.CI === 'true';
if (!state.available && !required)
  process.stderr.write(`@sparsevd/backend-native tests skipped: ${state.reason}\n`);

/** Runs `f` on the cpu backend and on native, returning both results as arrays (inputs are made inside f). */
const both = async (f: () => tf.Tensor | tf.Tensor[]): Promise<[number[][], number[][]]> => {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const out = tf.tidy(() => {
      const r = f();
      return Array.isArray(r) ? r : [r];
    });
    const values = out.map((t) => Array.from(t.dataSync()));
    tf.dispose(out);
    return values;
  };
  return [await run('cpu'), await run('native')];
};

// float32 BLAS vs tfjs's float32 loops: different summation order; tolerance relative to the magnitude.
const close = (a: number[][], b: number[][], tol = 1e-4) => {
  expect(b.map((x) => x.length)).toEqual(a.map((x) => x.length));
  a.forEach((xs, i) => {
    const scale = xs.reduce((m, x) => Math.max(m, Math.abs(x)), 1);
    xs.forEach((x, j) => {
      expect(Math.abs(x - (b[i]?.[j] as number))).toBeLessThanOrEqual(tol * scale);
    });
  });
};

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe.runIf(state.available || required)('native kernels agree with the cpu backend', () => {
  beforeAll(() => {
    if (!state.available) throw new Error(`the native addon is unavailable in CI: ${state.reason}`);
    registerBackend();
  });

  it.each([
    [[3, 4], [4, 5], false, false],
    [[4, 3], [4, 5], true, false],
    [[3, 4], [5, 4], false, true],
    [[4, 3], [5, 4], true, true],
    [[2, 3, 4], [2, 4, 5], false, false],
    [[2, 4, 3], [1, 5, 4], true, true],
    [[1, 3, 4], [3, 4, 6], false, false],
    [[100, 784], [784, 300], false, false],
  ] as const)(
    'matMul %j × %j (transposeA %s, transposeB %s), value and gradients',
    async (sa, sb, ta, tb) => {
      const [cpu, native] = await both(() => {
        const a = rand([...sa], 1);
        const b = rand([...sb], 2);
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, ta, tb)));
        // tfjs's BatchMatMul gradient does not reduce over broadcast batch dimensions (on any backend):
        // there, only the values are compared.
        if (sa[0] !== sb[0] && sa.length === 3) return [tf.matMul(a, b, ta, tb)];
        const [ga, gb] = tf.grads(f)([a, b]);
        return [tf.matMul(a, b, ta, tb), ga as tf.Tensor, gb as tf.Tensor];
      });
      close(cpu, native);
    },
  );

  it.each([
    [[40000, 16], [40000, 24], true, false],
    [[16, 40000], [24, 40000], false, true],
  ] as const)(
    'matMul %j × %j (transposeA %s, transposeB %s): a long reduction, split along k',
    async (sa, sb, ta, tb) => {
      // A small product over a long k (a filter gradient's shape) is split along k across the threads.
      const [cpu, native] = await both(() => [tf.matMul(rand([...sa], 1), rand([...sb], 2), ta, tb)]);
      close(cpu, native);
    },
  );

  it.each(['linear', 'relu', 'sigmoid', 'elu', 'relu6'] as const)(
    'fused matMul with bias and %s',
    async (activation) => {
      const [cpu, native] = await both(() =>
        tf.fused.matMul({ a: rand([6, 7], 3), b: rand([7, 4], 4), bias: rand([4], 5), activation }),
      );
      close(cpu, native);
    },
  );

  it.each([
    [[2, 9, 9, 3], [3, 3, 3, 4], 1, 'valid', 1],
    [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'same', 1],
    [[1, 10, 8, 2], [5, 5, 2, 3], [2, 1], 'valid', 1],
    [[2, 11, 11, 2], [3, 3, 2, 2], 1, 'same', 2],
    [[3, 28, 28, 1], [5, 5, 1, 20], 1, 'valid', 1],
    // At most 32 filters take conv2dSmall (no patch matrix: one 16-lane vector per pixel up to 16, two up to
    // 32), 33 the GEMM: every side of both switches, 1 filter, and rows of 7 and 9 pixels (the four-pixel
    // blocks' remainders), padding and strides on the two-vector path.
    [[2, 12, 12, 3], [5, 5, 3, 16], 1, 'valid', 1],
    [[2, 12, 12, 3], [5, 5, 3, 17], 1, 'valid', 1],
    [[2, 12, 12, 3], [5, 5, 3, 32], 1, 'valid', 1],
    [[2, 12, 12, 3], [5, 5, 3, 33], 1, 'valid', 1],
    [[2, 11, 9, 4], [3, 3, 4, 20], 2, 'same', 1],
    [[2, 11, 11, 2], [3, 3, 2, 24], 1, 'same', 2],
    [[2, 7, 9, 5], [3, 3, 5, 1], 1, 'same', 1],
    [[4, 28, 28, 1], [5, 5, 1, 3], 1, 'valid', 1],
  ] as const)(
    'conv2d x %j, filter %j, strides %j, %s, dilation %j: value and both gradients',
    async (xs, fs, strides, pad, dilation) => {
      const [cpu, native] = await both(() => {
        const x = rand([...xs], 6);
        const w = rand([...fs], 7);
        const f = (a: tf.Tensor4D, b: tf.Tensor4D) =>
          tf.sum(tf.square(tf.conv2d(a, b, strides as number | [number, number], pad, 'NHWC', dilation)));
        const out = tf.conv2d(
          x as tf.Tensor4D,
          w as tf.Tensor4D,
          strides as number | [number, number],
          pad,
          'NHWC',
          dilation,
        );
        if (dilation !== 1) return [out]; // tfjs computes no conv2d gradients with dilations
        const [gx, gw] = tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)([x, w]);
        return [out, gx as tf.Tensor, gw as tf.Tensor];
      });
      close(cpu, native, 2e-4);
    },
  );

  it.each([
    [
      [3, 4],
      [3, 4],
    ],
    [[3, 4], [4]],
    [[3, 4], []],
    [[], [2, 3]],
    [
      [2, 1, 4],
      [3, 1],
    ],
    [
      [2, 3, 4, 5],
      [1, 3, 1, 5],
    ],
  ] as const)('element-wise binary ops and comparisons broadcast %j with %j', async (sa, sb) => {
    const [cpu, native] = await both(() => {
      const a = rand([...sa], 21);
      const b = tf.add(tf.abs(rand([...sb], 22)), 0.5);
      return [
        tf.add(a, b),
        tf.sub(a, b),
        tf.mul(a, b),
        tf.div(a, b),
        tf.maximum(a, b),
        tf.minimum(a, b),
        tf.squaredDifference(a, b),
        tf.cast(tf.less(a, b), 'float32'),
        tf.cast(tf.greaterEqual(a, b), 'float32'),
        tf.cast(tf.logicalAnd(tf.less(a, b), tf.greater(a, tf.neg(b))), 'float32'),
      ];
    });
    close(cpu, native, 1e-6);
  });

  it('unary ops, clipping, sums over leading / trailing / all axes, transpose and select', async () => {
    const [cpu, native] = await both(() => {
      const x = tf.mul(rand([4, 5, 6], 23), 8);
      const p = tf.add(tf.abs(x), 0.1);
      return [
        tf.exp(tf.div(x, 8)),
        tf.log(p),
        tf.sqrt(p),
        tf.rsqrt(p),
        tf.square(x),
        tf.neg(x),
        tf.sigmoid(x),
        tf.softplus(tf.mul(x, 3)),
        tf.relu(x),
        tf.abs(x),
        tf.tanh(x),
        tf.reciprocal(p),
        tf.step(x),
        tf.step(x, 0.25),
        tf.clipByValue(x, -2, 3),
        tf.sum(x),
        tf.sum(x, [1, 2]),
        tf.sum(x, 0),
        tf.sum(x, [0, 1], true),
        tf.sum(x, 1), // a middle axis: the cpu kernel's path
        tf.transpose(tf.reshape(x, [20, 6])),
        tf.where(tf.less(x, 0), x, tf.square(x)),
      ];
    });
    close(cpu, native, 1e-5);
  });

  it('a product with an exact scalar 1 shares its operand’s data (no copy) and stays valid once it is gone', async () => {
    await tf.setBackend('native');
    const before = tf.memory().numTensors;
    const x = rand([64, 65], 31);
    const expected = Array.from(x.dataSync());
    const [one, two, ones] = [tf.scalar(1), tf.scalar(2), tf.ones([2, 64, 65])];
    const left = tf.mul(one, x);
    const right = tf.mul(x, one);
    const backend = tf.backend() as unknown as { data: { get: (id: object) => { values: unknown } } };
    expect(backend.data.get(left.dataId).values).toBe(backend.data.get(x.dataId).values);
    x.dispose();
    expect(Array.from(left.dataSync())).toEqual(expected);
    expect(Array.from(right.dataSync())).toEqual(expected);
    // Not 1, or a broadcast to a larger shape: a real product.
    const y = rand([64, 65], 32);
    const twice = tf.mul(two, y);
    const wide = tf.mul(ones, one);
    expect(Array.from(twice.dataSync())).toEqual(Array.from(y.dataSync()).map((v) => Math.fround(2 * v)));
    expect(wide.shape).toEqual([2, 64, 65]);
    tf.dispose([left, right, y, twice, wide, one, two, ones]);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('a few SparseVD-style training steps follow the cpu backend’s loss', async () => {
    const losses: Record<string, number[]> = {};
    for (const backend of ['cpu', 'native']) {
      await tf.setBackend(backend);
      const w1 = tf.variable(tf.mul(rand([5, 5, 1, 4], 11), 0.2));
      const w2 = tf.variable(tf.mul(rand([4 * 12 * 12, 10], 12), 0.05));
      const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 13);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
      const opt = tf.train.adam(0.01);
      losses[backend] = [];
      for (let step = 0; step < 5; step += 1) {
        const loss = opt.minimize(() => {
          const h = tf.maxPool(
            tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'valid')),
            2,
            2,
            'valid',
          );
          return tf.losses.softmaxCrossEntropy(y, tf.matMul(tf.reshape(h, [8, -1]), w2)) as tf.Scalar;
        }, true);
        losses[backend]?.push(loss?.dataSync()[0] as number);
        loss?.dispose();
      }
      tf.dispose([w1, w2, x, y]);
      opt.dispose();
    }
    losses.native?.forEach((l, i) => {
      expect(Math.abs(l - (losses.cpu?.[i] as number))).toBeLessThan(1e-4 * Math.max(1, Math.abs(l)));
    });
  });
});

describe('availability', () => {
  it('reports the BLAS when built, or the missing piece in one line', () => {
    if (state.available) expect(state.details).toMatch(/OpenBLAS .*threads/);
    else expect(state.reason).toMatch(/compiler|CBLAS|node-gyp|not built|does not load|skipped/);
  });
});

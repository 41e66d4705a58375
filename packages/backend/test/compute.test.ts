import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { type BackendName, selectBackend } from '../src/index.js';

// f(W) = Σ relu(x·W) · c  on a fixed batch: forward value and dW = xᵀ·(c ⊙ 1[x·W > 0]) computed by hand.
const x = [
  [1, 2, -1],
  [0.5, -1, 2],
];
const w = [
  [0.3, -0.2],
  [0.1, 0.4],
  [-0.5, 0.2],
];
const c = [1, -2];

const reference = () => {
  let value = 0;
  const grad = w.map((row) => row.map(() => 0));
  for (const xi of x) {
    for (let j = 0; j < 2; j += 1) {
      const z = xi.reduce((s, xk, k) => s + xk * (w[k]?.[j] ?? 0), 0);
      if (z > 0) {
        value += z * (c[j] ?? 0);
        xi.forEach((xk, k) => {
          const row = grad[k];
          if (row) row[j] = (row[j] ?? 0) + xk * (c[j] ?? 0);
        });
      }
    }
  }
  return { value, grad };
};

describe.each<BackendName>(['cpu', 'wasm'])('the %s backend, for real', (name) => {
  it('starts, computes a forward pass and its gradient, and leaks no tensors', async () => {
    const result = await selectBackend({ backend: name, env: {} })();
    expect(E.isRight(result) && result.right.backend).toBe(name);
    expect(tf.getBackend()).toBe(name);

    const before = tf.memory().numTensors;
    const xs = tf.tensor2d(x);
    const cs = tf.tensor1d(c);
    const f = (weights: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.matMul(xs, weights)), cs));
    const ws = tf.tensor2d(w);
    const { value, grad } = tf.valueAndGrad(f)(ws);
    const expected = reference();
    expect(value.dataSync()[0]).toBeCloseTo(expected.value, 5);
    const g = grad.arraySync() as number[][];
    g.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(v).toBeCloseTo(expected.grad[i]?.[j] ?? Number.NaN, 5);
      });
    });
    tf.dispose([xs, cs, ws, value, grad]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

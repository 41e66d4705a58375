import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { availability, registerBackend } from '../src/index.js';
import { pooledBytes } from '../src/kernels/buffer-pool.js';

const state = availability();
const required = process.env.CI === 'true';

describe.runIf(state.available || required)('output buffer reuse never changes a live value', () => {
  beforeAll(async () => {
    if (!state.available) throw new Error(`the native addon is unavailable in CI: ${state.reason}`);
    registerBackend();
    await tf.setBackend('native');
  });

  const big = (seed: number) => tf.randomNormal([300, 100], 0, 1, 'float32', seed);

  it('reuses the array of a released output for the next output of that size', () => {
    const a = big(1);
    const b = tf.exp(a);
    const before = pooledBytes();
    b.dispose();
    expect(pooledBytes()).toBe(before + 300 * 100 * 4);
    const c = tf.exp(a);
    expect(pooledBytes()).toBe(before);
    tf.dispose([a, c]);
  });

  it('never reuses an array handed out by dataSync()', () => {
    const a = big(2);
    const b = tf.exp(a);
    const values = b.dataSync();
    const copy = Array.from(values);
    b.dispose();
    for (let i = 0; i < 5; i += 1) tf.dispose(tf.neg(a));
    expect(Array.from(values)).toEqual(copy);
    a.dispose();
  });

  it('keeps a slice (a view into its input) intact after the input is released', () => {
    const a = big(3);
    const b = tf.exp(a);
    const rows = tf.slice(b, [10, 0], [5, 100]);
    const expected = tf.tidy(() => tf.exp(tf.slice(a, [10, 0], [5, 100])).arraySync());
    b.dispose();
    for (let i = 0; i < 5; i += 1) tf.dispose(tf.neg(a));
    expect(rows.arraySync()).toEqual(expected);
    tf.dispose([a, rows]);
  });

  it('keeps data shared by a reshape alive until both are released', () => {
    const a = big(4);
    const b = tf.exp(a);
    const r = tf.reshape(b, [30_000]);
    const expected = tf.tidy(() => tf.reshape(tf.exp(a), [30_000]).arraySync());
    b.dispose();
    for (let i = 0; i < 5; i += 1) tf.dispose(tf.neg(a));
    expect(r.arraySync()).toEqual(expected);
    tf.dispose([a, r]);
  });
});

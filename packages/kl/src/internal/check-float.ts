import type { Tensor } from '@tensorflow/tfjs-core';

/** Throws a TypeError naming the function and argument unless `t` is a float32 tensor. */
export const checkFloat = (fn: string, arg: string, t: Tensor): void => {
  if (t === null || typeof t !== 'object' || typeof (t as Partial<Tensor>).dtype !== 'string') {
    throw new TypeError(`${fn}: ${arg} must be a tf.Tensor, got ${t === null ? 'null' : typeof t}`);
  }
  if (t.dtype !== 'float32') throw new TypeError(`${fn}: ${arg} must have dtype float32, got ${t.dtype}`);
};

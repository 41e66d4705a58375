import * as tf from '@tensorflow/tfjs-core';

/** A reproducible float32 array of `n` values from N(0, scale²) (tfjs's seeded generator). */
export const randn = (shape: number[], seed: number, scale = 1): tf.Tensor =>
  tf.randomNormal(shape, 0, scale, 'float32', seed);

/** Plain numbers of a tensor. */
export const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/**
 * Central finite difference of `f` with respect to element `index` of `param` (step h), evaluating `f` on
 * copies of the parameter record; float32 arithmetic inside f, float64 difference here.
 */
export const finiteDifference = <K extends string>(
  f: (params: Record<K, tf.Tensor>) => tf.Scalar,
  params: Record<K, tf.Tensor>,
  name: K,
  index: number,
  h: number,
): number => {
  const at = (delta: number): number =>
    tf.tidy(() => {
      const data = Float32Array.from(params[name].dataSync());
      data[index] = (data[index] as number) + delta;
      const shifted = { ...params, [name]: tf.tensor(data, params[name].shape) } as Record<K, tf.Tensor>;
      return f(shifted).dataSync()[0] as number;
    });
  return (at(h) - at(-h)) / (2 * h);
};

import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * The argument check every tensor function of the project starts with: `t` must be a float32 tensor, else a
 * TypeError naming the function and the argument (`lrtDense: x must have dtype float32, got int32`). Kept here,
 * in the lowest package that takes tensors, so the others import it rather than repeat it.
 *
 * @returns `t`, as a tensor.
 */
export const checkFloatTensor = (fn: string, arg: string, t: unknown): Tensor => {
  if (t === null || typeof t !== 'object' || typeof (t as Partial<Tensor>).dtype !== 'string') {
    throw new TypeError(`${fn}: ${arg} must be a tf.Tensor, got ${t === null ? 'null' : typeof t}`);
  }
  const tensor = t as Tensor;
  if (tensor.dtype !== 'float32')
    throw new TypeError(`${fn}: ${arg} must have dtype float32, got ${tensor.dtype}`);
  return tensor;
};

import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor, showShape } from './internal/validate.js';

/**
 * The randomness of an estimator, always explicit: either the standard-normal noise tensor ε itself, or a
 * seed from which it is drawn (`tf.randomNormal` with that seed), so every sample can be reproduced.
 */
export type Noise = tf.Tensor | { readonly seed: number };

/**
 * Standard-normal noise of the given shape from a {@link Noise}: a tensor is checked and returned as is
 * (the caller keeps ownership), a seed draws a new tensor.
 *
 * @param fn - the calling function, named in errors.
 * @throws RangeError when a noise tensor has the wrong shape, or the seed is not a finite number.
 */
export const resolveNoise = (fn: string, shape: ReadonlyArray<number>, noise: Noise): tf.Tensor => {
  if (typeof noise === 'object' && noise !== null && 'seed' in noise && !(noise instanceof tf.Tensor)) {
    if (!Number.isFinite(noise.seed))
      throw new RangeError(`${fn}: noise.seed must be a finite number, got ${noise.seed}`);
    return tf.randomNormal([...shape], 0, 1, 'float32', noise.seed);
  }
  const tensor = checkFloatTensor(fn, 'noise', noise);
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `${fn}: noise has shape ${showShape(tensor.shape)} but must have shape ${showShape(shape)}`,
    );
  }
  return tensor;
};

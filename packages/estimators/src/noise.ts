import { FUSED_KERNELS, type FusedOptions, fusedOp, runFused } from '@sparsevd/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { checkFloatTensor, showShape } from './internal/validate.js';

/**
 * The randomness of an estimator, always explicit: either the standard-normal noise tensor ε itself, or a
 * seed from which it is drawn (`tf.randomNormal` with that seed), so every sample can be reproduced.
 */
export type Noise = tf.Tensor | { readonly seed: number };

/** The fused `randomNormal` kernel and its composed fallback, tfjs's own generator. */
const RANDOM_NORMAL = fusedOp(FUSED_KERNELS.randomNormal, (_, { shape, mean, stdDev, seed }) => [
  tf.randomNormal([...shape], mean, stdDev, 'float32', Number(seed)),
]);

/**
 * Standard-normal noise of the given shape from a {@link Noise}: a tensor is checked and returned as is
 * (the caller keeps ownership), a seed draws a new tensor — by the backend's fused `randomNormal` kernel when
 * it offers one, which gives the same values as `tf.randomNormal`.
 *
 * @param fn - the calling function, named in errors.
 * @throws RangeError when a noise tensor has the wrong shape, or the seed is not a finite number.
 */
export const resolveNoise = (
  fn: string,
  shape: ReadonlyArray<number>,
  noise: Noise,
  options: FusedOptions = {},
): tf.Tensor => {
  if (typeof noise === 'object' && noise !== null && 'seed' in noise && !(noise instanceof tf.Tensor)) {
    if (!Number.isFinite(noise.seed))
      throw new RangeError(`${fn}: noise.seed must be a finite number, got ${noise.seed}`);
    // Seed 0 makes tf.randomNormal draw its own seed from Math.random(): nothing to reproduce, nothing to fuse.
    if (noise.seed === 0) return tf.randomNormal([...shape], 0, 1, 'float32', 0);
    const [eps] = runFused(
      RANDOM_NORMAL,
      {},
      { shape: [...shape], mean: 0, stdDev: 1, seed: String(noise.seed) },
      options,
    );
    return eps as tf.Tensor;
  }
  const tensor = checkFloatTensor(fn, 'noise', noise);
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `${fn}: noise has shape ${showShape(tensor.shape)} but must have shape ${showShape(shape)}`,
    );
  }
  return tensor;
};

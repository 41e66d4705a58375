import type * as tf from '@tensorflow/tfjs-core';
import type { FusedInputs, FusedKernel } from './fused-kernel.js';

/**
 * A fused kernel joined to its composed fallback: the tfjs ops that compute the same outputs on a backend that
 * did not register the kernel. Declared once, next to the function that calls it, and run by
 * {@link runFused}.
 */
export interface FusedOp<I extends string, A extends object> {
  readonly kernel: FusedKernel<I, A>;
  /** The same outputs as the kernel, from ordinary tfjs ops (differentiable where the kernel is). */
  readonly fallback: (inputs: FusedInputs<I, tf.Tensor>, attrs: A) => tf.Tensor[];
}

/**
 * Joins a kernel contract and its composed fallback into a {@link FusedOp}.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { fusedKernel, fusedOp } from '@sparsevd/kernels';
 * const scale = fusedOp(
 *   fusedKernel<'x', { factor: number }>({ name: 'MyScale', inputs: ['x'], attrs: ['factor'], outputs: 1 }),
 *   ({ x }, { factor }) => [tf.mul(x as tf.Tensor, factor)],
 * );
 * ```
 */
export const fusedOp = <I extends string, A extends object>(
  kernel: FusedKernel<I, A>,
  fallback: (inputs: FusedInputs<I, tf.Tensor>, attrs: A) => tf.Tensor[],
): FusedOp<I, A> => ({ kernel, fallback });

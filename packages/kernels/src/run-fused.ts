import * as tf from '@tensorflow/tfjs-core';
import type { FusedInputs, FusedKernel } from './fused-kernel.js';
import type { FusedOp } from './fused-op.js';

/**
 * Whether a call may use fused kernels. Every function of the library that can run one takes this option and
 * passes it on; the application decides (the CLI turns it off with `SPARSEVD_FUSED=0`), never the library.
 */
export interface FusedOptions {
  /** Use a fused kernel when the active backend registered it (default `true`); `false` always composes. */
  readonly fused?: boolean;
}

/** Whether `kernel` would run fused: allowed by `options` and registered by the active tfjs backend. */
export const fusedKernelRegistered = (
  kernel: Pick<FusedKernel<string, object>, 'name'>,
  options: FusedOptions = {},
): boolean => options.fused !== false && tf.getKernel(kernel.name, tf.getBackend()) !== undefined;

/**
 * Runs a {@link FusedOp}: the backend's kernel when {@link fusedKernelRegistered} says so, else its composed
 * fallback — the same outputs either way. Absent optional inputs are left out of the kernel call.
 *
 * @returns the kernel's outputs, always as an array (`kernel.outputs` tensors).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { fusedKernel, fusedOp, runFused } from '@sparsevd/kernels';
 * const scale = fusedOp(
 *   fusedKernel<'x', { factor: number }>({ name: 'MyScale', inputs: ['x'], attrs: ['factor'], outputs: 1 }),
 *   ({ x }, { factor }) => [tf.mul(x as tf.Tensor, factor)],
 * );
 * const [y] = runFused(scale, { x: tf.tensor1d([1, 2]) }, { factor: 3 }); // composed on cpu: [3, 6]
 * ```
 */
export const runFused = <I extends string, A extends object>(
  op: FusedOp<I, A>,
  inputs: FusedInputs<I, tf.Tensor>,
  attrs: A,
  options: FusedOptions = {},
): tf.Tensor[] => {
  if (!fusedKernelRegistered(op.kernel, options)) return op.fallback(inputs, attrs);
  const present: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(inputs) as [string, tf.Tensor | undefined][]) {
    if (t !== undefined) present[name] = t;
  }
  const out = tf.engine().runKernel(op.kernel.name, present, attrs as unknown as tf.NamedAttrMap);
  return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
};

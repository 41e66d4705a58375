import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The float32 values of a tensor held by a cpu-style backend (the array itself, not a copy). */
export const floats = (backend: MathBackendCPU, t: TensorInfo): Float32Array | undefined => {
  if (t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
};

/**
 * A new Float32Array of `n` elements whose contents are left unset (no zero-fill): for kernel outputs the addon
 * overwrites entirely. Large arrays come from Node's uninitialised allocation, which saves writing every byte
 * twice; small ones are ordinary (zeroed) arrays.
 */
export const uninitialized = (n: number): Float32Array =>
  n >= 1024 ? new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n) : new Float32Array(n);

import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The float32 values of a tensor held by a cpu-style backend (the array itself, not a copy). */
export const floats = (backend: MathBackendCPU, t: TensorInfo): Float32Array | undefined => {
  if (t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
};

export { uninitialized } from './buffer-pool.js';

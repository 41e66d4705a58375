import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { Addon } from '../addon.js';
import { poolGeometry } from './conv-geometry.js';
import { floats, uninitialized } from './tensor-data.js';

type Attrs = Record<string, unknown>;

const poolInfo = (shape: number[], attrs: Attrs): backend_util.Conv2DInfo =>
  backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );

/** `MaxPool` (NHWC, float32, rank 4), threaded over the batch's rows; anything else goes to the cpu kernel. */
export const maxPoolConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'MaxPool',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x } = args.inputs as { x: TensorInfo };
    const xv = floats(backend, x);
    if (xv === undefined || x.shape.length !== 4) return fallback(args);
    const c = poolInfo(x.shape, args.attrs as Attrs);
    const shape = [c.batchSize, c.outHeight, c.outWidth, c.outChannels];
    const out = uninitialized(shape.reduce((a, b) => a * b, 1));
    if (out.length > 0) addon.maxPool(...poolGeometry(c), xv, out);
    return backend.makeTensorInfo(shape, 'float32', out);
  },
});

/** `MaxPoolGrad`: each output's gradient to the first maximum of its window (as tfjs-backend-cpu). */
export const maxPoolGradConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'MaxPoolGrad',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const xv = floats(backend, input);
    const dv = floats(backend, dy);
    if (xv === undefined || dv === undefined || input.shape.length !== 4) return fallback(args);
    const c = poolInfo(input.shape, args.attrs as Attrs);
    const dx = dv.length > 0 ? uninitialized(xv.length) : new Float32Array(xv.length);
    if (dv.length > 0) addon.maxPoolGrad(...poolGeometry(c), xv, dv, dx);
    return backend.makeTensorInfo([...input.shape], 'float32', dx);
  },
});

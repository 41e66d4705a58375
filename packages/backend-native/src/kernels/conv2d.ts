import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { Addon } from '../addon.js';
import { floats, uninitialized } from './tensor-data.js';

type Attrs = Record<string, unknown>;
const nhwc = (attrs: NamedAttrMap | undefined): boolean =>
  ((attrs as Attrs | undefined)?.dataFormat ?? 'NHWC') === 'NHWC';

/** The geometry argument list of the addon's im2col / col2im for a conv2d info. */
const geometry = (c: backend_util.Conv2DInfo): number[] => [
  c.batchSize,
  c.inHeight,
  c.inWidth,
  c.inChannels,
  c.filterHeight,
  c.filterWidth,
  c.strideHeight,
  c.strideWidth,
  c.dilationHeight,
  c.dilationWidth,
  c.padInfo.top,
  c.padInfo.left,
  c.outHeight,
  c.outWidth,
];

const info = (
  xShape: number[],
  filterShape: number[],
  attrs: Attrs,
  dilations: unknown = 1,
): backend_util.Conv2DInfo =>
  backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    dilations as number | [number, number],
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );

/** `Conv2D` (NHWC) as im2col + one GEMM: `[B·oh·ow, kh·kw·C] × [kh·kw·C, F]`. */
export const conv2dConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'Conv2D',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as Attrs;
    const xv = floats(backend, x);
    const fv = floats(backend, filter);
    if (xv === undefined || fv === undefined || !nhwc(args.attrs)) return fallback(args);
    const c = info(x.shape, filter.shape, attrs, attrs.dilations);
    const rows = c.batchSize * c.outHeight * c.outWidth;
    const k = c.filterHeight * c.filterWidth * c.inChannels;
    const out =
      rows * k * c.outChannels > 0
        ? uninitialized(rows * c.outChannels)
        : new Float32Array(rows * c.outChannels);
    if (rows * k * c.outChannels > 0) {
      const cols = uninitialized(rows * k);
      addon.im2col(...geometry(c), xv, cols);
      addon.sgemm(
        false,
        false,
        rows,
        c.outChannels,
        k,
        1,
        cols,
        0,
        k,
        fv,
        0,
        c.outChannels,
        0,
        out,
        0,
        c.outChannels,
      );
    }
    return backend.makeTensorInfo([c.batchSize, c.outHeight, c.outWidth, c.outChannels], 'float32', out);
  },
});

/** `Conv2DBackpropInput` (NHWC): `dcols = dy · Wᵀ`, then col2im. */
export const conv2dBackpropInputConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'Conv2DBackpropInput',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as Attrs;
    const dv = floats(backend, dy);
    const fv = floats(backend, filter);
    if (dv === undefined || fv === undefined || !nhwc(args.attrs)) return fallback(args);
    const c = info(attrs.inputShape as number[], filter.shape, attrs);
    const rows = c.batchSize * c.outHeight * c.outWidth;
    const k = c.filterHeight * c.filterWidth * c.inChannels;
    const size = c.batchSize * c.inHeight * c.inWidth * c.inChannels;
    // col2im zeroes dx before accumulating into it.
    const dx = rows * k * c.outChannels > 0 ? uninitialized(size) : new Float32Array(size);
    if (rows * k * c.outChannels > 0) {
      const dcols = uninitialized(rows * k);
      addon.sgemm(
        false,
        true,
        rows,
        k,
        c.outChannels,
        1,
        dv,
        0,
        c.outChannels,
        fv,
        0,
        c.outChannels,
        0,
        dcols,
        0,
        k,
      );
      addon.col2im(...geometry(c), dcols, dx);
    }
    return backend.makeTensorInfo([c.batchSize, c.inHeight, c.inWidth, c.inChannels], 'float32', dx);
  },
});

/** `Conv2DBackpropFilter` (NHWC): `dW = colsᵀ · dy` — the kernel tfjs's wasm backend lacks. */
export const conv2dBackpropFilterConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as Attrs;
    const xv = floats(backend, x);
    const dv = floats(backend, dy);
    if (xv === undefined || dv === undefined || !nhwc(args.attrs)) return fallback(args);
    const c = info(x.shape, attrs.filterShape as number[], attrs);
    const rows = c.batchSize * c.outHeight * c.outWidth;
    const k = c.filterHeight * c.filterWidth * c.inChannels;
    const dw =
      rows * k * c.outChannels > 0 ? uninitialized(k * c.outChannels) : new Float32Array(k * c.outChannels);
    if (rows * k * c.outChannels > 0) {
      const cols = uninitialized(rows * k);
      addon.im2col(...geometry(c), xv, cols);
      addon.sgemm(
        true,
        false,
        k,
        c.outChannels,
        rows,
        1,
        cols,
        0,
        k,
        dv,
        0,
        c.outChannels,
        0,
        dw,
        0,
        c.outChannels,
      );
    }
    return backend.makeTensorInfo(
      [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels],
      'float32',
      dw,
    );
  },
});

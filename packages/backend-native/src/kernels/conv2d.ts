import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { Addon } from '../addon.js';
import { release } from './buffer-pool.js';
import { convInfo, im2colGeometry } from './conv-geometry.js';
import { biasActivationInPlace, epilogueCode } from './epilogue.js';
import { patchesOf } from './patch-cache.js';
import { floats, uninitialized } from './tensor-data.js';

type Attrs = Record<string, unknown>;
const nhwc = (attrs: NamedAttrMap | undefined): boolean =>
  ((attrs as Attrs | undefined)?.dataFormat ?? 'NHWC') === 'NHWC';

/** The most filters the addon's `conv2dSmall` takes (two 16-lane vectors per output pixel). */
export const SMALL_CONV_FILTERS = 32;

/**
 * The NHWC convolution of `x` by `filter` as im2col + one GEMM: `[B·oh·ow, kh·kw·C] × [kh·kw·C, F]`; with at most
 * 32 filters (the compacted networks' convolutions) the addon's `conv2dSmall` instead, which a GEMM library's
 * kernels beat by far on so few columns. Undefined when the inputs are outside what the addon takes (the caller
 * falls back to the cpu kernel).
 */
const convolve = (
  addon: Addon,
  backend: MathBackendCPU,
  x: TensorInfo,
  filter: TensorInfo,
  attrs: NamedAttrMap | undefined,
): { values: Float32Array; shape: number[] } | undefined => {
  const xv = floats(backend, x);
  const fv = floats(backend, filter);
  if (xv === undefined || fv === undefined || !nhwc(attrs)) return undefined;
  const a = attrs as Attrs;
  const c = convInfo(x.shape, filter.shape, a, a.dilations);
  const rows = c.batchSize * c.outHeight * c.outWidth;
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const out =
    rows * k * c.outChannels > 0
      ? uninitialized(rows * c.outChannels)
      : new Float32Array(rows * c.outChannels);
  if (rows * k * c.outChannels > 0 && c.outChannels <= SMALL_CONV_FILTERS) {
    addon.conv2dSmall(im2colGeometry(c), c.outChannels, xv, fv, out);
  } else if (rows * k * c.outChannels > 0) {
    const cols = uninitialized(rows * k);
    addon.im2col(...im2colGeometry(c), xv, cols);
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
    release(cols);
  }
  return { values: out, shape: [c.batchSize, c.outHeight, c.outWidth, c.outChannels] };
};

/** `Conv2D` (NHWC) by the addon (see `convolve`); anything else goes to the cpu kernel. */
export const conv2dConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'Conv2D',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const out = convolve(addon, backend, x, filter, args.attrs);
    return out === undefined ? fallback(args) : backend.makeTensorInfo(out.shape, 'float32', out.values);
  },
});

/**
 * `FusedConv2D` (`tf.fused.conv2d`: convolution, bias, activation) with the identity or relu: the convolution as
 * `Conv2D`'s, then the bias and the activation in one native pass over the output (the values of the unfused
 * ops, bit for bit). Other activations, PReLU weights and NCHW go to the cpu kernel.
 */
export const fusedConv2dConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'FusedConv2D',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const activation = String((args.attrs as Attrs | undefined)?.activation ?? 'linear');
    if (x === undefined || filter === undefined || preluActivationWeights !== undefined)
      return fallback(args);
    const code = epilogueCode(activation);
    if (code === undefined) return fallback(args);
    const filters = filter.shape[3] as number;
    const bv = bias === undefined ? null : floats(backend, bias);
    if (bv === undefined || (bv !== null && bv.length !== filters)) return fallback(args);
    const out = convolve(addon, backend, x, filter, args.attrs);
    if (out === undefined) return fallback(args);
    biasActivationInPlace(addon, out.values, filters, bv, code);
    return backend.makeTensorInfo(out.shape, 'float32', out.values);
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
    const c = convInfo(attrs.inputShape as number[], filter.shape, attrs);
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
      addon.col2im(...im2colGeometry(c), dcols, dx);
      release(dcols);
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
    const c = convInfo(x.shape, attrs.filterShape as number[], attrs);
    const rows = c.batchSize * c.outHeight * c.outWidth;
    const k = c.filterHeight * c.filterWidth * c.inChannels;
    const dw =
      rows * k * c.outChannels > 0 ? uninitialized(k * c.outChannels) : new Float32Array(k * c.outChannels);
    if (rows * k * c.outChannels > 0) {
      // The patches the LRT conv's forward pass kept for this input, else a fresh im2col.
      const geometry = im2colGeometry(c);
      const kept = patchesOf(x.dataId, geometry)?.cols;
      const cols = kept ?? uninitialized(rows * k);
      if (kept === undefined) addon.im2col(...geometry, xv, cols);
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
      if (kept === undefined) release(cols);
    }
    return backend.makeTensorInfo(
      [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels],
      'float32',
      dw,
    );
  },
});

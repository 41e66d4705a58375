import { FUSED_KERNELS } from '@sparsevd/kernels';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { GradConfig, KernelConfig, NamedTensorMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { Addon } from '../addon.js';
import { convInfo, im2colGeometry } from './conv-geometry.js';
import { keepPatches, patchesOf } from './patch-cache.js';
import { floats, uninitialized } from './tensor-data.js';

/**
 * The names of the fused SparseVD kernels this backend registers: every contract of `@sparsevd/kernels`'
 * `FUSED_KERNELS`, by its key.
 *
 * @deprecated Read the contracts of `@sparsevd/kernels` (`FUSED_KERNELS.lrtDense.name`) instead.
 */
export const FUSED_KERNEL_NAMES = Object.fromEntries(
  Object.entries(FUSED_KERNELS).map(([key, kernel]) => [key, kernel.name]),
) as { readonly [K in keyof typeof FUSED_KERNELS]: string };

const LRT_GRAD_INPUT = 'SparseVDLrtDenseGradInput';
const LRT_GRAD_LOG_SIGMA2 = 'SparseVDLrtDenseGradLogSigma2';
const LRT_CONV_GRAD_INPUT = 'SparseVDLrtConv2dGradInput';
const LRT_CONV_GRAD_LOG_SIGMA2 = 'SparseVDLrtConv2dGradLogSigma2';

/** A numeric attribute of a fused kernel, or an error naming the kernel and the attribute. */
const num = (kernel: string, attrs: unknown, name: string): number => {
  const v = (attrs as Record<string, unknown> | undefined)?.[name];
  if (typeof v !== 'number')
    throw new TypeError(`${kernel}: attribute ${name} must be a number, got ${String(v)}`);
  return v;
};
const nums = (kernel: string, attrs: unknown, names: ReadonlyArray<string>): number[] =>
  names.map((name) => num(kernel, attrs, name));

/** The float32 arrays of the named inputs, or an error naming the kernel and the input that is not one. */
const inputsOf = (
  backend: MathBackendCPU,
  kernel: string,
  inputs: NamedTensorMap | Record<string, TensorInfo | undefined>,
  names: ReadonlyArray<string>,
): Float32Array[] =>
  names.map((name) => {
    const t = inputs[name];
    const values = t === undefined ? undefined : floats(backend, t);
    if (values === undefined) throw new TypeError(`${kernel}: input ${name} must be a float32 tensor`);
    return values;
  });

const make = (backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo =>
  backend.makeTensorInfo(shape, 'float32', values);

const config = (kernelName: string, kernelFunc: KernelConfig['kernelFunc']): KernelConfig => ({
  kernelName,
  backendName: 'native',
  kernelFunc,
});

/** The fused kernels (and the backward kernels their gradients call) of the `native` backend. */
export const fusedConfigs = (addon: Addon): KernelConfig[] => [
  config(FUSED_KERNELS.klOfWeights.name, ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const { theta } = inputs as { theta: TensorInfo };
    const [tv, sv] = inputsOf(b, FUSED_KERNELS.klOfWeights.name, inputs, FUSED_KERNELS.klOfWeights.inputs);
    const [eps, clipLo, clipHi] = nums(
      FUSED_KERNELS.klOfWeights.name,
      attrs,
      FUSED_KERNELS.klOfWeights.attrs,
    ) as [number, number, number];
    const n = (tv as Float32Array).length;
    const gt = uninitialized(n);
    const gs = uninitialized(n);
    const kl = addon.klOfWeights(tv as Float32Array, sv as Float32Array, eps, clipLo, clipHi, gt, gs);
    return [make(b, [], Float32Array.of(kl)), make(b, [...theta.shape], gt), make(b, [...theta.shape], gs)];
  }),
  config(FUSED_KERNELS.lrtDense.name, ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const { x, theta, bias } = inputs as { x: TensorInfo; theta: TensorInfo; bias?: TensorInfo };
    const [xv, tv, sv, nv] = inputsOf(b, FUSED_KERNELS.lrtDense.name, inputs, FUSED_KERNELS.lrtDense.inputs);
    const bv =
      bias === undefined
        ? null
        : (inputsOf(b, FUSED_KERNELS.lrtDense.name, inputs, FUSED_KERNELS.lrtDense.optionalInputs)[0] ??
          null);
    const [batch, inUnits] = x.shape as [number, number];
    const outUnits = theta.shape[1] as number;
    const y = uninitialized(batch * outUnits);
    const std = uninitialized(batch * outUnits);
    addon.lrtDenseForward(
      xv as Float32Array,
      tv as Float32Array,
      sv as Float32Array,
      nv as Float32Array,
      bv,
      batch,
      inUnits,
      outUnits,
      num(FUSED_KERNELS.lrtDense.name, attrs, 'varianceEps'),
      y,
      std,
    );
    return [make(b, [batch, outUnits], y), make(b, [batch, outUnits], std)];
  }),
  config(LRT_GRAD_INPUT, ({ inputs, backend }) => {
    const b = backend as MathBackendCPU;
    const { x, theta } = inputs as { x: TensorInfo; theta: TensorInfo };
    const [xv, dv, nv, sd, tv, sv] = inputsOf(b, LRT_GRAD_INPUT, inputs, [
      'x',
      'dy',
      'noise',
      'std',
      'theta',
      'logSigma2',
    ]);
    const [batch, inUnits] = x.shape as [number, number];
    const dx = uninitialized(batch * inUnits);
    addon.lrtDenseGradInput(
      xv as Float32Array,
      dv as Float32Array,
      nv as Float32Array,
      sd as Float32Array,
      tv as Float32Array,
      sv as Float32Array,
      batch,
      inUnits,
      theta.shape[1] as number,
      dx,
    );
    return make(b, [batch, inUnits], dx);
  }),
  config(LRT_GRAD_LOG_SIGMA2, ({ inputs, backend }) => {
    const b = backend as MathBackendCPU;
    const { x, logSigma2 } = inputs as { x: TensorInfo; logSigma2: TensorInfo };
    const [xv, dv, nv, sd, sv] = inputsOf(b, LRT_GRAD_LOG_SIGMA2, inputs, [
      'x',
      'dy',
      'noise',
      'std',
      'logSigma2',
    ]);
    const [batch, inUnits] = x.shape as [number, number];
    const outUnits = logSigma2.shape[1] as number;
    const d = uninitialized(inUnits * outUnits);
    addon.lrtDenseGradLogSigma2(
      xv as Float32Array,
      dv as Float32Array,
      nv as Float32Array,
      sd as Float32Array,
      sv as Float32Array,
      batch,
      inUnits,
      outUnits,
      d,
    );
    return make(b, [inUnits, outUnits], d);
  }),
  config(FUSED_KERNELS.lrtConv2d.name, ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const { x, theta, bias } = inputs as { x: TensorInfo; theta: TensorInfo; bias?: TensorInfo };
    const [xv, tv, sv, nv] = inputsOf(
      b,
      FUSED_KERNELS.lrtConv2d.name,
      inputs,
      FUSED_KERNELS.lrtConv2d.inputs,
    );
    const bv =
      bias === undefined
        ? null
        : (inputsOf(b, FUSED_KERNELS.lrtConv2d.name, inputs, FUSED_KERNELS.lrtConv2d.optionalInputs)[0] ??
          null);
    const c = convInfo(x.shape, theta.shape, attrs, (attrs as Record<string, unknown>).dilations);
    const shape = [c.batchSize, c.outHeight, c.outWidth, c.outChannels];
    const size = shape.reduce((p, q) => p * q, 1);
    const y = uninitialized(size);
    const std = uninitialized(size);
    const geometry = im2colGeometry(c);
    // The patches stay for the backward pass (∂θ and ∂log σ² reuse them) while x's data lives.
    const patchSize = (size / c.outChannels) * c.filterHeight * c.filterWidth * c.inChannels;
    const kept = keepPatches(x.dataId, geometry, patchSize);
    addon.lrtConvForward(
      geometry,
      xv as Float32Array,
      tv as Float32Array,
      sv as Float32Array,
      nv as Float32Array,
      bv,
      c.outChannels,
      num(FUSED_KERNELS.lrtConv2d.name, attrs, 'varianceEps'),
      y,
      std,
      kept?.cols ?? null,
      kept?.squares ?? null,
    );
    return [make(b, shape, y), make(b, shape, std)];
  }),
  config(LRT_CONV_GRAD_INPUT, ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const { x, theta } = inputs as { x: TensorInfo; theta: TensorInfo };
    const [xv, dv, nv, sd, tv, sv] = inputsOf(b, LRT_CONV_GRAD_INPUT, inputs, [
      'x',
      'dy',
      'noise',
      'std',
      'theta',
      'logSigma2',
    ]);
    const c = convInfo(x.shape, theta.shape, attrs, (attrs as Record<string, unknown>).dilations);
    const dx = uninitialized((xv as Float32Array).length);
    addon.lrtConvGradInput(
      im2colGeometry(c),
      xv as Float32Array,
      dv as Float32Array,
      nv as Float32Array,
      sd as Float32Array,
      tv as Float32Array,
      sv as Float32Array,
      c.outChannels,
      dx,
    );
    return make(b, [...x.shape], dx);
  }),
  config(LRT_CONV_GRAD_LOG_SIGMA2, ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const { x, logSigma2 } = inputs as { x: TensorInfo; logSigma2: TensorInfo };
    const [xv, dv, nv, sd, sv] = inputsOf(b, LRT_CONV_GRAD_LOG_SIGMA2, inputs, [
      'x',
      'dy',
      'noise',
      'std',
      'logSigma2',
    ]);
    const c = convInfo(x.shape, logSigma2.shape, attrs, (attrs as Record<string, unknown>).dilations);
    const d = uninitialized((sv as Float32Array).length);
    const geometry = im2colGeometry(c);
    addon.lrtConvGradLogSigma2(
      geometry,
      xv as Float32Array,
      dv as Float32Array,
      nv as Float32Array,
      sd as Float32Array,
      sv as Float32Array,
      c.outChannels,
      d,
      patchesOf(x.dataId, geometry)?.squares ?? null,
    );
    return make(b, [...logSigma2.shape], d);
  }),
  config(FUSED_KERNELS.maskedTheta.name, ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const { theta } = inputs as { theta: TensorInfo };
    const [tv, sv] = inputsOf(b, FUSED_KERNELS.maskedTheta.name, inputs, FUSED_KERNELS.maskedTheta.inputs);
    const [threshold, eps, clipLo, clipHi] = nums(
      FUSED_KERNELS.maskedTheta.name,
      attrs,
      FUSED_KERNELS.maskedTheta.attrs,
    ) as [number, number, number, number];
    const n = (tv as Float32Array).length;
    const out = uninitialized(n);
    const mask = uninitialized(n);
    addon.maskedTheta(tv as Float32Array, sv as Float32Array, threshold, eps, clipLo, clipHi, out, mask);
    return [make(b, [...theta.shape], out), make(b, [...theta.shape], mask)];
  }),
  config(FUSED_KERNELS.unitNoiseKl.name, ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const k = FUSED_KERNELS.unitNoiseKl;
    const { mu } = inputs as { mu: TensorInfo };
    const [mv, sv] = inputsOf(b, k.name, inputs, k.inputs) as [Float32Array, Float32Array];
    const [a, bound, clipLo, clipHi] = nums(k.name, attrs, k.attrs) as [number, number, number, number];
    const out = [uninitialized(mv.length), uninitialized(mv.length), uninitialized(mv.length)] as const;
    addon.unitNoiseKl(mv, sv, a, bound, clipLo, clipHi, ...out);
    return out.map((values) => make(b, [...mu.shape], values));
  }),
  config(FUSED_KERNELS.unitNoiseSample.name, ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const k = FUSED_KERNELS.unitNoiseSample;
    const { mu } = inputs as { mu: TensorInfo };
    const [mv, sv, nv] = inputsOf(b, k.name, inputs, k.inputs) as [Float32Array, Float32Array, Float32Array];
    const [a, bound, clipLo, clipHi] = nums(k.name, attrs, k.attrs) as [number, number, number, number];
    const n = mv.length;
    const out = [uninitialized(n), uninitialized(n), uninitialized(n), uninitialized(n)] as const;
    addon.unitNoiseSample(mv, sv, a, bound, clipLo, clipHi, nv, ...out);
    return out.map((values) => make(b, [...mu.shape], values));
  }),
  config(FUSED_KERNELS.randomNormal.name, ({ backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const a = attrs as { shape?: unknown; seed?: unknown };
    const shape = a.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0))
      throw new TypeError(
        `${FUSED_KERNELS.randomNormal.name}: attribute shape must be non-negative integers`,
      );
    if (typeof a.seed !== 'string')
      throw new TypeError(`${FUSED_KERNELS.randomNormal.name}: attribute seed must be a string`);
    const [mean, stdDev] = nums(FUSED_KERNELS.randomNormal.name, attrs, ['mean', 'stdDev']) as [
      number,
      number,
    ];
    const out = uninitialized(shape.reduce((x: number, y: number) => x * y, 1));
    addon.randomNormal(a.seed, mean, stdDev, out);
    return make(b, [...(shape as number[])], out);
  }),
  config(FUSED_KERNELS.adam.name, ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const { x } = inputs as { x: TensorInfo };
    const [xv, mv, vv, gv] = inputsOf(b, FUSED_KERNELS.adam.name, inputs, FUSED_KERNELS.adam.inputs);
    const [beta1, beta2, epsilon, stepSize, invSqrtBc2] = nums(
      FUSED_KERNELS.adam.name,
      attrs,
      FUSED_KERNELS.adam.attrs,
    ) as [number, number, number, number, number];
    const n = (xv as Float32Array).length;
    const out = [uninitialized(n), uninitialized(n), uninitialized(n)] as const;
    addon.adamUpdate(
      xv as Float32Array,
      mv as Float32Array,
      vv as Float32Array,
      gv as Float32Array,
      beta1,
      beta2,
      epsilon,
      stepSize,
      invSqrtBc2,
      ...out,
    );
    return out.map((values) => make(b, [...x.shape], values));
  }),
];

/**
 * The gradients of the fused kernels (tfjs keeps gradients per kernel name, for every backend; only a backend
 * that registers the kernels ever records them on the tape).
 */
export const fusedGradients: ReadonlyArray<GradConfig> = [
  {
    kernelName: FUSED_KERNELS.klOfWeights.name,
    outputsToSave: [false, true, true],
    gradFunc: (dy, saved) => {
      const d = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
      const [gt, gs] = saved as [tf.Tensor, tf.Tensor];
      return { theta: () => tf.mul(d, gt), logSigma2: () => tf.mul(d, gs) };
    },
  },
  {
    kernelName: FUSED_KERNELS.lrtDense.name,
    inputsToSave: [...FUSED_KERNELS.lrtDense.inputs],
    outputsToSave: [false, true],
    gradFunc: (dys, saved) => {
      // Only the first output (y) is ever given to callers; `std` is kept for this gradient.
      const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
      const [x, theta, logSigma2, noise, std] = saved as tf.Tensor[];
      const run = (name: string, inputs: NamedTensorMap) => tf.engine().runKernel(name, inputs) as tf.Tensor;
      return {
        x: () => run(LRT_GRAD_INPUT, { x, dy, noise, std, theta, logSigma2 } as NamedTensorMap),
        theta: () => tf.matMul(x as tf.Tensor2D, dy as tf.Tensor2D, true, false),
        logSigma2: () => run(LRT_GRAD_LOG_SIGMA2, { x, dy, noise, std, logSigma2 } as NamedTensorMap),
        noise: () => tf.mul(dy, std as tf.Tensor),
        bias: () => tf.sum(dy, 0),
      };
    },
  },
  {
    kernelName: FUSED_KERNELS.lrtConv2d.name,
    inputsToSave: [...FUSED_KERNELS.lrtConv2d.inputs],
    outputsToSave: [false, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
      const [x, theta, logSigma2, noise, std] = saved as tf.Tensor[];
      const a = attrs as { strides?: unknown; pad?: unknown; dilations?: unknown };
      const run = (name: string, inputs: NamedTensorMap, extra: Record<string, unknown> = {}) =>
        tf.engine().runKernel(name, inputs, { ...a, ...extra } as tf.NamedAttrMap) as tf.Tensor;
      return {
        x: () => run(LRT_CONV_GRAD_INPUT, { x, dy, noise, std, theta, logSigma2 } as NamedTensorMap),
        // colsᵀ·dy: the backend's Conv2DBackpropFilter (im2col + one GEMM); the fused kernel is only used with
        // dilation 1, as tfjs's own conv2d gradient.
        theta: () =>
          run('Conv2DBackpropFilter', { x, dy } as NamedTensorMap, {
            dataFormat: 'NHWC',
            dimRoundingMode: undefined,
            filterShape: (theta as tf.Tensor).shape,
          }),
        logSigma2: () => run(LRT_CONV_GRAD_LOG_SIGMA2, { x, dy, noise, std, logSigma2 } as NamedTensorMap),
        noise: () => tf.mul(dy, std as tf.Tensor),
        bias: () => tf.sum(dy, [0, 1, 2]),
      };
    },
  },
];

import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { Addon } from '../addon.js';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS } from '../ops.generated.js';
import { floats, uninitialized } from './tensor-data.js';

// The op codes come from native/ops.json through the generated table, as the addon's own enums do.
const BINARY: Readonly<Record<string, number>> = BINARY_OPS;
const COMPARE: Readonly<Record<string, number>> = COMPARE_OPS;
const UNARY: Readonly<Record<string, number>> = UNARY_OPS;

/** The element-wise, reduction and boolean kernels `elementwiseConfigs` replaces. */
export const ELEMENTWISE_KERNELS: ReadonlyArray<string> = [
  ...Object.keys(BINARY),
  ...Object.keys(COMPARE),
  ...Object.keys(UNARY),
  'Sum',
  'Transpose',
  'LogicalAnd',
  'Select',
];

/** Broadcast shape and rank-4 strides (0 on broadcast dimensions), or undefined beyond rank 4. */
const broadcast = (a: number[], b: number[]) => {
  const rank = Math.max(a.length, b.length);
  if (rank > 4) return undefined;
  const pad = (s: number[]) => [...Array(4 - s.length).fill(1), ...s] as number[];
  const pa = pad(a);
  const pb = pad(b);
  const out = pa.map((d, i) => Math.max(d, pb[i] as number));
  if (out.some((d, i) => (pa[i] !== d && pa[i] !== 1) || (pb[i] !== d && pb[i] !== 1))) return undefined;
  const strides = (p: number[]) => {
    const s = [0, 0, 0, 0];
    let step = 1;
    for (let i = 3; i >= 0; i -= 1) {
      s[i] = p[i] === 1 ? 0 : step;
      step *= p[i] as number;
    }
    return s;
  };
  return { shape: out.slice(4 - rank), full: out, as: strides(pa), bs: strides(pb) };
};

/**
 * `x` itself when the other operand is a single element equal to 1 and `x` already has the product's shape: its data gains
 * a reference (as tfjs-backend-cpu's Identity does) instead of being copied.
 */
const byOne = (
  backend: MathBackendCPU,
  oneValues: Float32Array,
  x: TensorInfo,
  xValues: Float32Array,
  shape: number[],
): TensorInfo | undefined => {
  if (oneValues.length !== 1 || oneValues[0] !== 1 || xValues.length === 0) return undefined;
  if (x.shape.length !== shape.length || x.shape.some((d, i) => d !== shape[i])) return undefined;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

const binaryConfig = (
  addon: Addon,
  name: string,
  op: number,
  compare: boolean,
  fallback: KernelFunc,
): KernelConfig => ({
  kernelName: name,
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const av = floats(backend, a);
    const bv = floats(backend, b);
    const cast = broadcast(a.shape, b.shape);
    if (av === undefined || bv === undefined || cast === undefined) return fallback(args);
    if (name === 'Multiply') {
      // x · 1 (a KL or loss gradient scaled by a weight that is exactly 1): the same data, shared, not copied.
      const same = byOne(backend, av, b, bv, cast.shape) ?? byOne(backend, bv, a, av, cast.shape);
      if (same !== undefined) return same;
    }
    const size = cast.full.reduce((x, y) => x * y, 1);
    const out = compare ? new Uint8Array(size) : uninitialized(size);
    if (size > 0) addon.binary(op, av, cast.as, bv, cast.bs, out, cast.full);
    return backend.makeTensorInfo(cast.shape, compare ? 'bool' : 'float32', out);
  },
});

const unaryConfig = (addon: Addon, name: string, op: number, fallback: KernelFunc): KernelConfig => ({
  kernelName: name,
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x } = args.inputs as { x: TensorInfo };
    const xv = floats(backend, x);
    if (xv === undefined) return fallback(args);
    const attrs = (args.attrs ?? {}) as Record<string, number>;
    const out = uninitialized(xv.length);
    addon.unary(op, xv, out, attrs.clipValueMin ?? attrs.alpha ?? 0, attrs.clipValueMax ?? 0);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  },
});

/** `Sum` over trailing axes (all axes included): a contiguous reduction in double precision. */
const sumConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'Sum',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x } = args.inputs as { x: TensorInfo };
    const xv = floats(backend, x);
    const attrs = (args.attrs ?? {}) as { axis?: number | number[]; keepDims?: boolean };
    const rank = x.shape.length;
    const axes = (
      attrs.axis === undefined
        ? [...Array(rank).keys()]
        : Array.isArray(attrs.axis)
          ? attrs.axis
          : [attrs.axis]
    ).map((a) => (a < 0 ? a + rank : a));
    const sorted = [...new Set(axes)].sort((p, q) => p - q);
    const trailing = sorted.every((a, i) => a === rank - sorted.length + i);
    const leading = sorted.every((a, i) => a === i);
    if (xv === undefined || (!trailing && !leading)) return fallback(args);
    const size = (dims: number[]) => dims.reduce((p, q) => p * q, 1);
    // The output shape: the kept dimensions, with the reduced ones as 1 when keepDims is set.
    const outShape = x.shape
      .map((d, i) => (sorted.includes(i) ? 1 : d))
      .filter((_, i) => attrs.keepDims === true || !sorted.includes(i));
    if (trailing) {
      const kept = x.shape.slice(0, rank - sorted.length);
      const out = new Float32Array(size(kept));
      if (xv.length > 0) addon.sumInner(xv, size(kept), size(x.shape.slice(rank - sorted.length)), out);
      return backend.makeTensorInfo(outShape, 'float32', out);
    }
    const kept = x.shape.slice(sorted.length);
    const out = new Float32Array(size(kept));
    if (xv.length > 0) addon.sumOuter(xv, size(x.shape.slice(0, sorted.length)), size(kept), out);
    return backend.makeTensorInfo(outShape, 'float32', out);
  },
});

/** `Transpose` of a matrix (perm [1, 0]); other permutations fall back. */
const transposeConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'Transpose',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x } = args.inputs as { x: TensorInfo };
    const perm = ((args.attrs ?? {}) as { perm?: number[] }).perm ?? [];
    const xv = floats(backend, x);
    if (xv === undefined || x.shape.length !== 2 || perm[0] !== 1 || perm[1] !== 0) return fallback(args);
    const [rows, cols] = x.shape as [number, number];
    const out = uninitialized(xv.length);
    if (xv.length > 0) addon.transpose2d(xv, rows, cols, out);
    return backend.makeTensorInfo([cols, rows], 'float32', out);
  },
});

/** `LogicalAnd` of two same-shape bool tensors, and `Select` with same-shape operands (JS loops over bytes). */
const boolConfigs = (fallbackAnd: KernelFunc, fallbackSelect: KernelFunc): KernelConfig[] => [
  {
    kernelName: 'LogicalAnd',
    backendName: 'native',
    kernelFunc: (args) => {
      const backend = args.backend as MathBackendCPU;
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const av = backend.data.get(a.dataId).values;
      const bv = backend.data.get(b.dataId).values;
      if (
        !(av instanceof Uint8Array) ||
        !(bv instanceof Uint8Array) ||
        av.length !== bv.length ||
        a.shape.join() !== b.shape.join()
      ) {
        return fallbackAnd(args);
      }
      const out = new Uint8Array(av.length);
      for (let i = 0; i < out.length; i += 1) out[i] = (av[i] as number) & (bv[i] as number);
      return backend.makeTensorInfo(a.shape, 'bool', out);
    },
  },
  {
    kernelName: 'Select',
    backendName: 'native',
    kernelFunc: (args) => {
      const backend = args.backend as MathBackendCPU;
      const { condition, t, e } = args.inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
      const cv = backend.data.get(condition.dataId).values;
      const tv = floats(backend, t);
      const ev = floats(backend, e);
      if (
        !(cv instanceof Uint8Array) ||
        tv === undefined ||
        ev === undefined ||
        cv.length !== tv.length ||
        tv.length !== ev.length
      ) {
        return fallbackSelect(args);
      }
      const out = new Float32Array(tv.length);
      for (let i = 0; i < out.length; i += 1) out[i] = cv[i] ? (tv[i] as number) : (ev[i] as number);
      return backend.makeTensorInfo(t.shape, 'float32', out);
    },
  },
];

/** Every element-wise / reduction kernel this package provides, each falling back to the cpu kernel. */
export const elementwiseConfigs = (addon: Addon, cpu: (name: string) => KernelFunc): KernelConfig[] => [
  ...Object.entries(BINARY).map(([name, op]) => binaryConfig(addon, name, op, false, cpu(name))),
  ...Object.entries(COMPARE).map(([name, op]) => binaryConfig(addon, name, op, true, cpu(name))),
  ...Object.entries(UNARY).map(([name, op]) => unaryConfig(addon, name, op, cpu(name))),
  sumConfig(addon, cpu('Sum')),
  transposeConfig(addon, cpu('Transpose')),
  ...boolConfigs(cpu('LogicalAnd'), cpu('Select')),
];

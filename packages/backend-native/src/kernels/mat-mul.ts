import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { Addon } from '../addon.js';
import { biasActivationInPlace, epilogueCode } from './epilogue.js';
import { floats, uninitialized } from './tensor-data.js';

type Activation = (v: number) => number;
const ACTIVATIONS: Readonly<Record<string, Activation | null>> = {
  linear: null,
  relu: (v) => (v < 0 ? 0 : v), // as tf.relu: NaN stays NaN, −0 stays −0
  relu6: (v) => (v < 0 ? 0 : v > 6 ? 6 : v),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  elu: (v) => (v >= 0 ? v : Math.exp(v) - 1),
};

/**
 * Batched matrix product by OpenBLAS: `a` `[...batch, m, k]` (or transposed), `b` `[...batch, k, n]`, batch
 * dimensions equal or one side without batch. Returns undefined when the inputs are outside that (the caller
 * falls back to the cpu kernel).
 */
export const batchMatMul = (
  addon: Addon,
  backend: MathBackendCPU,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): { values: Float32Array; shape: number[] } | undefined => {
  const av = floats(backend, a);
  const bv = floats(backend, b);
  if (av === undefined || bv === undefined || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const aRows = a.shape[a.shape.length - 2] as number;
  const aCols = a.shape[a.shape.length - 1] as number;
  const bRows = b.shape[b.shape.length - 2] as number;
  const bCols = b.shape[b.shape.length - 1] as number;
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [k2, n] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (k !== k2) return undefined;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchA = aBatch.reduce((x, y) => x * y, 1);
  const batchB = bBatch.reduce((x, y) => x * y, 1);
  const sameBatch = aBatch.length === bBatch.length && aBatch.every((d, i) => d === bBatch[i]);
  if (!sameBatch && batchA !== 1 && batchB !== 1) return undefined;
  const batch = Math.max(batchA, batchB);
  const outBatch = batchA >= batchB ? aBatch : bBatch;
  if (m * n * k === 0) return { values: new Float32Array(batch * m * n), shape: [...outBatch, m, n] };
  const values = uninitialized(batch * m * n);
  for (let i = 0; i < batch; i += 1) {
    addon.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      1,
      av,
      batchA === 1 ? 0 : i * m * k,
      aCols,
      bv,
      batchB === 1 ? 0 : i * k * n,
      bCols,
      0,
      values,
      i * m * n,
      n,
    );
  }
  return { values, shape: [...outBatch, m, n] };
};

const attr = (attrs: NamedAttrMap | undefined, name: string): unknown =>
  (attrs as Record<string, unknown> | undefined)?.[name];

/** `BatchMatMul` through BLAS, falling back to the given cpu kernel. */
export const batchMatMulConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: 'BatchMatMul',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const out = batchMatMul(
      addon,
      backend,
      a,
      b,
      attr(args.attrs, 'transposeA') === true,
      attr(args.attrs, 'transposeB') === true,
    );
    return out === undefined ? fallback(args) : backend.makeTensorInfo(out.shape, 'float32', out.values);
  },
});

/** `_FusedMatMul` (product, bias, activation in one pass over the output) through BLAS. */
export const fusedMatMulConfig = (addon: Addon, fallback: KernelFunc): KernelConfig => ({
  kernelName: '_FusedMatMul',
  backendName: 'native',
  kernelFunc: (args) => {
    const backend = args.backend as MathBackendCPU;
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const activation = String(attr(args.attrs, 'activation') ?? 'linear');
    const act = ACTIVATIONS[activation];
    if (a === undefined || b === undefined || preluActivationWeights !== undefined || act === undefined)
      return fallback(args);
    const out = batchMatMul(
      addon,
      backend,
      a,
      b,
      attr(args.attrs, 'transposeA') === true,
      attr(args.attrs, 'transposeB') === true,
    );
    if (out === undefined) return fallback(args);
    const n = out.shape[out.shape.length - 1] as number;
    const bv = bias === undefined ? undefined : floats(backend, bias);
    if (bias !== undefined && (bv === undefined || (bv.length !== n && bv.length !== 1)))
      return fallback(args);
    const v = out.values;
    // Identity and relu with a bias of n values (or none): one native pass (the unfused ops' values, bit for bit).
    const code = epilogueCode(activation);
    if (code !== undefined && (bv === undefined || bv.length === n)) {
      biasActivationInPlace(addon, v, n, bv ?? null, code);
      return backend.makeTensorInfo(out.shape, 'float32', v);
    }
    for (let i = 0; i < v.length; i += 1) {
      let x = v[i] as number;
      if (bv !== undefined) x += bv.length === 1 ? (bv[0] as number) : (bv[i % n] as number);
      v[i] = act === null ? x : act(x);
    }
    return backend.makeTensorInfo(out.shape, 'float32', v);
  },
});

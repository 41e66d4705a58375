import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUSED_KERNELS, fusedKernel, fusedKernelRegistered, fusedOp, runFused } from '../src/index.js';

// A kernel defined here only: registered on `cpu` under a name no other test uses, returning 10·x + bias so
// that a call can tell the kernel from the fallback (which returns x·factor + bias).
const KERNEL = fusedKernel<'x' | 'bias', { factor: number }>({
  name: 'SparseVDTestScale',
  inputs: ['x'],
  optionalInputs: ['bias'],
  attrs: ['factor'],
  outputs: 2,
});
const OP = fusedOp(KERNEL, ({ x, bias }, { factor }) => {
  const y = tf.mul(x as tf.Tensor, factor);
  return [bias === undefined ? y : tf.add(y, bias), tf.scalar(0)];
});
const seen: { inputs: string[]; attrs: unknown }[] = [];

// The plain cpu backend is enough: nothing here is differentiated, and this package sits below
// @sparsevd/backend (whose native candidate depends on it).
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => tf.unregisterKernel(KERNEL.name, 'cpu'));

describe('runFused', () => {
  it('runs the composed fallback when the backend did not register the kernel', () => {
    expect(fusedKernelRegistered(KERNEL)).toBe(false);
    const [y, z] = runFused(OP, { x: tf.tensor1d([1, 2]) }, { factor: 3 });
    expect(Array.from((y as tf.Tensor).dataSync())).toEqual([3, 6]);
    expect((z as tf.Tensor).shape).toEqual([]);
  });

  it('runs the registered kernel, with absent optional inputs left out, and returns every output', () => {
    tf.registerKernel({
      kernelName: KERNEL.name,
      backendName: 'cpu',
      kernelFunc: ({ inputs, attrs, backend }) => {
        seen.push({ inputs: Object.keys(inputs), attrs });
        const b = backend as tf.KernelBackend & {
          makeTensorInfo: (s: number[], d: string, v: Float32Array) => tf.TensorInfo;
          readSync: (id: tf.DataId) => Float32Array;
        };
        const x = inputs.x as tf.TensorInfo;
        const xv = b.readSync(x.dataId) as Float32Array;
        const bias = inputs.bias as tf.TensorInfo | undefined;
        const bv = bias === undefined ? undefined : (b.readSync(bias.dataId) as Float32Array);
        const out = xv.map((v, i) => 10 * v + (bv?.[i] ?? 0));
        return [
          b.makeTensorInfo([...x.shape], 'float32', out),
          b.makeTensorInfo([], 'float32', Float32Array.of(1)),
        ];
      },
    });
    expect(fusedKernelRegistered(KERNEL)).toBe(true);
    const [y, z] = runFused(OP, { x: tf.tensor1d([1, 2]), bias: undefined }, { factor: 3 });
    expect(Array.from((y as tf.Tensor).dataSync())).toEqual([10, 20]);
    expect(Array.from((z as tf.Tensor).dataSync())).toEqual([1]);
    expect(seen.at(-1)).toEqual({ inputs: ['x'], attrs: { factor: 3 } });
    const [y2] = runFused(OP, { x: tf.tensor1d([1, 2]), bias: tf.tensor1d([5, 6]) }, { factor: 3 });
    expect(Array.from((y2 as tf.Tensor).dataSync())).toEqual([15, 26]);
  });

  it('composes when the caller turns fused kernels off, registered or not', () => {
    expect(fusedKernelRegistered(KERNEL, { fused: false })).toBe(false);
    const calls = seen.length;
    const [y] = runFused(OP, { x: tf.tensor1d([1, 2]) }, { factor: 3 }, { fused: false });
    expect(Array.from((y as tf.Tensor).dataSync())).toEqual([3, 6]);
    expect(seen.length).toBe(calls);
  });
});

describe('FUSED_KERNELS', () => {
  it('gives every kernel a distinct name and names its inputs and attributes once', () => {
    const kernels = Object.values(FUSED_KERNELS);
    expect(new Set(kernels.map((k) => k.name)).size).toBe(kernels.length);
    for (const k of kernels) {
      const names = [...k.inputs, ...k.optionalInputs, ...k.attrs];
      expect(new Set(names).size).toBe(names.length);
      expect(k.outputs).toBeGreaterThan(0);
    }
  });
});

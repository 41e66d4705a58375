import { FUSED_KERNELS } from '@sparsevd/kernels';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { backend_util } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { Addon } from './addon.js';
import { markEscaped, release, stored } from './kernels/buffer-pool.js';
import {
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  conv2dConfig,
  fusedConv2dConfig,
} from './kernels/conv2d.js';
import { ELEMENTWISE_KERNELS, elementwiseConfigs } from './kernels/elementwise.js';
import { fusedConfigs, fusedGradients } from './kernels/fused.js';
import { batchMatMulConfig, fusedMatMulConfig } from './kernels/mat-mul.js';
import { maxPoolConfig, maxPoolGradConfig } from './kernels/max-pool.js';
import { forgetPatches } from './kernels/patch-cache.js';
import { softmaxCrossEntropyConfigs, softmaxCrossEntropyGradient } from './kernels/softmax-cross-entropy.js';

/** The tfjs backend name. */
export const BACKEND_NAME = 'native';

/** The kernels this package implements natively (replaced or added); every other kernel is tfjs-backend-cpu's. */
export const NATIVE_KERNELS: ReadonlyArray<string> = [
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'MaxPool',
  'MaxPoolGrad',
  ...ELEMENTWISE_KERNELS,
  ...Object.values(FUSED_KERNELS).map((kernel) => kernel.name),
];

/**
 * A cpu backend whose tensors live in JavaScript typed arrays, so the addon reads and writes them in place,
 * with the matrix and convolution kernels replaced by OpenBLAS GEMMs.
 */
class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // No "install tfjs-node" banner: choosing this backend was deliberate.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  // Every tensor's data passes through write or move: note which pooled arrays it holds or views.
  override write(values: backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    stored(values);
    return super.write(values, shape, dtype);
  }

  override move(
    dataId: tf.DataId,
    values: backend_util.BackendValues,
    shape: number[],
    dtype: tf.DataType,
    refCount: number,
  ): void {
    stored(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  // Values read out of the backend are the user's from then on: never reused (see kernels/buffer-pool.ts).
  override readSync(dataId: tf.DataId): backend_util.BackendValues {
    const values = super.readSync(dataId);
    markEscaped(values);
    return values;
  }

  override read(dataId: tf.DataId): Promise<backend_util.BackendValues> {
    markEscaped(this.data.get(dataId)?.values);
    return super.read(dataId);
  }

  // When a tensor's data is really released (its last reference), its array goes back to the pool.
  override disposeData(dataId: tf.DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (released && !this.data.has(dataId)) {
      release(values);
      forgetPatches(dataId);
    }
    return released;
  }
}

/**
 * Registers the `native` tfjs backend (idempotent): tfjs-backend-cpu's kernels, with the matrix products,
 * convolutions and their gradients overridden by BLAS-backed ones, max pooling and the element-wise kernels of
 * a SparseVD step by the addon's, and the fused SparseVD kernels (with their gradients) added.
 */
export const registerNativeBackend = (addon: Addon): void => {
  if (tf.findBackendFactory(BACKEND_NAME) != null) return;
  tf.registerBackend(BACKEND_NAME, () => new NativeBackend(), 1);
  if (tf.getKernelsForBackend(BACKEND_NAME).length === 0) tf.copyRegisteredKernels('cpu', BACKEND_NAME);
  const cpu = (name: string) => {
    const kernel = tf.getKernel(name, 'cpu');
    if (kernel === undefined)
      throw new Error(`@sparsevd/backend-native: tfjs-backend-cpu has no ${name} kernel`);
    return kernel.kernelFunc;
  };
  const overrides = [
    batchMatMulConfig(addon, cpu('BatchMatMul')),
    fusedMatMulConfig(addon, cpu('_FusedMatMul')),
    conv2dConfig(addon, cpu('Conv2D')),
    fusedConv2dConfig(addon, cpu('FusedConv2D')),
    conv2dBackpropInputConfig(addon, cpu('Conv2DBackpropInput')),
    conv2dBackpropFilterConfig(addon, cpu('Conv2DBackpropFilter')),
    maxPoolConfig(addon, cpu('MaxPool')),
    maxPoolGradConfig(addon, cpu('MaxPoolGrad')),
    ...elementwiseConfigs(addon, cpu),
  ];
  for (const config of overrides) {
    tf.unregisterKernel(config.kernelName, BACKEND_NAME);
    tf.registerKernel(config);
  }
  for (const config of [...fusedConfigs(addon), ...softmaxCrossEntropyConfigs]) {
    if (tf.getKernel(config.kernelName, BACKEND_NAME) === undefined) tf.registerKernel(config);
  }
  for (const config of [...fusedGradients, softmaxCrossEntropyGradient]) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
};

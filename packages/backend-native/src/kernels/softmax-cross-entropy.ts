import { FUSED_KERNELS } from '@sparsevd/kernels';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { GradConfig, KernelConfig, NamedTensorMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { floats } from './tensor-data.js';

const NAME = FUSED_KERNELS.softmaxCrossEntropy.name;
const GRAD = 'SparseVDSoftmaxCrossEntropyGrad';

/** The float32 `[batch, classes]` arrays of labels and logits, or an error naming the kernel and the input. */
const operands = (backend: MathBackendCPU, kernel: string, inputs: NamedTensorMap) => {
  const { labels, logits } = inputs as { labels?: TensorInfo; logits?: TensorInfo };
  const lv = labels === undefined ? undefined : floats(backend, labels);
  const xv = logits === undefined ? undefined : floats(backend, logits);
  if (lv === undefined || xv === undefined || logits === undefined || labels === undefined)
    throw new TypeError(`${kernel}: inputs labels and logits must be float32 tensors`);
  if (logits.shape.length !== 2 || labels.shape.join() !== logits.shape.join())
    throw new RangeError(
      `${kernel}: labels and logits must both be [batch, classes], got [${labels.shape}] and [${logits.shape}]`,
    );
  return { lv, xv, batch: logits.shape[0] as number, classes: logits.shape[1] as number };
};

/** Row r's log Σ exp(logits), from its maximum (in double precision). */
const logSumExp = (xv: Float32Array, r: number, classes: number): number => {
  let m = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c += 1) m = Math.max(m, xv[r * classes + c] as number);
  let s = 0;
  for (let c = 0; c < classes; c += 1) s += Math.exp((xv[r * classes + c] as number) - m);
  return m + Math.log(s);
};

/**
 * `tf.losses.softmaxCrossEntropy(labels, logits)` (default reduction: the mean over the batch) as one kernel,
 * and its gradient kernel: a training step's loss is a [100, 10] problem, where tfjs's composed op spends its
 * time dispatching about twenty kernels forward and as many backward. The gradients are tfjs's own formulas:
 * ∂/∂logits = dy/B · (softmax − labels) and ∂/∂labels = dy/B · (labels − softmax).
 */
export const softmaxCrossEntropyConfigs: KernelConfig[] = [
  {
    kernelName: NAME,
    backendName: 'native',
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as MathBackendCPU;
      const { lv, xv, batch, classes } = operands(b, NAME, inputs as NamedTensorMap);
      let total = 0;
      for (let r = 0; r < batch; r += 1) {
        const lse = logSumExp(xv, r, classes);
        for (let c = 0; c < classes; c += 1) {
          const k = r * classes + c;
          total += (lv[k] as number) * (lse - (xv[k] as number));
        }
      }
      return b.makeTensorInfo([], 'float32', Float32Array.of(batch > 0 ? total / batch : Number.NaN));
    },
  },
  {
    kernelName: GRAD,
    backendName: 'native',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as MathBackendCPU;
      const { lv, xv, batch, classes } = operands(b, GRAD, inputs as NamedTensorMap);
      const dy = floats(b, (inputs as { dy: TensorInfo }).dy)?.[0];
      if (dy === undefined) throw new TypeError(`${GRAD}: input dy must be a float32 scalar`);
      const sign = (attrs as { wrt?: unknown }).wrt === 'labels' ? -1 : 1;
      const scale = (sign * dy) / batch;
      const out = new Float32Array(batch * classes);
      for (let r = 0; r < batch; r += 1) {
        const lse = logSumExp(xv, r, classes);
        for (let c = 0; c < classes; c += 1) {
          const k = r * classes + c;
          out[k] = scale * (Math.exp((xv[k] as number) - lse) - (lv[k] as number));
        }
      }
      return b.makeTensorInfo([batch, classes], 'float32', out);
    },
  },
];

/** The gradient of the fused softmax cross-entropy (both inputs, as tfjs's composed op differentiates them). */
export const softmaxCrossEntropyGradient: GradConfig = {
  kernelName: NAME,
  inputsToSave: ['labels', 'logits'],
  gradFunc: (dy, saved) => {
    const [labels, logits] = saved as [tf.Tensor, tf.Tensor];
    const run = (wrt: string) =>
      tf.engine().runKernel(GRAD, { labels, logits, dy: dy as tf.Tensor }, { wrt }) as tf.Tensor;
    return { labels: () => run('labels'), logits: () => run('logits') };
  },
};

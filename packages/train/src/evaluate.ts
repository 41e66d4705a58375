import { type BatchOptions, batches, type Dataset } from '@sparsevd/datasets';
import type { Layer, Mode, Params } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';

/** Error rate and mean cross-entropy of a network on a dataset. */
export interface Evaluation {
  readonly error: number;
  readonly loss: number;
}

/**
 * Evaluates a network deterministically (`eval` mode by default: the pruned network) on a whole dataset,
 * in batches; leaks no tensors.
 */
export const evaluate = (
  network: Layer,
  params: Params,
  dataset: Dataset,
  batching: Pick<BatchOptions, 'layout' | 'normalize'>,
  options: { readonly batchSize?: number; readonly mode?: Mode } = {},
): Evaluation => {
  const { batchSize = 1000, mode = 'eval' } = options;
  // The sums stay on the backend; one read at the end (not one per batch, which stalls webgl).
  let sums = tf.zeros([2]);
  let count = 0;
  for (const { x, y, size } of batches(dataset, { ...batching, batchSize, shuffle: false })) {
    const next = tf.tidy(() => {
      const logits = network.apply(params, x, mode);
      const miss = tf.sum(tf.cast(tf.notEqual(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
      const ce = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM);
      return tf.add(sums, tf.stack([miss, ce]));
    });
    tf.dispose([x, y, sums]);
    sums = next;
    count += size;
  }
  const [wrong, lossSum] = sums.dataSync() as Float32Array;
  sums.dispose();
  return { error: (wrong as number) / count, loss: (lossSum as number) / count };
};

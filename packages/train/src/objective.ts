import { FUSED_KERNELS, type FusedOptions, fusedOp, runFused } from '@sparsevd/kernels';
import * as tf from '@tensorflow/tfjs-core';

/** The parts of the stochastic variational lower bound for one batch. */
export interface Objective {
  /** What the optimizer minimises: `N · mean CE + rw · KL` (the negative SGVLB). */
  readonly loss: tf.Scalar;
  /** Mean cross-entropy over the batch (the data term per example). */
  readonly dataTerm: tf.Scalar;
}

/**
 * The negative SGVLB of Molchanov et al. 2017 (eq. 3 with the data term estimated on a mini-batch):
 * `L = N · mean_batch CE(y, logits) + rw · Σ KL`, where N is the number of training examples — never the
 * batch size — and rw the KL weight of the warm-up schedule.
 *
 * @param logits - `[batch, classes]`.
 * @param labels - one-hot `[batch, classes]`.
 * @param kl - Σ KL over the network's weights (a scalar; zero for a dense network).
 * @param trainingSize - N.
 * @param klWeight - rw.
 * @param options - `fused: false` composes the cross-entropy from tfjs ops even where the backend has the kernel.
 */
export const sgvlb = (
  logits: tf.Tensor,
  labels: tf.Tensor,
  kl: tf.Scalar,
  trainingSize: number,
  klWeight: number,
  options: FusedOptions = {},
): Objective => {
  if (!Number.isInteger(trainingSize) || trainingSize <= 0) {
    throw new RangeError(
      `sgvlb: trainingSize must be a positive integer (the number of training examples), got ${trainingSize}`,
    );
  }
  return tf.tidy(() => {
    const dataTerm = crossEntropy(labels, logits, options);
    const loss = tf.add(tf.mul(dataTerm, trainingSize), tf.mul(kl, klWeight)) as tf.Scalar;
    return { loss, dataTerm };
  });
};

/** The fused `softmaxCrossEntropy` kernel and its composed fallback, tfjs's own loss. */
const SOFTMAX_CROSS_ENTROPY = fusedOp(FUSED_KERNELS.softmaxCrossEntropy, ({ labels, logits }) => [
  tf.losses.softmaxCrossEntropy(labels as tf.Tensor, logits as tf.Tensor),
]);

/**
 * Mean softmax cross-entropy over the batch: the fused kernel when the backend registered it (one kernel and
 * its gradient instead of about twenty small ones each way) for the `[batch, classes]` float32 case it
 * takes, else `tf.losses.softmaxCrossEntropy` — the same value and gradients.
 */
const crossEntropy = (labels: tf.Tensor, logits: tf.Tensor, options: FusedOptions): tf.Scalar => {
  const fusable =
    logits.rank === 2 &&
    logits.dtype === 'float32' &&
    labels.dtype === 'float32' &&
    labels.shape.join() === logits.shape.join();
  const [loss] = runFused(
    SOFTMAX_CROSS_ENTROPY,
    { labels, logits },
    {},
    fusable ? options : { fused: false },
  );
  return loss as tf.Scalar;
};

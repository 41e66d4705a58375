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
 */
export const sgvlb = (
  logits: tf.Tensor,
  labels: tf.Tensor,
  kl: tf.Scalar,
  trainingSize: number,
  klWeight: number,
): Objective => {
  if (!Number.isInteger(trainingSize) || trainingSize <= 0) {
    throw new RangeError(
      `sgvlb: trainingSize must be a positive integer (the number of training examples), got ${trainingSize}`,
    );
  }
  return tf.tidy(() => {
    const dataTerm = tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    const loss = tf.add(tf.mul(dataTerm, trainingSize), tf.mul(kl, klWeight)) as tf.Scalar;
    return { loss, dataTerm };
  });
};

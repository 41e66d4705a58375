import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link gradientVariance}. */
export interface GradientVarianceOptions {
  /** Number K of independent noise draws (≥ 2). */
  readonly draws: number;
  /** Draw k uses seed `seed + k`. */
  readonly seed: number;
}

/** Per-parameter moments of a stochastic gradient over K noise draws. */
export interface GradientMoments<K extends string> {
  /** Mean gradient, per parameter. */
  readonly mean: Readonly<Record<K, tf.Tensor>>;
  /** Unbiased variance (divided by K − 1) of the gradient, per parameter and element. */
  readonly variance: Readonly<Record<K, tf.Tensor>>;
}

/**
 * Measures the variance of a stochastic gradient estimator: the gradient of `loss` with respect to each
 * parameter, over K independent noise draws on the same batch (Molchanov et al. 2017, section 4.2: the
 * additive reparameterization's gradient with respect to θ stays low-variance where the multiplicative
 * one's grows with α). Works with any estimator: `loss` receives the parameters and a seed and draws its
 * noise from it (for example `lrtDense(x, params, { seed })`).
 *
 * Accumulates with Welford's update, so memory stays at three tensors per parameter whatever K.
 *
 * @param loss - the scalar loss of one noise draw.
 * @param params - the tensors to differentiate with respect to, by name.
 * @returns the mean and the unbiased variance of each gradient element; the caller disposes them.
 */
export const gradientVariance = <K extends string>(
  loss: (params: Readonly<Record<K, tf.Tensor>>, seed: number) => tf.Scalar,
  params: Readonly<Record<K, tf.Tensor>>,
  options: GradientVarianceOptions,
): GradientMoments<K> => {
  const { draws, seed } = options;
  if (!Number.isInteger(draws) || draws < 2) {
    throw new RangeError(`gradientVariance: options.draws must be an integer ≥ 2, got ${draws}`);
  }
  if (!Number.isFinite(seed))
    throw new RangeError(`gradientVariance: options.seed must be finite, got ${seed}`);
  const names = Object.keys(params) as K[];
  if (names.length === 0) throw new RangeError('gradientVariance: params is empty');
  const values = names.map((name) => params[name]);

  let mean = values.map((v) => tf.zerosLike(v));
  let m2 = values.map((v) => tf.zerosLike(v));
  for (let k = 0; k < draws; k += 1) {
    const next = tf.tidy(() => {
      const grads = tf.grads((...xs: tf.Tensor[]) => {
        const named = Object.fromEntries(names.map((name, i) => [name, xs[i]])) as Record<K, tf.Tensor>;
        return loss(named, seed + k);
      })(values);
      const newMean = grads.map((g, i) =>
        tf.add(mean[i] as tf.Tensor, tf.div(tf.sub(g, mean[i] as tf.Tensor), k + 1)),
      );
      const newM2 = grads.map((g, i) =>
        tf.add(
          m2[i] as tf.Tensor,
          tf.mul(tf.sub(g, mean[i] as tf.Tensor), tf.sub(g, newMean[i] as tf.Tensor)),
        ),
      );
      return { newMean, newM2 };
    });
    tf.dispose([...mean, ...m2]);
    mean = next.newMean;
    m2 = next.newM2;
  }
  const variance = m2.map((t) => {
    const v = tf.div(t, draws - 1);
    t.dispose();
    return v;
  });
  const byName = (ts: tf.Tensor[]) =>
    Object.fromEntries(names.map((name, i) => [name, ts[i]])) as Record<K, tf.Tensor>;
  return { mean: byName(mean), variance: byName(variance) };
};

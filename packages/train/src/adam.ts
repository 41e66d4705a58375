import { FUSED_KERNELS, fusedKernelAvailable } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';

/** Adam's hyperparameters (Kingma & Ba 2015); the defaults are PyTorch's and the paper's. */
export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** Adam's state: first and second moments per variable, and the number of steps taken. */
export interface AdamState {
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];
  /** Steps taken so far. */
  step: number;
}

/** Fresh Adam state for these variables (zero moments). */
export const adamState = (variables: ReadonlyArray<tf.Variable>): AdamState => ({
  m: variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false))),
  v: variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false))),
  step: 0,
});

/**
 * One Adam update of `variables` with `grads`, in PyTorch's formulation:
 * `m ← β1·m + (1 − β1)·g`, `v ← β2·v + (1 − β2)·g²`,
 * `x ← x − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)`.
 * The bias corrections are computed in float64 from the step count, so a run resumed from a checkpoint
 * (moments + step) continues bit for bit. On a backend that offers the fused `adam` kernel (`@sparsevd/kl`'s
 * `FUSED_KERNELS`) each variable is updated in one pass, with the same operations in the same order.
 */
export const adamUpdate = (
  state: AdamState,
  variables: ReadonlyArray<tf.Variable>,
  grads: ReadonlyArray<tf.Tensor>,
  lr: number,
  options: AdamOptions = {},
): void => {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = options;
  state.step += 1;
  const bc1 = 1 - beta1 ** state.step;
  const bc2 = 1 - beta2 ** state.step;
  const stepSize = lr / bc1;
  const invSqrtBc2 = 1 / Math.sqrt(bc2);
  const fused = fusedKernelAvailable(FUSED_KERNELS.adam);
  tf.tidy(() => {
    variables.forEach((x, i) => {
      const g = grads[i] as tf.Tensor;
      const m = state.m[i] as tf.Variable;
      const v = state.v[i] as tf.Variable;
      if (fused) {
        const [x1, m1, v1] = tf
          .engine()
          .runKernel(
            FUSED_KERNELS.adam,
            { x, m, v, g },
            { beta1, beta2, epsilon, stepSize, invSqrtBc2 },
          ) as tf.Tensor[];
        m.assign(m1 as tf.Tensor);
        v.assign(v1 as tf.Tensor);
        x.assign(x1 as tf.Tensor);
        return;
      }
      const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
      const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
      const denom = tf.add(tf.mul(tf.sqrt(v1), invSqrtBc2), epsilon);
      m.assign(m1);
      v.assign(v1);
      x.assign(tf.sub(x, tf.mul(tf.div(m1, denom), stepSize)));
    });
  });
};

export const disposeAdam = (state: AdamState): void => {
  tf.dispose([...state.m, ...state.v]);
};

import { FUSED_KERNELS, type FusedOptions, fusedOp, runFused } from '@sparsevd/kernels';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Adam's hyperparameters (Kingma & Ba 2015; the defaults are PyTorch's and the paper's), and whether the
 * update may run as the fused `adam` kernel.
 */
export interface AdamOptions extends FusedOptions {
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

/** The fused `adam` kernel and its composed fallback: the same operations in the same order. */
const ADAM = fusedOp(FUSED_KERNELS.adam, ({ x, m, v, g }, a) => {
  const m1 = tf.add(tf.mul(m as tf.Tensor, a.beta1), tf.mul(g as tf.Tensor, 1 - a.beta1));
  const v1 = tf.add(tf.mul(v as tf.Tensor, a.beta2), tf.mul(tf.square(g as tf.Tensor), 1 - a.beta2));
  const denom = tf.add(tf.mul(tf.sqrt(v1), a.invSqrtBc2), a.epsilon);
  return [tf.sub(x as tf.Tensor, tf.mul(tf.div(m1, denom), a.stepSize)), m1, v1];
});

/**
 * One Adam update of `variables` with `grads`, in PyTorch's formulation:
 * `m ← β1·m + (1 − β1)·g`, `v ← β2·v + (1 − β2)·g²`,
 * `x ← x − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)`.
 * The bias corrections are computed in float64 from the step count, so a run resumed from a checkpoint
 * (moments + step) continues bit for bit. On a backend that registered the fused `adam` kernel (and
 * `options.fused` not `false`) each variable is updated in one pass, with the same operations in the same order.
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
  const attrs = { beta1, beta2, epsilon, stepSize, invSqrtBc2 };
  tf.tidy(() => {
    variables.forEach((x, i) => {
      const m = state.m[i] as tf.Variable;
      const v = state.v[i] as tf.Variable;
      const [x1, m1, v1] = runFused(ADAM, { x, m, v, g: grads[i] }, attrs, options);
      m.assign(m1 as tf.Tensor);
      v.assign(v1 as tf.Tensor);
      x.assign(x1 as tf.Tensor);
    });
  });
};

/** Adam's state as a checkpoint stores it: the step count and the moments by variable name. */
export interface StoredAdam {
  readonly step: number;
  readonly m: Readonly<
    Record<string, { readonly shape: ReadonlyArray<number>; readonly values: Float32Array }>
  >;
  readonly v: Readonly<
    Record<string, { readonly shape: ReadonlyArray<number>; readonly values: Float32Array }>
  >;
}

/**
 * Restores Adam's state from a checkpoint: the step count and the moments of the variables named `names` (in
 * the state's order); a variable the checkpoint has no moments for keeps zeros.
 */
export const restoreAdam = (state: AdamState, names: ReadonlyArray<string>, stored: StoredAdam): void => {
  state.step = stored.step;
  names.forEach((name, i) => {
    const m = stored.m[name];
    const v = stored.v[name];
    if (m !== undefined && v !== undefined) {
      tf.tidy(() => {
        (state.m[i] as tf.Variable).assign(tf.tensor(m.values, m.shape as number[]));
        (state.v[i] as tf.Variable).assign(tf.tensor(v.values, v.shape as number[]));
      });
    }
  });
};

/** Disposes Adam's moments. */
export const disposeAdam = (state: AdamState): void => {
  tf.dispose([...state.m, ...state.v]);
};

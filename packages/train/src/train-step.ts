import type { FusedOptions } from '@sparsevd/kernels';
import type { KlOptions, Params, Sequential } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { type AdamState, adamUpdate } from './adam.js';
import { sgvlb } from './objective.js';
import { type TrainError, trainError } from './train-error.js';

/** What every step of a phase shares: the network, its trainable variables, the objective's settings. */
export interface StepContext {
  readonly network: Sequential;
  readonly params: Params;
  /** The trainable variables, in Adam's order. */
  readonly vars: ReadonlyArray<tf.Variable>;
  /** The weights under the L2 penalty (empty without one). */
  readonly l2Weights: ReadonlyArray<tf.Variable>;
  /** The L2 coefficient (0: none). */
  readonly l2: number;
  /** N, the number of training examples. */
  readonly trainingSize: number;
  /** Whether the objective has the KL term (SparseVD) or not (dense). */
  readonly sparse: boolean;
  /** Whether the step may use the backend's fused kernels. */
  readonly fused: FusedOptions;
  /** The network's `kl` options: the run's KL and the fused-kernel choice. */
  readonly klOptions: KlOptions;
  readonly adam: AdamState;
}

/** One step's inputs: the batch, its noise seed, the learning rate and KL weight at this point. */
export interface StepInput {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  readonly seed: number;
  readonly lr: number;
  readonly klWeight: number;
  /** For the error message: where the step is (1-based). */
  readonly where: { readonly epoch: number; readonly step: number };
}

/** What one step measured: the batch's data term and KL, and the loss per example they make. */
export interface StepResult {
  readonly loss: number;
  readonly dataTerm: number;
  readonly kl: number;
}

/**
 * One optimisation step: the negative SGVLB (plus L2) and its gradients, one synchronous read of the data
 * term and the KL (for progress and the non-finite check), then Adam. The batch tensors are the caller's.
 * A non-finite loss is an error naming the step; the parameters are then left as they were.
 */
export const trainStep = (ctx: StepContext, input: StepInput): E.Either<TrainError, StepResult> => {
  const { network, params, vars, fused, klOptions, trainingSize: n } = ctx;
  let parts: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const logits = network.apply(params, input.x, 'train', { seed: input.seed }, fused);
    const kl = ctx.sparse ? network.kl(params, klOptions) : tf.scalar(0);
    const { loss, dataTerm } = sgvlb(logits, input.y, kl, n, input.klWeight, fused);
    const l2 =
      ctx.l2 > 0
        ? tf.mul(tf.addN(ctx.l2Weights.map((k) => tf.sum(tf.square(k)))), (ctx.l2 / 2) * n)
        : tf.scalar(0);
    parts = tf.keep(tf.stack([dataTerm, kl]));
    return tf.add(loss, l2) as tf.Scalar;
  }, vars as tf.Variable[]);
  const [dataTerm, kl] = Array.from((parts as tf.Tensor).dataSync()) as [number, number];
  const loss = dataTerm + (input.klWeight * kl) / n;
  tf.dispose([value, parts as tf.Tensor]);
  if (!Number.isFinite(loss)) {
    tf.dispose(Object.values(grads));
    return E.left(
      trainError(
        'NonFinite',
        `non-finite loss (${loss}) at epoch ${input.where.epoch}, step ${input.where.step}; the last good checkpoint is kept`,
      ),
    );
  }
  adamUpdate(
    ctx.adam,
    vars,
    vars.map((v) => grads[v.name] as tf.Tensor),
    input.lr,
    fused,
  );
  tf.dispose(Object.values(grads));
  return E.right({ loss, dataTerm, kl });
};

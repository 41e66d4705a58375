import { type AdditiveParams, lrtDense, type Noise } from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';
import type { Shape } from '@tensorflow/tfjs-layers';
import { showShape } from '../internal/shape.js';
import type { SparseVDLayerArgs } from './common.js';
import { SparseVDBase } from './sparse-vd-base.js';

/** Options of {@link SparseVDDense}. */
export interface SparseVDDenseArgs extends SparseVDLayerArgs {
  /** Number of output units. */
  readonly units: number;
}

/**
 * A SparseVD fully connected layer for `@tensorflow/tfjs-layers` models (`tf.sequential`, `tf.model`,
 * `model.fit`): weights w ~ N(θ, σ²) with per-weight dropout rates α = σ²/θ² (Molchanov et al. 2017).
 *
 * - Training (`training: true`, as `model.fit` calls it): pre-activations sampled with the local
 *   reparameterization trick and the additive parameterization.
 * - Otherwise: deterministic, θ masked where log α ≥ `threshold` (the pruned network).
 * - The KL term is added with `addLoss` as Σ KL / N (N = `trainingSize`), because `model.fit` averages the
 *   data loss per example: the total is the variational lower bound divided by N.
 *
 * Weights, in order: `theta` `[in, units]`, `log_sigma2` `[in, units]`, `bias` `[units]`. Serialisable
 * (`getConfig`, registered with `tf.serialization`), so models save and load with it.
 */
export class SparseVDDense extends SparseVDBase {
  /** The name tfjs serialisation knows this class by. */
  static className = 'SparseVDDense';
  private readonly units: number;

  constructor(args: SparseVDDenseArgs) {
    super('SparseVDDense', args);
    if (!Number.isInteger(args.units) || args.units <= 0) {
      throw new RangeError(`SparseVDDense: units must be a positive integer, got ${args.units}`);
    }
    this.units = args.units;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const inputDim = shape[shape.length - 1];
    if (shape.length !== 2 || typeof inputDim !== 'number') {
      throw new RangeError(
        `SparseVDDense '${this.name}': expects inputs [batch, features], got ${showShape(shape)}`,
      );
    }
    this.buildWeights([inputDim, this.units], this.units);
  }

  protected sample(x: tf.Tensor, params: AdditiveParams, noise: Noise): tf.Tensor {
    return lrtDense(x, params, noise);
  }

  protected deterministic(x: tf.Tensor, theta: tf.Tensor): tf.Tensor {
    return tf.matMul(x as tf.Tensor2D, theta as tf.Tensor2D);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.sparseConfig(), units: this.units };
  }
}

tf.serialization.registerClass(SparseVDDense);

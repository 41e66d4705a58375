import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';
import { logAlpha, lrtDense } from '@sparsevd/estimators';
import { klSum } from '@sparsevd/kl';
import { activationFn } from './activation.js';
import { checkArgs, maskTheta, oneInput, type SparseVDLayerArgs, trainingNoise } from './common.js';

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
export class SparseVDDense extends tfl.layers.Layer {
  /** The name tfjs serialisation knows this class by. */
  static className = 'SparseVDDense';
  private readonly units: number;
  private readonly args: SparseVDDenseArgs;
  private readonly activationFn: (x: tf.Tensor) => tf.Tensor;
  private theta: LayerVariable | undefined;
  private logSigma2: LayerVariable | undefined;
  private bias: LayerVariable | undefined;
  private step = 0;

  constructor(args: SparseVDDenseArgs) {
    super(args as LayerArgs);
    checkArgs('SparseVDDense', args);
    if (!Number.isInteger(args.units) || args.units <= 0) {
      throw new RangeError(`SparseVDDense: units must be a positive integer, got ${args.units}`);
    }
    this.units = args.units;
    this.args = args;
    this.activationFn = activationFn('SparseVDDense', args.activation);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const inputDim = shape[shape.length - 1];
    if (shape.length !== 2 || typeof inputDim !== 'number') {
      throw new RangeError(
        `SparseVDDense '${this.name}': expects inputs [batch, features], got [${shape.join(', ')}]`,
      );
    }
    const seed = this.args.seed;
    this.theta = this.addWeight(
      'theta',
      [inputDim, this.units],
      'float32',
      tfl.initializers.glorotUniform(seed === undefined ? {} : { seed }),
    );
    this.logSigma2 = this.addWeight(
      'log_sigma2',
      [inputDim, this.units],
      'float32',
      tfl.initializers.constant({ value: this.args.logSigma2Init ?? -10 }),
    );
    if (this.args.useBias ?? true)
      this.bias = this.addWeight('bias', [this.units], 'float32', tfl.initializers.zeros());
    const n = this.args.trainingSize;
    this.addLoss(() => tf.tidy(() => tf.div(klSum([this.logAlpha()]), n)));
    this.built = true;
  }

  /** log α of the weights (clipped to [−8, 8]). */
  logAlpha(): tf.Tensor {
    if (this.theta === undefined || this.logSigma2 === undefined)
      throw new Error(`SparseVDDense '${this.name}': not built yet`);
    return logAlpha(this.theta.read(), this.logSigma2.read());
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = oneInput('SparseVDDense', inputs);
      const theta = (this.theta as LayerVariable).read();
      const bias = this.bias?.read();
      if (kwargs.training === true) {
        const noise = trainingNoise(this.args.seed, this.step);
        this.step += 1;
        const params = {
          kind: 'additive' as const,
          theta,
          logSigma2: (this.logSigma2 as LayerVariable).read(),
        };
        return this.activationFn(lrtDense(x, bias === undefined ? params : { ...params, bias }, noise));
      }
      const mean = tf.matMul(
        x as tf.Tensor2D,
        maskTheta(theta, this.logAlpha(), this.args.threshold ?? 3) as tf.Tensor2D,
      );
      return this.activationFn(bias === undefined ? mean : tf.add(mean, bias));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { units, trainingSize, threshold, logSigma2Init, useBias, activation, seed } = this.args;
    return {
      ...super.getConfig(),
      units,
      trainingSize,
      threshold: threshold ?? 3,
      logSigma2Init: logSigma2Init ?? -10,
      useBias: useBias ?? true,
      activation: activation ?? 'linear',
      ...(seed === undefined ? {} : { seed }),
    };
  }
}

tf.serialization.registerClass(SparseVDDense);

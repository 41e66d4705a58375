import { type AdditiveParams, keepMask, klOfWeights, logAlpha, type Noise } from '@sparsevd/estimators';
import { KL_APPROXIMATIONS } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { maskedTheta } from '../internal/sparse-common.js';
import { activationFn } from './activation.js';
import { checkArgs, oneInput, type SparseVDLayerArgs, trainingNoise } from './common.js';

/** tfjs-layers' own layer arguments (name, trainable, input shape, dtype), from its public class. */
type LayerArgs = ConstructorParameters<typeof tfl.layers.Layer>[0];

/**
 * What SparseVDDense and SparseVDConv2D share: the weights θ, log σ² and bias; the KL term added with
 * `addLoss` as rw · Σ KL / N (rw, the KL weight, 1 unless a {@link KlWarmup} callback sets it); noise only when
 * training (with θ masked there too under `trainClip`); θ masked where log α ≥ threshold otherwise.
 */
export abstract class SparseVDBase extends tfl.layers.Layer {
  protected readonly sparseArgs: SparseVDLayerArgs;
  private readonly activate: (x: tf.Tensor) => tf.Tensor;
  private theta: LayerVariable | undefined;
  private logSigma2: LayerVariable | undefined;
  private bias: LayerVariable | undefined;
  private step = 0;
  /** rw: a scalar outside the layer's weights (not trained, not saved), set by the KL warm-up callback. */
  private readonly klScale: tf.Variable = tf.variable(tf.scalar(1), false);

  protected constructor(
    private readonly label: string,
    args: SparseVDLayerArgs,
  ) {
    super(args as LayerArgs);
    checkArgs(label, args);
    this.sparseArgs = args;
    this.activate = activationFn(label, args.activation);
  }

  /** Creates θ (Glorot-uniform), log σ² (constant) and the bias, and registers the KL term. */
  protected buildWeights(thetaShape: number[], units: number): void {
    const { seed, logSigma2Init = -10, useBias = true } = this.sparseArgs;
    const glorot = tfl.initializers.glorotUniform(seed === undefined ? {} : { seed });
    this.theta = this.addWeight('theta', thetaShape, 'float32', glorot);
    this.logSigma2 = this.addWeight(
      'log_sigma2',
      thetaShape,
      'float32',
      tfl.initializers.constant({ value: logSigma2Init }),
    );
    if (useBias) this.bias = this.addWeight('bias', [units], 'float32', tfl.initializers.zeros());
    this.addLoss(() => tf.tidy(() => tf.mul(this.klPerExample(), this.klScale)));
    this.built = true;
  }

  /** Sets rw, the weight of this layer's KL term in the loss (the KL warm-up); ≥ 0, finite. */
  setKlWeight(weight: number): void {
    if (!(weight >= 0) || !Number.isFinite(weight))
      throw new RangeError(
        `${this.label} '${this.name}': the KL weight must be finite and ≥ 0, got ${weight}`,
      );
    tf.tidy(() => this.klScale.assign(tf.scalar(weight)));
  }

  /** Σ KL of the layer's weights divided by N, without the KL weight (a metric: the KL per example). */
  klPerExample(): tf.Scalar {
    return tf.tidy(() =>
      tf.div(
        klOfWeights((this.theta as LayerVariable).read(), (this.logSigma2 as LayerVariable).read(), {
          approximation: KL_APPROXIMATIONS[this.sparseArgs.kl ?? 'molchanov'],
        }),
        this.sparseArgs.trainingSize,
      ),
    ) as tf.Scalar;
  }

  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0 && !this.klScale.isDisposed) this.klScale.dispose();
    return result;
  }

  /** log α of the weights (clipped to [−8, 8]). */
  logAlpha(): tf.Tensor {
    if (this.theta === undefined || this.logSigma2 === undefined)
      throw new Error(`${this.label} '${this.name}': not built yet`);
    return logAlpha(this.theta.read(), this.logSigma2.read());
  }

  private threshold(): number {
    return this.sparseArgs.threshold ?? 3;
  }

  /** The local reparameterization sample of the pre-activations. */
  protected abstract sample(x: tf.Tensor, params: AdditiveParams, noise: Noise): tf.Tensor;

  /** The deterministic pre-activations (no bias) with the given weights. */
  protected abstract deterministic(x: tf.Tensor, theta: tf.Tensor): tf.Tensor;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = oneInput(this.label, inputs);
      const theta = (this.theta as LayerVariable).read();
      const bias = this.bias?.read();
      if (kwargs.training === true) {
        const noise = trainingNoise(this.sparseArgs.seed, this.step);
        this.step += 1;
        const logSigma2 = (this.logSigma2 as LayerVariable).read();
        const params: AdditiveParams = {
          kind: 'additive',
          theta:
            this.sparseArgs.trainClip === true ? maskedTheta({ theta, logSigma2 }, this.threshold()) : theta,
          logSigma2,
        };
        return this.activate(this.sample(x, bias === undefined ? params : { ...params, bias }, noise));
      }
      const logSigma2 = (this.logSigma2 as LayerVariable).read();
      const [kept] = keepMask(theta, logSigma2, { threshold: this.threshold() });
      const mean = this.deterministic(x, kept as tf.Tensor);
      return this.activate(bias === undefined ? mean : tf.add(mean, bias));
    });
  }

  /** The shared part of `getConfig`. */
  protected sparseConfig(): tf.serialization.ConfigDict {
    const {
      trainingSize,
      threshold = 3,
      logSigma2Init = -10,
      trainClip = false,
      kl = 'molchanov',
      useBias = true,
      activation = 'linear',
      seed,
    } = this.sparseArgs;
    return {
      ...super.getConfig(),
      trainingSize,
      threshold,
      logSigma2Init,
      trainClip,
      kl,
      useBias,
      activation,
      ...(seed === undefined ? {} : { seed }),
    };
  }
}

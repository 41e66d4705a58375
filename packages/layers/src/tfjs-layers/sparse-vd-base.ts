import { type AdditiveParams, keepMask, klOfWeights, logAlpha, type Noise } from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { activationFn } from './activation.js';
import { checkArgs, oneInput, type SparseVDLayerArgs, trainingNoise } from './common.js';

/**
 * What SparseVDDense and SparseVDConv2D share: the weights θ, log σ² and bias; the KL term added with
 * `addLoss` as Σ KL / N; noise only when training; θ masked where log α ≥ threshold otherwise.
 */
export abstract class SparseVDBase extends tfl.layers.Layer {
  protected readonly sparseArgs: SparseVDLayerArgs;
  private readonly activate: (x: tf.Tensor) => tf.Tensor;
  private theta: LayerVariable | undefined;
  private logSigma2: LayerVariable | undefined;
  private bias: LayerVariable | undefined;
  private step = 0;

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
    const { seed, logSigma2Init = -10, useBias = true, trainingSize } = this.sparseArgs;
    const glorot = tfl.initializers.glorotUniform(seed === undefined ? {} : { seed });
    this.theta = this.addWeight('theta', thetaShape, 'float32', glorot);
    this.logSigma2 = this.addWeight(
      'log_sigma2',
      thetaShape,
      'float32',
      tfl.initializers.constant({ value: logSigma2Init }),
    );
    if (useBias) this.bias = this.addWeight('bias', [units], 'float32', tfl.initializers.zeros());
    this.addLoss(() =>
      tf.tidy(() =>
        tf.div(
          klOfWeights((this.theta as LayerVariable).read(), (this.logSigma2 as LayerVariable).read()),
          trainingSize,
        ),
      ),
    );
    this.built = true;
  }

  /** log α of the weights (clipped to [−8, 8]). */
  logAlpha(): tf.Tensor {
    if (this.theta === undefined || this.logSigma2 === undefined)
      throw new Error(`${this.label} '${this.name}': not built yet`);
    return logAlpha(this.theta.read(), this.logSigma2.read());
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
        const params: AdditiveParams = {
          kind: 'additive',
          theta,
          logSigma2: (this.logSigma2 as LayerVariable).read(),
        };
        return this.activate(this.sample(x, bias === undefined ? params : { ...params, bias }, noise));
      }
      const logSigma2 = (this.logSigma2 as LayerVariable).read();
      const [kept] = keepMask(theta, logSigma2, { threshold: this.sparseArgs.threshold ?? 3 });
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
      useBias = true,
      activation = 'linear',
      seed,
    } = this.sparseArgs;
    return {
      ...super.getConfig(),
      trainingSize,
      threshold,
      logSigma2Init,
      useBias,
      activation,
      ...(seed === undefined ? {} : { seed }),
    };
  }
}

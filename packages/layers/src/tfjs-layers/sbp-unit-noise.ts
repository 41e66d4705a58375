import { SBP, sampleUnitNoise, unitNoiseKl, unitNoiseMask, unitNoiseMean } from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable, Shape } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { showShape } from '../internal/shape.js';
import { oneInput, trainingNoise } from './common.js';

/** tfjs-layers' own layer arguments (name, trainable, input shape, dtype), from its public class. */
type LayerArgs = ConstructorParameters<typeof tfl.layers.Layer>[0];

/** Options of {@link SBPUnitNoise}. */
export interface SBPUnitNoiseArgs {
  /** N, the number of training examples: the KL enters the mean loss of `model.fit` as Σ KL / N. */
  readonly trainingSize: number;
  /** Keep a unit while its SNR exceeds this when not training; default 1 (the paper's). */
  readonly snrThreshold?: number;
  /** Seed of the training noise (step k uses seed + k); random when absent. */
  readonly seed?: number;
  readonly name?: string;
  readonly trainable?: boolean;
  readonly inputShape?: number[];
  readonly batchInputShape?: (number | null)[];
  readonly dtype?: 'float32';
}

/**
 * Structured Bayesian Pruning's unit noise (Neklyudov et al. 2017) for `@tensorflow/tfjs-layers` models: each
 * unit of the last axis is multiplied by a truncated log-normal θ — a sample when training, E θ where the unit's
 * SNR exceeds `snrThreshold` (else 0) otherwise — and Σ KL / N is added with `addLoss` (times the KL weight a
 * {@link KlWarmup} callback sets). Weights, in order: `mu`, `log_sigma` `[units]` (from 0 and −5, the authors').
 * `fromLayersModel` reads it as `unitNoise`, `toLayersModel` writes `unitNoise` as it.
 */
export class SBPUnitNoise extends tfl.layers.Layer {
  /** The name tfjs serialisation knows this class by. */
  static className = 'SBPUnitNoise';
  private readonly args: SBPUnitNoiseArgs;
  private mu: LayerVariable | undefined;
  private logSigma: LayerVariable | undefined;
  private step = 0;
  private readonly klScale: tf.Variable = tf.variable(tf.scalar(1), false);

  constructor(args: SBPUnitNoiseArgs) {
    super(args as LayerArgs);
    if (!Number.isInteger(args.trainingSize) || args.trainingSize <= 0)
      throw new RangeError(
        `SBPUnitNoise: trainingSize (N, the number of training examples) must be a positive integer, got ${args.trainingSize}`,
      );
    if (args.snrThreshold !== undefined && !(Number.isFinite(args.snrThreshold) && args.snrThreshold >= 0))
      throw new RangeError(
        `SBPUnitNoise: snrThreshold must be a finite number ≥ 0, got ${args.snrThreshold}`,
      );
    this.args = args;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const units = shape[shape.length - 1];
    if (shape.length < 2 || typeof units !== 'number')
      throw new RangeError(`SBPUnitNoise '${this.name}': needs a defined last axis, got ${showShape(shape)}`);
    this.mu = this.addWeight('mu', [units], 'float32', tfl.initializers.constant({ value: SBP.muInit }));
    this.logSigma = this.addWeight(
      'log_sigma',
      [units],
      'float32',
      tfl.initializers.constant({ value: SBP.logSigmaInit }),
    );
    this.addLoss(() => tf.tidy(() => tf.mul(this.klPerExample(), this.klScale)));
    this.built = true;
  }

  private params() {
    if (this.mu === undefined || this.logSigma === undefined)
      throw new Error(`SBPUnitNoise '${this.name}': not built yet`);
    return { mu: this.mu.read(), logSigma: this.logSigma.read() };
  }

  /** Σ KL of the units divided by N, without the KL weight. */
  klPerExample(): tf.Scalar {
    return tf.tidy(() => tf.div(tf.sum(unitNoiseKl(this.params())), this.args.trainingSize)) as tf.Scalar;
  }

  /** Sets the weight of this layer's KL term in the loss (the KL warm-up); ≥ 0, finite. */
  setKlWeight(weight: number): void {
    if (!(weight >= 0) || !Number.isFinite(weight))
      throw new RangeError(
        `SBPUnitNoise '${this.name}': the KL weight must be finite and ≥ 0, got ${weight}`,
      );
    tf.tidy(() => this.klScale.assign(tf.scalar(weight)));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = oneInput('SBPUnitNoise', inputs);
      const p = this.params();
      if (kwargs.training === true) {
        const noise = trainingNoise(this.args.seed, this.step);
        this.step += 1;
        return tf.mul(x, sampleUnitNoise(p, noise));
      }
      return tf.mul(
        x,
        tf.mul(unitNoiseMean(p), unitNoiseMask(p, this.args.snrThreshold ?? SBP.snrThreshold)),
      );
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0 && !this.klScale.isDisposed) this.klScale.dispose();
    return result;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { trainingSize, snrThreshold = SBP.snrThreshold, seed } = this.args;
    return { ...super.getConfig(), trainingSize, snrThreshold, ...(seed === undefined ? {} : { seed }) };
  }
}

tf.serialization.registerClass(SBPUnitNoise);

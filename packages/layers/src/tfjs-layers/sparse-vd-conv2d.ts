import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';
import { logAlpha, lrtConv2d } from '@sparsevd/estimators';
import { klSum } from '@sparsevd/kl';
import { activationFn } from './activation.js';
import { checkArgs, maskTheta, oneInput, type SparseVDLayerArgs, trainingNoise } from './common.js';

/** Options of {@link SparseVDConv2D}. */
export interface SparseVDConv2DArgs extends SparseVDLayerArgs {
  readonly filters: number;
  readonly kernelSize: number | [number, number];
  readonly strides?: number | [number, number];
  readonly padding?: 'valid' | 'same';
}

const pair = (v: number | [number, number] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;

/**
 * A SparseVD 2-D convolution (NHWC) for `@tensorflow/tfjs-layers` models: filters w ~ N(θ, σ²), trained
 * with the local reparameterization trick (`conv(x, θ)`, `conv(x², σ²)`) when `training` is true,
 * deterministic with θ masked where log α ≥ `threshold` otherwise. The KL term is added with `addLoss` as
 * Σ KL / N (N = `trainingSize`), because `model.fit` averages the data loss per example.
 *
 * Weights, in order: `theta` `[kh, kw, in, filters]`, `log_sigma2`, `bias` `[filters]`.
 */
export class SparseVDConv2D extends tfl.layers.Layer {
  /** The name tfjs serialisation knows this class by. */
  static className = 'SparseVDConv2D';
  private readonly args: SparseVDConv2DArgs;
  private readonly kernel: [number, number];
  private readonly strides: [number, number];
  private readonly padding: 'valid' | 'same';
  private readonly activationFn: (x: tf.Tensor) => tf.Tensor;
  private theta: LayerVariable | undefined;
  private logSigma2: LayerVariable | undefined;
  private bias: LayerVariable | undefined;
  private step = 0;

  constructor(args: SparseVDConv2DArgs) {
    super(args as LayerArgs);
    checkArgs('SparseVDConv2D', args);
    if (!Number.isInteger(args.filters) || args.filters <= 0) {
      throw new RangeError(`SparseVDConv2D: filters must be a positive integer, got ${args.filters}`);
    }
    this.args = args;
    this.kernel = pair(args.kernelSize, 1);
    this.strides = pair(args.strides, 1);
    this.padding = args.padding ?? 'valid';
    this.activationFn = activationFn('SparseVDConv2D', args.activation);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[3];
    if (shape.length !== 4 || typeof channels !== 'number') {
      throw new RangeError(
        `SparseVDConv2D '${this.name}': expects NHWC inputs [batch, h, w, c], got [${shape.join(', ')}]`,
      );
    }
    const filterShape = [this.kernel[0], this.kernel[1], channels, this.args.filters];
    const seed = this.args.seed;
    this.theta = this.addWeight(
      'theta',
      filterShape,
      'float32',
      tfl.initializers.glorotUniform(seed === undefined ? {} : { seed }),
    );
    this.logSigma2 = this.addWeight(
      'log_sigma2',
      filterShape,
      'float32',
      tfl.initializers.constant({ value: this.args.logSigma2Init ?? -10 }),
    );
    if (this.args.useBias ?? true)
      this.bias = this.addWeight('bias', [this.args.filters], 'float32', tfl.initializers.zeros());
    const n = this.args.trainingSize;
    this.addLoss(() => tf.tidy(() => tf.div(klSum([this.logAlpha()]), n)));
    this.built = true;
  }

  /** log α of the filters (clipped to [−8, 8]). */
  logAlpha(): tf.Tensor {
    if (this.theta === undefined || this.logSigma2 === undefined)
      throw new Error(`SparseVDConv2D '${this.name}': not built yet`);
    return logAlpha(this.theta.read(), this.logSigma2.read());
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = oneInput('SparseVDConv2D', inputs);
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
        const out = lrtConv2d(x, bias === undefined ? params : { ...params, bias }, noise, {
          strides: this.strides,
          padding: this.padding,
        });
        return this.activationFn(out);
      }
      const masked = maskTheta(theta, this.logAlpha(), this.args.threshold ?? 3);
      const mean = tf.conv2d(x as tf.Tensor4D, masked as tf.Tensor4D, this.strides, this.padding);
      return this.activationFn(bias === undefined ? mean : tf.add(mean, bias));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const out = [1, 2].map((i) => {
      const size = shape[i];
      if (size === null || size === undefined) return null;
      const k = this.kernel[i - 1] as number;
      const s = this.strides[i - 1] as number;
      return this.padding === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1;
    });
    return [shape[0] ?? null, out[0] ?? null, out[1] ?? null, this.args.filters];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { filters, trainingSize, threshold, logSigma2Init, useBias, activation, seed } = this.args;
    return {
      ...super.getConfig(),
      filters,
      kernelSize: this.kernel,
      strides: this.strides,
      padding: this.padding,
      trainingSize,
      threshold: threshold ?? 3,
      logSigma2Init: logSigma2Init ?? -10,
      useBias: useBias ?? true,
      activation: activation ?? 'linear',
      ...(seed === undefined ? {} : { seed }),
    };
  }
}

tf.serialization.registerClass(SparseVDConv2D);

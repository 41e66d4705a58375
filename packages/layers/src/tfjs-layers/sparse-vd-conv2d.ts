import { type AdditiveParams, lrtConv2d, type Noise } from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';
import type { Shape } from '@tensorflow/tfjs-layers';
import { convOutputSize } from '../conv-output-size.js';
import { showShape } from '../internal/shape.js';
import type { SparseVDLayerArgs } from './common.js';
import { SparseVDBase } from './sparse-vd-base.js';

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
export class SparseVDConv2D extends SparseVDBase {
  /** The name tfjs serialisation knows this class by. */
  static className = 'SparseVDConv2D';
  private readonly filters: number;
  private readonly kernel: [number, number];
  private readonly strides: [number, number];
  private readonly padding: 'valid' | 'same';

  constructor(args: SparseVDConv2DArgs) {
    super('SparseVDConv2D', args);
    if (!Number.isInteger(args.filters) || args.filters <= 0) {
      throw new RangeError(`SparseVDConv2D: filters must be a positive integer, got ${args.filters}`);
    }
    this.filters = args.filters;
    this.kernel = pair(args.kernelSize, 1);
    this.strides = pair(args.strides, 1);
    this.padding = args.padding ?? 'valid';
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[3];
    if (shape.length !== 4 || typeof channels !== 'number') {
      throw new RangeError(
        `SparseVDConv2D '${this.name}': expects NHWC inputs [batch, h, w, c], got ${showShape(shape)}`,
      );
    }
    this.buildWeights([this.kernel[0], this.kernel[1], channels, this.filters], this.filters);
  }

  protected sample(x: tf.Tensor, params: AdditiveParams, noise: Noise): tf.Tensor {
    return lrtConv2d(x, params, noise, { strides: this.strides, padding: this.padding });
  }

  protected deterministic(x: tf.Tensor, theta: tf.Tensor): tf.Tensor {
    return tf.conv2d(x as tf.Tensor4D, theta as tf.Tensor4D, this.strides, this.padding);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const out = [1, 2].map((i) => {
      const size = shape[i];
      if (size === null || size === undefined) return null;
      return convOutputSize(size, this.kernel[i - 1] as number, this.strides[i - 1] as number, this.padding);
    });
    return [shape[0] ?? null, out[0] ?? null, out[1] ?? null, this.filters];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...this.sparseConfig(),
      filters: this.filters,
      kernelSize: this.kernel,
      strides: this.strides,
      padding: this.padding,
    };
  }
}

tf.serialization.registerClass(SparseVDConv2D);

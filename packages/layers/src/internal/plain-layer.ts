import type { Noise } from '@sparsevd/estimators';
import type * as tf from '@tensorflow/tfjs-core';
import type { Layer, LayerConfig, Mode, Params, Shape } from '../layer.js';
import { checkMode } from './shape.js';
import { zeroKl } from './sparse-common.js';

/** Builds a layer without SparseVD weights: no KL, no log α. */
export const plainLayer = <P extends Params>(spec: {
  readonly kind: string;
  readonly name: string | undefined;
  readonly config?: LayerConfig;
  readonly init: Layer<P>['init'];
  readonly apply: (params: P, x: tf.Tensor, mode: Mode, noise?: Noise) => tf.Tensor;
  readonly outputShape: (inputShape: Shape) => Shape;
  readonly weightCount?: (inputShape: Shape) => number;
  readonly freeze?: Layer<P>['freeze'];
  readonly tensors?: Layer<P>['tensors'];
}): Layer<P> => ({
  kind: spec.kind,
  ...(spec.name === undefined ? {} : { name: spec.name }),
  config: spec.config ?? {},
  init: spec.init,
  apply: (params, x, mode, noise) => {
    checkMode(spec.name ?? spec.kind, mode);
    return spec.apply(params, x, mode, noise);
  },
  kl: zeroKl,
  logAlpha: () => undefined,
  sparseWeights: () => [],
  outputShape: spec.outputShape,
  weightCount: spec.weightCount ?? (() => 0),
  ...(spec.freeze === undefined ? {} : { freeze: spec.freeze }),
  ...(spec.tensors === undefined ? {} : { tensors: spec.tensors }),
});

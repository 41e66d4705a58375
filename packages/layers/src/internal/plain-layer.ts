import type { Noise } from '@sparsevd/estimators';
import type * as tf from '@tensorflow/tfjs-core';
import type { Layer, Mode, Params, Shape } from '../layer.js';
import { zeroKl } from './sparse-common.js';

/** Builds a layer without SparseVD weights: no KL, no log α. */
export const plainLayer = <P extends Params>(spec: {
  readonly kind: string;
  readonly name: string | undefined;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly init: Layer<P>['init'];
  readonly apply: (params: P, x: tf.Tensor, mode: Mode, noise?: Noise) => tf.Tensor;
  readonly outputShape: (inputShape: Shape) => Shape;
  readonly weightCount?: (inputShape: Shape) => number;
}): Layer<P> => ({
  kind: spec.kind,
  ...(spec.name === undefined ? {} : { name: spec.name }),
  config: spec.config ?? {},
  init: spec.init,
  apply: spec.apply,
  kl: zeroKl,
  logAlpha: () => undefined,
  sparseWeights: () => [],
  outputShape: spec.outputShape,
  weightCount: spec.weightCount ?? (() => 0),
});

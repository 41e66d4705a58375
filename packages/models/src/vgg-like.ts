import { batchNorm, flatten, type Layer, maxPool, relu, sequential } from '@sparsevd/layers';
import { convLayer, denseLayer } from './internal/weight-layers.js';
import type { ReferenceModel } from './reference-model.js';
import type { ModelOptions } from './variant.js';

/** Options of {@link vggLike}. */
export interface VggOptions extends ModelOptions {
  /** Width multiplier k (the paper scales the number of filters by k); default 1. */
  readonly k?: number;
}

/** Convolutions per block and their base widths: VGG-16's layout, as in the paper's VGG-like net. */
const BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [64, 2],
  [128, 2],
  [256, 3],
  [512, 3],
  [512, 3],
];

/**
 * The VGG-like network for CIFAR-10 of Molchanov et al. 2017 (section 5.3, after Zagoruyko's
 * "92.45% on CIFAR-10 in Torch"): five blocks of 3×3 convolutions (64k, 128k, 256k, 512k, 512k filters;
 * 2, 2, 3, 3, 3 convolutions) with batch-norm and ReLU after each, a 2×2 max-pool after each block, then
 * dense 512k with batch-norm and ReLU, and the 10-way output; 32×32×3 NHWC inputs.
 */
export const vggLike = (options: VggOptions = {}): ReferenceModel => {
  if (options.unitNoise === true)
    throw new RangeError('vggLike: unitNoise (Structured Bayesian Pruning) is built for the LeNets only');
  const k = options.k ?? 1;
  if (!(k > 0) || !Number.isFinite(k)) throw new RangeError(`vggLike: k must be a positive number, got ${k}`);
  const width = (base: number) => Math.max(1, Math.round(base * k));
  const layers: Layer[] = [];
  BLOCKS.forEach(([base, convs], b) => {
    for (let c = 0; c < convs; c += 1) {
      const name = `conv${b + 1}_${c + 1}`;
      layers.push(
        ...convLayer(name, width(base), 3, 'same', options),
        batchNorm({ name: `${name}_bn` }),
        relu({ name: `${name}_relu` }),
      );
    }
    layers.push(maxPool({ poolSize: 2, name: `pool${b + 1}` }));
  });
  layers.push(
    flatten({ name: 'flatten' }),
    ...denseLayer('fc1', width(512), options, true),
    batchNorm({ name: 'fc1_bn' }),
    relu({ name: 'fc1_relu' }),
    ...denseLayer('fc2', 10, options, true),
  );
  return { id: 'vgg', network: sequential(layers), inputShape: [32, 32, 3], classes: 10 };
};

import * as tf from '@tensorflow/tfjs-core';
import { plainLayer } from './internal/plain-layer.js';
import { product } from './internal/shape.js';
import type { Layer } from './layer.js';

/** Reshapes `[batch, ...]` to `[batch, product(...)]` (row-major, NHWC order); no parameters. */
export const flatten = (options: { readonly name?: string } = {}): Layer<Record<string, never>> =>
  plainLayer({
    kind: 'flatten',
    name: options.name,
    init: () => ({}),
    apply: (_p, x) => tf.reshape(x, [x.shape[0] as number, -1]),
    outputShape: (s) => [product(s)],
    freeze: (_p, { name }) => [{ form: 'flatten', name }],
  });

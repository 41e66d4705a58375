import * as tf from '@tensorflow/tfjs-core';
import { plainLayer } from './internal/plain-layer.js';
import type { Layer } from './layer.js';

/** Element-wise max(x, 0); no parameters. */
export const relu = (options: { readonly name?: string } = {}): Layer<Record<string, never>> =>
  plainLayer({
    kind: 'relu',
    name: options.name,
    init: () => ({}),
    apply: (_p, x) => tf.relu(x),
    outputShape: (s) => s,
    freeze: (_p, { name }) => [
      {
        form: 'unitwise',
        name,
        op: 'relu',
        config: {},
        fn: (v) => Math.max(v, 0),
        layer: () => relu({ name }),
      },
    ],
  });

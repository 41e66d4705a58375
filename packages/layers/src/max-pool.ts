import * as tf from '@tensorflow/tfjs-core';
import { geometry, spatialOutput } from './internal/conv-geometry.js';
import { plainLayer } from './internal/plain-layer.js';
import { checkNhwc } from './internal/shape.js';
import type { Layer } from './layer.js';

/** Options of {@link maxPool}. */
export interface MaxPoolOptions {
  readonly name?: string;
  /** Window, one number or `[h, w]`. */
  readonly poolSize: number | readonly [number, number];
  /** Strides; default the pool size. */
  readonly strides?: number | readonly [number, number];
  readonly padding?: 'valid' | 'same';
}

/** 2-D max pooling over NHWC inputs; no parameters. */
export const maxPool = (options: MaxPoolOptions): Layer<Record<string, never>> => {
  const label = `maxPool${options.name ? ` '${options.name}'` : ''}`;
  const g = geometry(
    label,
    options.poolSize,
    options.strides ?? options.poolSize,
    options.padding,
    'poolSize',
  );
  return plainLayer({
    kind: 'maxpool',
    config: { poolSize: [...g.kernel], strides: [...g.strides], padding: g.padding },
    name: options.name,
    init: () => ({}),
    apply: (_p, x) => {
      checkNhwc(label, x, x.shape[3] ?? 0);
      return tf.maxPool(
        x as tf.Tensor4D,
        g.kernel as [number, number],
        g.strides as [number, number],
        g.padding,
      );
    },
    outputShape: (s) => [...spatialOutput(label, s, g), s[2] as number],
    freeze: (_p, { name }) => [
      {
        form: 'maxpool',
        name,
        pool: [g.kernel[0], g.kernel[1]],
        strides: [g.strides[0], g.strides[1]],
        padding: g.padding,
      },
    ],
  });
};

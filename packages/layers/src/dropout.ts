import * as tf from '@tensorflow/tfjs-core';
import { plainLayer } from './internal/plain-layer.js';
import type { Layer } from './layer.js';

/**
 * Binary (Bernoulli) dropout with inverted scaling, for pretraining the dense baselines: in `train` mode
 * each unit is zeroed with probability `rate` and the rest scaled by 1/(1 − rate), with randomness from the
 * `{ seed }` noise; identity in `eval` and `mean`.
 */
export const dropout = (options: {
  readonly rate: number;
  readonly name?: string;
}): Layer<Record<string, never>> => {
  const label = `dropout${options.name ? ` '${options.name}'` : ''}`;
  const { rate } = options;
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`${label}: rate must be in [0, 1), got ${rate}`);
  return plainLayer({
    kind: 'dropout',
    config: { rate },
    name: options.name,
    init: () => ({}),
    apply: (_p, x, mode, noise) => {
      if (mode !== 'train' || rate === 0) return tf.clone(x);
      if (noise === undefined || !('seed' in noise) || noise instanceof tf.Tensor) {
        throw new TypeError(`${label}: train mode needs noise { seed }`);
      }
      return tf.dropout(x, rate, undefined, noise.seed);
    },
    outputShape: (s) => s,
    // The identity in eval mode: nothing to export.
    freeze: () => [],
  });
};

import * as tf from '@tensorflow/tfjs-core';
import { plainLayer } from './internal/plain-layer.js';
import { checkInput } from './internal/shape.js';
import type { Layer } from './layer.js';

/**
 * Keeps the given features of flat inputs, in the given order: `[batch, in]` → `[batch, indices.length]`.
 * No parameters. Structured compaction puts it first when some inputs (pixels) feed no surviving weight.
 */
export const selectFeatures = (options: {
  readonly inputSize: number;
  readonly indices: ReadonlyArray<number>;
  readonly name?: string;
}): Layer<Record<string, never>> => {
  const label = `selectFeatures${options.name ? ` '${options.name}'` : ''}`;
  const { inputSize, indices } = options;
  if (indices.some((i) => !Number.isInteger(i) || i < 0 || i >= inputSize)) {
    throw new RangeError(`${label}: every index must be an integer in 0–${inputSize - 1}`);
  }
  const kept = Int32Array.from(indices);
  return plainLayer({
    kind: 'select-features',
    name: options.name,
    config: { inputSize, indices: Array.from(indices) },
    init: (_seed, { inputShape }) => {
      if (inputShape.length !== 1 || inputShape[0] !== inputSize) {
        throw new RangeError(
          `${label}: built for inputs [${inputSize}], got input shape [${inputShape.join(', ')}]`,
        );
      }
      return {};
    },
    apply: (_p, x) => {
      checkInput(label, x, [inputSize]);
      return tf.tidy(() => tf.gather(x, tf.tensor1d(kept, 'int32'), 1));
    },
    outputShape: () => [kept.length],
    freeze: (_p, { name }) => [{ form: 'select', name, inputSize, indices: Array.from(indices) }],
  });
};

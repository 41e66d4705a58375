import { checkFloatTensor } from '@sparsevd/kl';
import type * as tf from '@tensorflow/tfjs-core';
import type { Mode, Shape } from '../layer.js';

export const showShape = (shape: ReadonlyArray<number | null>): string =>
  `[${shape.map((d) => (d === null ? 'batch' : d)).join(', ')}]`;

/**
 * Throws a RangeError naming the layer and both shapes unless `x` is a batch of examples of `expected`
 * shape (any batch size).
 */
export const checkInput = (layer: string, x: tf.Tensor, expected: Shape): void => {
  const ok = x.rank === expected.length + 1 && expected.every((d, i) => x.shape[i + 1] === d);
  if (!ok) {
    throw new RangeError(
      `${layer}: expected input of shape ${showShape([null, ...expected])}, got ${showShape(x.shape)}`,
    );
  }
  checkFloatTensor(layer, 'input', x);
};

/** The forward-pass modes every layer takes. */
export const MODES: ReadonlyArray<Mode> = ['train', 'eval', 'mean'];

/** Throws a TypeError naming the layer unless `mode` is one of {@link MODES} (plain JavaScript can pass anything). */
export const checkMode = (layer: string, mode: unknown): void => {
  if (!(MODES as ReadonlyArray<unknown>).includes(mode))
    throw new TypeError(
      `${layer}: mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode) ?? String(mode)}`,
    );
};

export const product = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Throws a RangeError naming the layer and both shapes unless `x` is NHWC with `channels` channels. */
export const checkNhwc = (layer: string, x: tf.Tensor, channels: number): void => {
  if (x.rank !== 4 || x.shape[3] !== channels) {
    throw new RangeError(
      `${layer}: expected input of shape [batch, height, width, ${channels}], got ${showShape(x.shape)}`,
    );
  }
  checkFloatTensor(layer, 'input', x);
};

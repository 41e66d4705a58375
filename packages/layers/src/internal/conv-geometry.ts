import * as tf from '@tensorflow/tfjs-core';
import { convOutputSize } from '../conv-output-size.js';
import type { Shape } from '../layer.js';
import { checkPositiveInt } from './init.js';

/** Convolution or pooling geometry, normalised. */
export interface Geometry {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: 'valid' | 'same';
}

const pair = (layer: string, option: string, value: number | readonly [number, number]): [number, number] => {
  const [a, b] = typeof value === 'number' ? [value, value] : value;
  return [checkPositiveInt(layer, option, a), checkPositiveInt(layer, option, b)];
};

export const geometry = (
  layer: string,
  kernel: number | readonly [number, number],
  strides: number | readonly [number, number] | undefined,
  padding: 'valid' | 'same' | undefined,
  kernelOption = 'kernelSize',
): Geometry => {
  if (padding !== undefined && padding !== 'valid' && padding !== 'same') {
    throw new RangeError(`${layer}: padding must be "valid" or "same", got ${String(padding)}`);
  }
  return {
    kernel: pair(layer, kernelOption, kernel),
    strides: pair(layer, 'strides', strides ?? 1),
    padding: padding ?? 'valid',
  };
};

/** Output height and width of a convolution or pooling over `[h, w, c]` inputs. */
export const spatialOutput = (layer: string, inputShape: Shape, g: Geometry): [number, number] => {
  if (inputShape.length !== 3) {
    throw new RangeError(
      `${layer}: expects NHWC inputs [height, width, channels], got input shape [${inputShape.join(', ')}]`,
    );
  }
  const out = [0, 1].map((i) => {
    return convOutputSize(inputShape[i] as number, g.kernel[i] as number, g.strides[i] as number, g.padding);
  }) as [number, number];
  if (out[0] <= 0 || out[1] <= 0) {
    throw new RangeError(
      `${layer}: input [${inputShape.join(', ')}] is smaller than the ${g.kernel.join('×')} window`,
    );
  }
  return out;
};

/**
 * conv(x, filter) + bias as one `tf.fused.conv2d`: the backend's FusedConv2D, which adds the bias in the pass that
 * writes the output where it has one (`native`, `wasm`, `webgl`, `tensorflow`); `cpu` and `native` give the values
 * of tf.add(conv(…), bias) bit for bit, `wasm` and `webgl` may round differently where they add the bias first.
 */
export const convBias = (x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor, g: Geometry): tf.Tensor =>
  tf.fused.conv2d({
    x: x as tf.Tensor4D,
    filter: filter as tf.Tensor4D,
    strides: g.strides as [number, number],
    pad: g.padding,
    bias,
  });

import * as tf from '@tensorflow/tfjs-core';
import { convBias, geometry, spatialOutput } from './internal/conv-geometry.js';
import { checkPositiveInt, fromWeights, glorotUniform, variable } from './internal/init.js';
import { plainLayer } from './internal/plain-layer.js';
import { checkNhwc } from './internal/shape.js';
import type { Layer, Shape } from './layer.js';
import type { PlainParams } from './plain-dense.js';

/**
 * An ordinary 2-D convolution (NHWC), `conv(x, W) + b`, for the dense baselines and pretraining.
 * Parameters: `kernel` `[kh, kw, inChannels, filters]` (Glorot-uniform), `bias` `[filters]`.
 */
export const plainConv2d = (options: {
  readonly filters: number;
  readonly kernelSize: number | readonly [number, number];
  readonly strides?: number | readonly [number, number];
  readonly padding?: 'valid' | 'same';
  readonly name?: string;
}): Layer<PlainParams> => {
  const label = `plainConv2d${options.name ? ` '${options.name}'` : ''}`;
  const filters = checkPositiveInt(label, 'filters', options.filters);
  const g = geometry(label, options.kernelSize, options.strides, options.padding);
  const filterShape = (s: Shape): [number, number, number, number] => {
    spatialOutput(label, s, g);
    return [g.kernel[0], g.kernel[1], s[2] as number, filters];
  };
  return plainLayer<PlainParams>({
    kind: 'conv2d',
    config: { filters, kernelSize: [...g.kernel], strides: [...g.strides], padding: g.padding },
    name: options.name,
    init: (seed, { inputShape, weights }) => {
      const shape = filterShape(inputShape);
      const [kh, kw, inC] = shape;
      return {
        kernel: variable(
          weights?.kernel
            ? fromWeights(label, 'kernel', weights.kernel, shape)
            : glorotUniform(shape, kh * kw * inC, kh * kw * filters, seed),
        ),
        bias: variable(
          weights?.bias ? fromWeights(label, 'bias', weights.bias, [filters]) : tf.zeros([filters]),
        ),
      };
    },
    apply: (p, x) => {
      checkNhwc(label, x, p.kernel.shape[2] as number);
      return tf.tidy(() => convBias(x, p.kernel, p.bias, g));
    },
    outputShape: (s) => [...spatialOutput(label, s, g), filters],
    weightCount: (s) => filterShape(s).reduce((a, b) => a * b, 1),
    tensors: (p, prefix) => [
      { name: `${prefix}/kernel`, role: 'weights', variable: p.kernel, unitAxis: 3 },
      { name: `${prefix}/bias`, role: 'bias', variable: p.bias, unitAxis: 0 },
    ],
    freeze: (p, { name }) => [
      {
        form: 'conv',
        name,
        weights: tf.clone(p.kernel),
        bias: tf.clone(p.bias),
        strides: [g.strides[0], g.strides[1]],
        padding: g.padding,
        sparse: false,
      },
    ],
  });
};

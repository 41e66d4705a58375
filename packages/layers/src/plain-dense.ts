import * as tf from '@tensorflow/tfjs-core';
import { checkPositiveInt, fromWeights, glorotUniform, variable } from './internal/init.js';
import { plainLayer } from './internal/plain-layer.js';
import { checkInput } from './internal/shape.js';
import type { Layer } from './layer.js';

/** Parameters of an ordinary dense or conv layer. */
export interface PlainParams {
  readonly [name: string]: tf.Variable;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

/**
 * An ordinary (deterministic) fully connected layer, `x·W + b`, for the dense baselines of the paper's
 * Table 1 and for pretraining. Parameters: `kernel` `[in, units]` (Glorot-uniform), `bias` `[units]`.
 */
export const plainDense = (options: {
  readonly units: number;
  readonly name?: string;
}): Layer<PlainParams> => {
  const label = `plainDense${options.name ? ` '${options.name}'` : ''}`;
  const units = checkPositiveInt(label, 'units', options.units);
  const inputUnits = (s: ReadonlyArray<number>): number => {
    if (s.length !== 1)
      throw new RangeError(`${label}: expects flat inputs [in], got input shape [${s.join(', ')}]`);
    return s[0] as number;
  };
  return plainLayer<PlainParams>({
    kind: 'dense',
    config: { units },
    name: options.name,
    init: (seed, { inputShape, weights }) => {
      const n = inputUnits(inputShape);
      return {
        kernel: variable(
          weights?.kernel
            ? fromWeights(label, 'kernel', weights.kernel, [n, units])
            : glorotUniform([n, units], n, units, seed),
        ),
        bias: variable(weights?.bias ? fromWeights(label, 'bias', weights.bias, [units]) : tf.zeros([units])),
      };
    },
    apply: (p, x) => {
      checkInput(label, x, [p.kernel.shape[0] as number]);
      return tf.fused.matMul({ a: x as tf.Tensor2D, b: p.kernel as tf.Tensor2D, bias: p.bias });
    },
    outputShape: () => [units],
    weightCount: (s) => inputUnits(s) * units,
    tensors: (p, prefix) => [
      { name: `${prefix}/kernel`, role: 'weights', variable: p.kernel, unitAxis: 1 },
      { name: `${prefix}/bias`, role: 'bias', variable: p.bias, unitAxis: 0 },
    ],
    freeze: (p, { name }) => [
      { form: 'dense', name, weights: tf.clone(p.kernel), bias: tf.clone(p.bias), sparse: false },
    ],
  });
};

import * as tf from '@tensorflow/tfjs-core';

/** Activations the SparseVD tfjs-layers accept (the ones a Dense/Conv2D of the reference networks uses). */
export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'softmax' | 'tanh';

const ACTIVATIONS: Readonly<Record<ActivationName, (x: tf.Tensor) => tf.Tensor>> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  sigmoid: (x) => tf.sigmoid(x),
  softmax: (x) => tf.softmax(x),
  tanh: (x) => tf.tanh(x),
};

/** Whether the SparseVD tfjs-layers accept the activation `name`. */
export const isActivation = (name: string): name is ActivationName => Object.hasOwn(ACTIVATIONS, name);

/** The activation function by name; throws naming the layer for an unsupported one. */
export const activationFn = (layer: string, name: string | undefined): ((x: tf.Tensor) => tf.Tensor) => {
  const fn = ACTIVATIONS[(name ?? 'linear') as ActivationName];
  if (fn === undefined) {
    throw new RangeError(
      `${layer}: activation "${name}" is not supported; use one of ${Object.keys(ACTIVATIONS).join(', ')}`,
    );
  }
  return fn;
};

import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernels whose gradients a SparseVD training step needs (dense and conv layers with the local
 * reparameterization trick, the KL term, cross-entropy). Used to check that gradients are registered.
 */
export const TRAINING_KERNELS: ReadonlyArray<string> = [
  'BatchMatMul',
  'Conv2D',
  'MaxPool',
  'Relu',
  'Add',
  'Multiply',
  'Sub',
  'Exp',
  'Log',
  'Sqrt',
  'Square',
  'Softplus',
  'Sigmoid',
  'ClipByValue',
  'Sum',
  'Mean',
  'Max',
  'Reshape',
];

/** The training kernels (see {@link TRAINING_KERNELS}) that have no gradient registered right now. */
export const missingGradients = (): ReadonlyArray<string> =>
  TRAINING_KERNELS.filter((name) => tf.getGradient(name) == null);

/**
 * Registers the gradients of every tfjs-core op, so `tf.grad`, `tf.variableGrads` and optimizers work on
 * any backend — also when the built package runs under plain `node`.
 *
 * `@tensorflow/tfjs-core` leaves its gradients out of its CommonJS bundle and ships them only as ESM with
 * extension-less imports, which Node cannot load. This package builds them into one Node-loadable file at
 * build time (as the official `@tensorflow/tfjs` Node bundle does); importing it registers every gradient
 * in tfjs's global registry, shared by every copy of tfjs-core. Idempotent.
 *
 * @returns the training kernels still without a gradient afterwards: empty on success.
 */
export const registerGradients = async (): Promise<ReadonlyArray<string>> => {
  await import('../generated/tfjs-gradients.js');
  return missingGradients();
};

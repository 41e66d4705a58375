import { lrtDense, type Noise } from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';
import {
  checkLogSigma2Init,
  checkPositiveInt,
  fromWeights,
  glorotUniform,
  startTheta,
  variable,
} from './internal/init.js';
import { checkInput, checkMode } from './internal/shape.js';
import {
  checkThreshold,
  frozenWeights,
  maskedTheta,
  sparseKl,
  sparseLogAlpha,
  sparseTensors,
  sparseWeightsOf,
} from './internal/sparse-common.js';
import type { ApplyOptions, Layer, Mode } from './layer.js';
import type { SparseOptions, SparseParams } from './sparse-params.js';

/** Options of {@link dense}. */
export interface DenseOptions extends SparseOptions {
  /** Number of output units. */
  readonly units: number;
}

/**
 * A SparseVD fully connected layer (Molchanov et al. 2017, section 4): weights w ~ N(θ, σ²) with their
 * own dropout rate α = σ²/θ² under the log-uniform prior, trained by the additive reparameterization with
 * the local reparameterization trick (eq. 17) in `train` mode; `eval` uses θ masked where log α ≥ threshold.
 *
 * Parameters: `theta` `[in, units]` (Glorot-uniform, or `weights.theta` of a SparseVD layer, or `weights.kernel` of an ordinary one),
 * `logSigma2` (`weights.logSigma2`, or filled with `logSigma2Init`, −10 by default), `bias` `[units]` (zeros, or `weights.bias`).
 */
export const dense = (options: DenseOptions): Layer<SparseParams> => {
  const label = `dense${options.name ? ` '${options.name}'` : ''}`;
  const units = checkPositiveInt(label, 'units', options.units);
  const threshold = checkThreshold(label, options.threshold ?? 3);
  const trainClip = options.trainClip ?? false;
  const inputUnits = (inputShape: ReadonlyArray<number>): number => {
    if (inputShape.length !== 1)
      throw new RangeError(`${label}: expects flat inputs [in], got input shape [${inputShape.join(', ')}]`);
    return inputShape[0] as number;
  };
  return {
    kind: 'sparsevd-dense',
    config: { units, threshold, trainClip },
    ...(options.name === undefined ? {} : { name: options.name }),
    init: (seed, { inputShape, weights, logSigma2Init = -10 }) => {
      const n = inputUnits(inputShape);
      checkLogSigma2Init(label, logSigma2Init);
      return {
        theta: variable(startTheta(label, weights, [n, units]) ?? glorotUniform([n, units], n, units, seed)),
        logSigma2: variable(
          weights?.logSigma2
            ? fromWeights(label, 'logSigma2', weights.logSigma2, [n, units])
            : tf.fill([n, units], logSigma2Init),
        ),
        bias: variable(weights?.bias ? fromWeights(label, 'bias', weights.bias, [units]) : tf.zeros([units])),
      };
    },
    apply: (p: SparseParams, x: tf.Tensor, mode: Mode, noise?: Noise, fused: ApplyOptions = {}) => {
      checkInput(label, x, [p.theta.shape[0] as number]);
      checkMode(label, mode);
      if (mode === 'train') {
        if (noise === undefined)
          throw new TypeError(`${label}: train mode needs noise (a tensor or { seed })`);
        return tf.tidy(() => {
          const theta = trainClip ? maskedTheta(p, threshold, fused) : p.theta;
          return lrtDense(x, { kind: 'additive', theta, logSigma2: p.logSigma2, bias: p.bias }, noise, fused);
        });
      }
      return tf.tidy(() => {
        const theta = mode === 'eval' ? maskedTheta(p, threshold, fused) : p.theta;
        return tf.add(tf.matMul(x as tf.Tensor2D, theta as tf.Tensor2D), p.bias);
      });
    },
    kl: sparseKl(options.kl),
    logAlpha: sparseLogAlpha,
    sparseWeights: (p, prefix = options.name ?? 'dense') => sparseWeightsOf(p, prefix, threshold),
    tensors: sparseTensors,
    freeze: (p, { name, threshold: at = threshold }) => [
      { form: 'dense', name, ...frozenWeights(p, at), sparse: true },
    ],
    outputShape: () => [units],
    weightCount: (inputShape) => inputUnits(inputShape) * units,
  };
};

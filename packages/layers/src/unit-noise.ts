import {
  type LogBounds,
  type Noise,
  SBP,
  sampleUnitNoise,
  unitNoiseKl,
  unitNoiseMask,
  unitNoiseMean,
} from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';
import { fromWeights, variable } from './internal/init.js';
import { checkMode } from './internal/shape.js';
import type { ApplyOptions, Layer, Mode, Params } from './layer.js';

/** The parameters of a {@link unitNoise} layer: μ and log σ of every unit's log θ. */
export interface UnitNoiseLayerParams extends Params {
  readonly mu: tf.Variable;
  readonly logSigma: tf.Variable;
}

/** Options of {@link unitNoise}. */
export interface UnitNoiseOptions {
  readonly name?: string;
  /** A unit is kept in `eval` mode while its signal-to-noise ratio exceeds this (1, the paper's). */
  readonly snrThreshold?: number;
  /** The truncation of log θ (the authors' [−20, 0]). */
  readonly bounds?: LogBounds;
  /** Initial μ and log σ (the authors' 0 and −5). */
  readonly muInit?: number;
  readonly logSigmaInit?: number;
}

/**
 * Structured Bayesian Pruning's noise layer (Neklyudov, Molchanov, Ashukha & Vetrov, NeurIPS 2017): multiplies
 * each unit of its input — the last axis: a dense layer's neurons, a conv layer's filters (NHWC), or a flat
 * input's features — by its own variable θ with a truncated log-normal posterior and a truncated log-uniform
 * prior (see `sampleUnitNoise`, `unitNoiseKl` of `@sparsevd/estimators`).
 *
 * - `train`: x·θ, one θ per unit drawn from the noise (`{ seed }` or a standard-normal tensor `[units]`),
 *   shared by the batch as in the authors' code;
 * - `eval`: x·E θ where the unit's SNR exceeds `snrThreshold`, else 0 — the unit is removed;
 * - `mean`: x·E θ for every unit.
 *
 * Parameters: `mu`, `logSigma` `[units]` (`muInit`, `logSigmaInit`, or `InitOptions.weights.mu` / `.logSigma`).
 * Its KL is Σ over units of the closed form; it has no SparseVD weights. Through the layer protocol it freezes
 * to a `scale` (E θ masked), which pruning folds into the weight layer next to it, so a removed unit becomes a
 * zero column (placed after a weight layer) or a zero row (placed before one) that compaction drops. Put it
 * right after a dense or conv layer (before its activation: θ > 0 commutes with ReLU), or right before one.
 */
export const unitNoise = (options: UnitNoiseOptions = {}): Layer<UnitNoiseLayerParams> => {
  const label = `unitNoise${options.name ? ` '${options.name}'` : ''}`;
  const snrThreshold = options.snrThreshold ?? SBP.snrThreshold;
  const bounds = options.bounds ?? SBP.bounds;
  const muInit = options.muInit ?? SBP.muInit;
  const logSigmaInit = options.logSigmaInit ?? SBP.logSigmaInit;
  if (!Number.isFinite(snrThreshold) || snrThreshold < 0)
    throw new RangeError(`${label}: snrThreshold must be a finite number ≥ 0, got ${snrThreshold}`);
  if (!(Number.isFinite(bounds.a) && Number.isFinite(bounds.b) && bounds.a < bounds.b))
    throw new RangeError(`${label}: bounds must be finite with a < b, got [${bounds.a}, ${bounds.b}]`);
  for (const [option, value] of [
    ['muInit', muInit],
    ['logSigmaInit', logSigmaInit],
  ] as const)
    if (!Number.isFinite(value)) throw new RangeError(`${label}: ${option} must be finite, got ${value}`);
  const unitsOf = (shape: ReadonlyArray<number>): number => {
    const units = shape[shape.length - 1];
    if (units === undefined) throw new RangeError(`${label}: input shape [] has no unit axis`);
    return units;
  };
  /** E θ, masked by the SNR in `eval` mode. */
  const multiplier = (p: UnitNoiseLayerParams, mode: Exclude<Mode, 'train'>): tf.Tensor =>
    tf.tidy(() => {
      const mean = unitNoiseMean(p, bounds);
      return mode === 'eval' ? tf.mul(mean, unitNoiseMask(p, snrThreshold, bounds)) : mean;
    });
  return {
    kind: 'sbp-unit-noise',
    config: { snrThreshold, a: bounds.a, b: bounds.b, muInit, logSigmaInit },
    ...(options.name === undefined ? {} : { name: options.name }),
    init: (_seed, { inputShape, weights }) => {
      const units = unitsOf(inputShape);
      return {
        mu: variable(weights?.mu ? fromWeights(label, 'mu', weights.mu, [units]) : tf.fill([units], muInit)),
        logSigma: variable(
          weights?.logSigma
            ? fromWeights(label, 'logSigma', weights.logSigma, [units])
            : tf.fill([units], logSigmaInit),
        ),
      };
    },
    apply: (p: UnitNoiseLayerParams, x: tf.Tensor, mode: Mode, noise?: Noise, fused: ApplyOptions = {}) => {
      checkMode(label, mode);
      const units = p.mu.shape[0] as number;
      if (x.rank < 2 || x.shape[x.rank - 1] !== units)
        throw new RangeError(
          `${label}: expected input with ${units} units on its last axis, got shape [${x.shape.join(', ')}]`,
        );
      if (mode === 'train') {
        if (noise === undefined)
          throw new TypeError(`${label}: train mode needs noise (a tensor or { seed })`);
        return tf.tidy(() => tf.mul(x, sampleUnitNoise(p, noise, bounds, fused)));
      }
      return tf.tidy(() => tf.mul(x, multiplier(p, mode)));
    },
    kl: (p, options = {}) => tf.tidy(() => tf.sum(unitNoiseKl(p, bounds, options)) as tf.Scalar),
    logAlpha: () => undefined,
    sparseWeights: () => [],
    outputShape: (inputShape) => inputShape,
    weightCount: () => 0,
    tensors: (p, prefix) => [
      { name: `${prefix}/mu`, role: 'unitMu', variable: p.mu, unitAxis: 0 },
      { name: `${prefix}/logSigma`, role: 'unitLogSigma', variable: p.logSigma, unitAxis: 0 },
    ],
    freeze: (p, { name }) => [{ form: 'scale', name, scale: multiplier(p, 'eval') }],
  };
};

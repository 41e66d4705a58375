import type { Layer, LayerTensor, Params } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { checkNetwork } from './internal/check-network.js';
import { withTotals } from './internal/weight-totals.js';

/**
 * The keep mask of one ordinary weight tensor under magnitude pruning: 1 where the weight is kept, 0 where it is
 * removed (its shape, float32), with the variable it masks.
 */
export interface MagnitudeMask {
  /** The tensor's path, as the layer protocol names it (`"fc1/kernel"`). */
  readonly name: string;
  readonly variable: tf.Variable;
  readonly mask: tf.Tensor;
  /** Weights kept, of `size`. */
  readonly kept: number;
  readonly size: number;
}

/** Sparsity of one ordinary weight tensor: its weights, the non-zero ones and the % removed. */
export interface WeightLayerSparsity {
  readonly name: string;
  readonly shape: ReadonlyArray<number>;
  readonly weights: number;
  readonly kept: number;
  readonly removedPercent: number;
}

/**
 * The sparsity of a network's ordinary weights (biases excluded), counted as zeros: what a magnitude-pruned
 * network reports in the columns of the paper's Table 1. `compression` is `null` when no weight is left.
 */
export interface WeightSparsity {
  readonly layers: ReadonlyArray<WeightLayerSparsity>;
  readonly totalWeights: number;
  readonly keptWeights: number;
  readonly compression: number | null;
  readonly allRemoved: boolean;
}

/** The ordinary weight tensors of a network (role `weights` in the layer protocol), in the network's order. */
const weightTensors = (network: Layer, params: Params): ReadonlyArray<LayerTensor> =>
  (network.tensors?.(params, '') ?? []).filter((t) => t.role === 'weights');

/**
 * The sparsity a gradual magnitude pruning schedule asks for after `epoch` completed epochs (Zhu & Gupta 2017,
 * eq. 1, the schedule Gale et al. 2019 use): 0 until `start`, then s = s_f·(1 − (1 − (epoch − start) /
 * (end − start))³), reaching `final` at `end` and staying there — fast at first, when many redundant weights
 * remain, then slower.
 *
 * @throws RangeError unless 0 ≤ final < 1 and 0 ≤ start < end.
 */
export const gradualSparsity = (final: number, epoch: number, start: number, end: number): number => {
  if (!(final >= 0 && final < 1))
    throw new RangeError(`gradualSparsity: final sparsity must be in [0, 1), got ${final}`);
  if (!(start >= 0 && end > start && Number.isFinite(end)))
    throw new RangeError(`gradualSparsity: needs 0 ≤ start < end, got start ${start}, end ${end}`);
  if (epoch <= start) return 0;
  if (epoch >= end) return final;
  return final * (1 - (1 - (epoch - start) / (end - start)) ** 3);
};

/** The number of non-zero entries of a tensor (one read). */
const countNonzero = (t: tf.Tensor): number => {
  const sum = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(t, 0), 'float32')));
  const n = Math.round(sum.dataSync()[0] as number);
  sum.dispose();
  return n;
};

/**
 * The mask that keeps the `keep` largest |w| of `values` (ties broken by position, so exactly `keep` are kept).
 */
const topMagnitudes = (values: ArrayLike<number>, keep: number): Float32Array => {
  const n = values.length;
  const mask = new Float32Array(n);
  if (keep <= 0) return mask;
  if (keep >= n) return mask.fill(1);
  const abs = Float32Array.from(values, Math.abs);
  const sorted = Float32Array.from(abs).sort();
  const cut = sorted[n - keep] as number; // the keep-th largest magnitude
  let kept = 0;
  for (let i = 0; i < n; i += 1) {
    if ((abs[i] as number) > cut) {
      mask[i] = 1;
      kept += 1;
    }
  }
  for (let i = 0; i < n && kept < keep; i += 1) {
    if (abs[i] === cut) {
      mask[i] = 1;
      kept += 1;
    }
  }
  return mask;
};

/**
 * Magnitude pruning (the baseline of Han et al. 2015, and of Gale et al. 2019's comparison): for each ordinary
 * weight tensor of the network (role `weights`; biases stay), the mask that keeps its largest |w| and removes the
 * fraction `sparsity` of them — one fraction for every tensor, or one per tensor in the network's order (to prune
 * each layer as much as another method did). Reads the weights once (at epoch boundaries, not per step). The
 * caller disposes the masks; the variables are not changed.
 *
 * @throws RangeError for a fraction outside [0, 1] or a list whose length is not the number of weight tensors;
 *   TypeError / NonFiniteParameterError as the other pruning entry points.
 */
export const magnitudeMasks = (
  network: Layer,
  params: Params,
  sparsity: number | ReadonlyArray<number>,
): MagnitudeMask[] => {
  checkNetwork('magnitudeMasks', network, params);
  const tensors = weightTensors(network, params);
  const fractions = typeof sparsity === 'number' ? tensors.map(() => sparsity) : sparsity;
  if (fractions.length !== tensors.length) {
    throw new RangeError(
      `magnitudeMasks: sparsity has ${fractions.length} fractions but the network has ${tensors.length} weight tensors (${tensors.map((t) => t.name).join(', ')})`,
    );
  }
  fractions.forEach((f, i) => {
    if (!(f >= 0 && f <= 1))
      throw new RangeError(`magnitudeMasks: sparsity of ${tensors[i]?.name} must be in [0, 1], got ${f}`);
  });
  return tensors.map((t, i) => {
    const size = t.variable.size;
    const keep = size - Math.round((fractions[i] as number) * size);
    return {
      name: t.name,
      variable: t.variable,
      mask: tf.tensor(topMagnitudes(t.variable.dataSync(), keep), t.variable.shape, 'float32'),
      kept: Math.max(0, Math.min(size, keep)),
      size,
    };
  });
};

/**
 * The masks of the weights that are non-zero now: how a run pruned by {@link magnitudeMasks} (whose removed
 * weights are held at exactly 0) recovers its masks from a checkpoint. The caller disposes them.
 */
export const nonzeroMasks = (network: Layer, params: Params): MagnitudeMask[] => {
  checkNetwork('nonzeroMasks', network, params);
  return weightTensors(network, params).map((t) => {
    const mask = tf.tidy(() => tf.cast(tf.notEqual(t.variable, 0), 'float32'));
    return {
      name: t.name,
      variable: t.variable,
      mask,
      kept: countNonzero(mask),
      size: t.variable.size,
    };
  });
};

/** Multiplies each masked variable by its mask in place: removed weights back to exactly 0 (after a step). */
export const applyMagnitudeMasks = (masks: ReadonlyArray<MagnitudeMask>): void => {
  tf.tidy(() => {
    for (const m of masks) m.variable.assign(tf.mul(m.variable, m.mask));
  });
};

/**
 * The zeros of a network's ordinary weights as the paper's Table 1 columns count them: weights per tensor, the
 * non-zero ones, % removed, and |W| / |W ≠ 0| (biases excluded). For a magnitude-pruned (or any plain) network.
 */
export const weightSparsity = (network: Layer, params: Params): WeightSparsity => {
  checkNetwork('weightSparsity', network, params);
  const layers = weightTensors(network, params).map((t): WeightLayerSparsity => {
    const kept = countNonzero(t.variable);
    const weights = t.variable.size;
    return {
      name: t.name.replace(/^\//, '').replace(/\/kernel$/, ''),
      shape: t.variable.shape,
      weights,
      kept,
      removedPercent: (100 * (weights - kept)) / weights,
    };
  });
  return withTotals(layers);
};

import { logAlpha } from '@sparsevd/estimators';
import type { Layer, Params } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { checkNetwork } from './internal/check-network.js';
import { withTotals } from './internal/weight-totals.js';

/** A histogram of log α over fixed bins. */
export interface Histogram {
  /** Bin edges, `counts.length + 1` of them. */
  readonly edges: ReadonlyArray<number>;
  readonly counts: ReadonlyArray<number>;
}

/** Sparsity of one SparseVD weight tensor. */
export interface LayerSparsity {
  readonly name: string;
  readonly shape: ReadonlyArray<number>;
  readonly weights: number;
  readonly kept: number;
  /** Percentage of the weights removed, as the paper's per-layer column reports it. */
  readonly removedPercent: number;
  readonly threshold: number;
  /** log α histogram (the data of the paper's bimodal picture). */
  readonly logAlpha: Histogram;
}

/** The numbers of the paper's Table 1 for one network. */
export interface SparsityReport {
  readonly layers: ReadonlyArray<LayerSparsity>;
  /** |W|: all SparseVD weights (biases excluded). */
  readonly totalWeights: number;
  /** |W ≠ 0|: the weights kept. */
  readonly keptWeights: number;
  /**
   * |W| / |W ≠ 0|, or `null` when no weight is kept ({@link SparsityReport.allRemoved}): the ratio has no
   * finite value then, and JSON could not hold Infinity.
   */
  readonly compression: number | null;
  /** True when every weight is removed (a network trained on random labels ends so: it predicts a constant). */
  readonly allRemoved: boolean;
}

/** A compression for people: `"74.3×"`, or `"all weights removed"` when {@link SparsityReport.compression} is null. */
export const formatCompression = (compression: number | null, digits = 1): string =>
  compression === null ? 'all weights removed' : `${compression.toFixed(digits)}×`;

/** Options of {@link sparsityReport}. */
export interface SparsityReportOptions {
  /** Overrides the layers' own thresholds. */
  readonly threshold?: number;
  /** Number of histogram bins over `range` (default 64). */
  readonly bins?: number;
  /** Histogram range (default [−8, 8], the clip range of log α). */
  readonly range?: readonly [number, number];
}

const histogram = (
  values: ArrayLike<number>,
  bins: number,
  [lo, hi]: readonly [number, number],
): Histogram => {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i += 1) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((values[i] as number) - lo) / width)));
    counts[b] = (counts[b] as number) + 1;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts };
};

/**
 * Per-layer and total sparsity of a network as the paper reports it (Molchanov et al. 2017, Table 1):
 * for each SparseVD weight tensor the weights, the kept ones (log α < threshold) and the % removed, plus
 * its log α histogram; in total |W|, |W ≠ 0| and the compression |W| / |W ≠ 0| (biases excluded).
 *
 * @throws NonFiniteParameterError when a parameter holds NaN or ±∞ (naming the layer and tensor).
 */
export const sparsityReport = (
  network: Layer,
  params: Params,
  options: SparsityReportOptions = {},
): SparsityReport => {
  const bins = options.bins ?? 64;
  const range = options.range ?? [-8, 8];
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`sparsityReport: bins must be a positive integer, got ${bins}`);
  checkNetwork('sparsityReport', network, params);
  const layers = network.sparseWeights(params).map((w): LayerSparsity => {
    const threshold = options.threshold ?? w.threshold;
    const la = tf.tidy(() => logAlpha(w.theta, w.logSigma2));
    const values = la.dataSync();
    la.dispose();
    let kept = 0;
    for (let i = 0; i < values.length; i += 1) if ((values[i] as number) < threshold) kept += 1;
    return {
      name: w.name,
      shape: w.theta.shape,
      weights: values.length,
      kept,
      removedPercent: (100 * (values.length - kept)) / values.length,
      threshold,
      logAlpha: histogram(values, bins, range),
    };
  });
  return withTotals(layers);
};

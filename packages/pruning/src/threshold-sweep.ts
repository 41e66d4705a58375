import { keepMask } from '@sparsevd/estimators';
import type { Layer, Params } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { checkNetwork } from './internal/check-network.js';
import { sparsityReport } from './sparsity-report.js';

/**
 * A copy of the parameters in which every SparseVD weight with log α ≥ `threshold` is zero: run it in the
 * `mean` mode to get the network pruned at that threshold (rather than at the layers' own). The caller
 * disposes it (only the θ variables are new; the other entries are the original variables).
 */
export const maskedParams = (network: Layer, params: Params, threshold: number): Params => {
  const replaced = new Map<tf.Variable, tf.Variable>();
  for (const w of network.sparseWeights(params)) {
    replaced.set(
      w.theta,
      tf.tidy(() => tf.variable(keepMask(w.theta, w.logSigma2, { threshold })[0], false)),
    );
  }
  const copy = (p: Params): Params =>
    Object.fromEntries(
      Object.entries(p).map(([k, v]) => [k, v instanceof tf.Variable ? (replaced.get(v) ?? v) : copy(v)]),
    );
  return copy(params);
};

/** One point of a threshold sweep. */
export interface SweepPoint {
  readonly threshold: number;
  /** What `evaluate` returned (an error rate, say). */
  readonly error: number;
  /** As {@link SparsityReport.compression}: null when every weight is removed at this threshold. */
  readonly compression: number | null;
}

/**
 * Error and compression at several thresholds (the authors suggest tuning the threshold on validation
 * data). `evaluate` receives parameters pruned at each threshold ({@link maskedParams}) to run in `mean`
 * mode and returns their error.
 */
export const thresholdSweep = async (
  network: Layer,
  params: Params,
  evaluate: (pruned: Params) => number | Promise<number>,
  thresholds: ReadonlyArray<number>,
): Promise<SweepPoint[]> => {
  checkNetwork('thresholdSweep', network, params);
  const points: SweepPoint[] = [];
  for (const threshold of thresholds) {
    if (!Number.isFinite(threshold))
      throw new RangeError(`thresholdSweep: thresholds must be finite, got ${threshold}`);
    const pruned = maskedParams(network, params, threshold);
    try {
      const error = await evaluate(pruned);
      points.push({
        threshold,
        error,
        compression: sparsityReport(network, params, { threshold }).compression,
      });
    } finally {
      for (const w of network.sparseWeights(pruned)) w.theta.dispose();
    }
  }
  return points;
};

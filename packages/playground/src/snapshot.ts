import { keepMask } from '@sparsevd/estimators';
import type { Params, Sequential } from '@sparsevd/layers';
import { sparsityReport } from '@sparsevd/pruning';
import * as tf from '@tensorflow/tfjs-core';

/** What the page draws of the network at one moment. */
export interface Snapshot {
  readonly threshold: number;
  /** log α histogram of every SparseVD weight together: bin edges (counts + 1 of them) and counts. */
  readonly edges: ReadonlyArray<number>;
  readonly counts: ReadonlyArray<number>;
  /** Per SparseVD layer: its name, weights, kept and the percentage removed. */
  readonly layers: ReadonlyArray<{
    readonly name: string;
    readonly weights: number;
    readonly kept: number;
    readonly removedPercent: number;
  }>;
  readonly compression: number | null;
  /** The first layer's inputs (28×28 pixels of MNIST): 1 where some weight of that input is kept. */
  readonly pixels: Uint8Array;
}

/**
 * Sums per-layer histograms over the same bins into one (the bins of `sparsityReport`: 64 over [−8, 8]).
 */
export const mergeHistograms = (
  histograms: ReadonlyArray<{
    readonly edges: ReadonlyArray<number>;
    readonly counts: ReadonlyArray<number>;
  }>,
): { edges: number[]; counts: number[] } => {
  const first = histograms[0];
  if (first === undefined) return { edges: [], counts: [] };
  const counts = first.counts.map((_, i) => histograms.reduce((sum, h) => sum + (h.counts[i] ?? 0), 0));
  return { edges: [...first.edges], counts };
};

/**
 * The network as the page draws it, at `threshold`: the log α histogram, the per-layer sparsity and the kept
 * input pixels of the first SparseVD layer. Reads the parameters asynchronously (no stall of a GPU backend);
 * leaks no tensors.
 */
export const snapshot = async (network: Sequential, params: Params, threshold: number): Promise<Snapshot> => {
  const report = sparsityReport(network, params, { threshold });
  const first = network.sparseWeights(params)[0];
  let pixels = new Uint8Array(0);
  if (first !== undefined && first.theta.shape.length === 2) {
    const used = tf.tidy(() => {
      const [, mask] = keepMask(first.theta, first.logSigma2, { threshold });
      return tf.cast(tf.greater(tf.max(mask, 1), 0), 'int32');
    });
    pixels = Uint8Array.from(await used.data());
    used.dispose();
  }
  const { edges, counts } = mergeHistograms(report.layers.map((l) => l.logAlpha));
  return {
    threshold,
    edges,
    counts,
    layers: report.layers.map((l) => ({
      name: l.name,
      weights: l.weights,
      kept: l.kept,
      removedPercent: l.removedPercent,
    })),
    compression: report.compression,
    pixels,
  };
};

import { size, take } from '@sparsevd/datasets';
import type { KlOptions, Params, Sequential, Shape } from '@sparsevd/layers';
import { nonFiniteTensors } from '@sparsevd/layers';
import { sparsityReport, structureReport, structureSparsity, weightSparsity } from '@sparsevd/pruning';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { RunData } from './data.js';
import { evaluate } from './evaluate.js';
import type { EpochMetrics } from './metrics.js';
import { type TrainError, trainError } from './train-error.js';

/** The running sums of an epoch's steps (also a checkpoint's position within an epoch). */
export interface EpochSums {
  lossSum: number;
  dataSum: number;
  examples: number;
  seconds: number;
}

/** An epoch's end: the phase, the epoch (0-based), its sums and the last step's schedule values. */
export interface EpochEnd {
  readonly phase: EpochMetrics['phase'];
  readonly epoch: number;
  readonly sums: EpochSums;
  readonly lr: number;
  readonly klWeight: number;
}

/** What an epoch's metrics carry besides the test evaluation (see {@link EpochMetrics}). */
export interface EpochExtras {
  /** Measure the error on the training examples (random-label runs). */
  readonly trainError?: boolean;
  readonly machine?: string;
  /** Report the structure left (units, FLOPs) of a network with unit noise, for examples of this shape. */
  readonly structure?: Shape;
  /** Report the zeros of the ordinary weights (a magnitude-pruned dense network) as its compression. */
  readonly weightSparsity?: boolean;
}

/** How many training examples the training error is measured on. */
export const TRAIN_ERROR_EXAMPLES = 10_000;

/**
 * The metrics of a finished epoch: the parameters checked for NaN / ±∞ (an error naming the tensor), the
 * eval-mode network on the test set, and for SparseVD the sparsity report and Σ KL at the epoch's end.
 */
export const epochMetrics = (
  network: Sequential,
  params: Params,
  data: RunData,
  klOptions: KlOptions,
  end: EpochEnd,
  extras: EpochExtras = {},
): E.Either<TrainError, EpochMetrics> => {
  const [diverged] = nonFiniteTensors(params);
  if (diverged !== undefined) {
    return E.left(
      trainError(
        'NonFinite',
        `non-finite parameters after epoch ${end.epoch + 1} (${diverged.layer}/${diverged.tensor}: ${diverged.count} of ${diverged.size} values); the last good checkpoint is kept`,
      ),
    );
  }
  const sparse = end.phase === 'sparsevd';
  const test = evaluate(network, params, data.test, data.batching);
  const structure =
    sparse && extras.structure !== undefined ? structureReport(network, params, extras.structure) : undefined;
  const report =
    sparse && structure === undefined
      ? sparsityReport(network, params)
      : !sparse && extras.weightSparsity === true
        ? weightSparsity(network, params)
        : undefined;
  // With unit noise the weights of removed units are removed too: count what the compacted network keeps.
  const counted = structure === undefined ? report : structureSparsity(structure);
  const kl = sparse ? tf.tidy(() => network.kl(params, klOptions).dataSync()[0] as number) : 0;
  const { sums } = end;
  const trained =
    extras.trainError === true
      ? evaluate(
          network,
          params,
          take(data.train, Math.min(TRAIN_ERROR_EXAMPLES, size(data.train))),
          data.batching,
        )
      : undefined;
  return E.right({
    epoch: end.epoch + 1,
    phase: end.phase,
    trainLoss: sums.lossSum / sums.examples,
    dataTerm: sums.dataSum / sums.examples,
    kl,
    klWeight: end.klWeight,
    lr: end.lr,
    testError: test.error,
    testLoss: test.loss,
    compression: counted === undefined ? 1 : counted.compression,
    layers: counted?.layers.map((l) => ({ name: l.name, removedPercent: l.removedPercent })) ?? [],
    seconds: sums.seconds,
    examplesPerSecond: sums.seconds > 0 ? sums.examples / sums.seconds : 0,
    ...(trained === undefined ? {} : { trainError: trained.error }),
    ...(extras.machine === undefined ? {} : { machine: extras.machine }),
    ...(structure === undefined ? {} : { units: structure.units, flops: structure.flops.after }),
  });
};

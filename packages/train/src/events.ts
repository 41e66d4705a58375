import type { TrainConfig } from './config.js';
import type { EpochMetrics } from './metrics.js';

/**
 * What the training loop reports as it runs; a CLI, a test or a browser page observes these (the library
 * prints nothing).
 */
export type TrainEvent =
  | {
      readonly type: 'start';
      readonly config: TrainConfig;
      readonly stepsPerEpoch: number;
      readonly trainSize: number;
      readonly testSize: number;
      /** Where a resumed run continues: the epoch (0-based) and step within it. */
      readonly resumedAt?: { readonly epoch: number; readonly step: number };
    }
  | { readonly type: 'phase'; readonly phase: 'pretrain' | 'sparsevd' | 'dense'; readonly epochs: number }
  | {
      readonly type: 'epoch-start';
      readonly phase: 'pretrain' | 'sparsevd' | 'dense';
      readonly epoch: number;
      readonly epochs: number;
    }
  | {
      readonly type: 'step';
      readonly epoch: number;
      readonly step: number;
      readonly steps: number;
      /** Per-example objective of this batch: CE + rw·KL / N. */
      readonly loss: number;
      readonly dataTerm: number;
      readonly kl: number;
      readonly lr: number;
      readonly klWeight: number;
    }
  | { readonly type: 'epoch-end'; readonly metrics: EpochMetrics }
  | { readonly type: 'checkpoint'; readonly path: string; readonly epoch: number; readonly step: number }
  | { readonly type: 'done'; readonly metrics: ReadonlyArray<EpochMetrics>; readonly interrupted: boolean };

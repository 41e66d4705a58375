/** What one epoch did, as `metrics.jsonl` stores it. */
export interface EpochMetrics {
  /** 1-based: the number of epochs completed. */
  readonly epoch: number;
  readonly phase: 'pretrain' | 'sparsevd' | 'dense';
  /** Mean per-example objective over the epoch: CE + rw·KL / N. */
  readonly trainLoss: number;
  /** Mean cross-entropy over the epoch. */
  readonly dataTerm: number;
  /** Σ KL at the end of the epoch. */
  readonly kl: number;
  readonly klWeight: number;
  readonly lr: number;
  /** Test error (fraction) of the eval-mode (pruned) network. */
  readonly testError: number;
  /** Mean test cross-entropy of the eval-mode network. */
  readonly testLoss: number;
  /** |W| / |W ≠ 0| (1 for a dense network); `null` when every weight is removed (see `SparsityReport`). */
  readonly compression: number | null;
  /** % of weights removed per SparseVD layer. */
  readonly layers: ReadonlyArray<{ readonly name: string; readonly removedPercent: number }>;
  readonly seconds: number;
  readonly examplesPerSecond: number;
  /**
   * Error of the eval-mode network on (up to 10 000 of) the training examples it learns from, with the labels it
   * learns — present on random-label runs, where it tells memorising (falls towards 0) from a constant prediction.
   */
  readonly trainError?: number;
  /**
   * The machine that ran the epoch (CPU, instruction set, backend), when the caller names it
   * ({@link TrainOptions.machine}): a run resumed elsewhere says which epochs ran where.
   */
  readonly machine?: string;
  /**
   * Structured runs (`sbp`, `sbp+sparsevd`): the units kept as the structured-pruning papers write them (conv
   * filters, dense inputs, e.g. `"5-10-76-16"`), and FLOPs of one example through the compacted network. Their
   * `compression` and `layers` then count every weight the compacted network no longer has — removed by SparseVD
   * or with its unit.
   */
  readonly units?: string;
  readonly flops?: number;
}

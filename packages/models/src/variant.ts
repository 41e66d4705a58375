/**
 * Which version of a reference network to build:
 * - `sparsevd`: SparseVD dense and conv layers (Molchanov et al. 2017);
 * - `dense`: the ordinary network, the baseline of the paper's Table 1 (optionally with binary dropout
 *   for pretraining).
 */
export type Variant = 'sparsevd' | 'dense';

/** Options every reference network takes. */
export interface ModelOptions {
  /** `sparsevd` (default) or `dense`. */
  readonly variant?: Variant;
  /** SparseVD pruning threshold on log α (default 3). */
  readonly threshold?: number;
  /** SparseVD: use the masked θ in the training forward pass too (the authors' `train_clip`). */
  readonly trainClip?: boolean;
  /** Dense variant: binary dropout rate before each hidden weight layer, for pretraining (default 0, none). */
  readonly dropoutRate?: number;
  /**
   * Add Structured Bayesian Pruning's unit-noise layers (`unitNoise` of `@sparsevd/layers`; Neklyudov et al.
   * 2017) on the units its papers count: the filters of each conv layer and the inputs of each dense layer.
   * With the `dense` variant this is SBP alone; with `sparsevd`, SBP on top of SparseVD. LeNets only.
   */
  readonly unitNoise?: boolean;
}

import { type Dataset, size } from './dataset.js';
import { permutation } from './internal/rng.js';
import { subset } from './subset.js';

/** Options of {@link split}. */
export interface SplitOptions {
  /** Size of the validation set: a count (≥ 1) or a fraction in (0, 1). */
  readonly validation: number;
  /** Seed of the random assignment. */
  readonly seed: number;
}

/**
 * Holds out a random validation set (for tuning the pruning threshold, say): a seeded permutation decides
 * which examples go where; the two parts are disjoint and together are the whole dataset.
 */
export const split = (
  dataset: Dataset,
  options: SplitOptions,
): { readonly train: Dataset; readonly validation: Dataset } => {
  const n = size(dataset);
  const { validation } = options;
  const count = validation > 0 && validation < 1 ? Math.round(validation * n) : validation;
  if (!Number.isInteger(count) || count < 1 || count >= n) {
    throw new RangeError(
      `split: validation must be a fraction in (0, 1) or a count from 1 to ${n - 1}, got ${validation}`,
    );
  }
  const order = permutation(n, options.seed);
  const held = Array.from(order.subarray(0, count)).sort((a, b) => a - b);
  const kept = Array.from(order.subarray(count)).sort((a, b) => a - b);
  return {
    train: subset(dataset, kept, `${dataset.name}/train-part`),
    validation: subset(dataset, held, `${dataset.name}/validation`),
  };
};
